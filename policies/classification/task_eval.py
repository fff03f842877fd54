"""Score task-type and difficulty estimates: per-label precision, recall, F1, support, and a confusion table."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from policies.classification.task import DIFFICULTIES, TEXT_TASKS, TaskEstimate, estimate


@dataclass(frozen=True, slots=True)
class LabelScore:
    """One label's figures over a set."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


@dataclass(frozen=True, slots=True)
class Report:
    """One axis (task type or difficulty): scores per label, accuracy, and gold-by-predicted counts."""

    axis: str
    labels: tuple[str, ...]
    scores: tuple[LabelScore, ...]
    accuracy: float
    confusion: dict[tuple[str, str], int]  # (gold, predicted) -> count

    @property
    def macro_f1(self) -> float:
        present = [s.f1 for s in self.scores if s.support]
        return sum(present) / len(present) if present else 0.0


def report(axis: str, labels: Sequence[str], gold: Sequence[str], predicted: Sequence[str]) -> Report:
    """Return the scores of predicted against gold labels."""
    confusion: dict[tuple[str, str], int] = {}
    for g, p in zip(gold, predicted, strict=True):
        confusion[(g, p)] = confusion.get((g, p), 0) + 1
    scores = []
    for label in labels:
        tp = confusion.get((label, label), 0)
        support = sum(n for (g, _), n in confusion.items() if g == label)
        pred = sum(n for (_, p), n in confusion.items() if p == label)
        precision = tp / pred if pred else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(LabelScore(label, precision, recall, f1, support, pred))
    correct = sum(n for (g, p), n in confusion.items() if g == p)
    return Report(axis, tuple(labels), tuple(scores), correct / len(gold) if gold else 0.0, confusion)


def table(rep: Report) -> list[str]:
    """Return the per-label table of one axis, as lines."""
    lines = [f"{rep.axis:12} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8} {'predicted':>9}"]
    for s in rep.scores:
        lines.append(f"{s.label:12} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f} {s.support:8d} {s.predicted:9d}")
    lines.append(f"{'macro F1':12} {rep.macro_f1:9.3f}   accuracy {rep.accuracy:.3f} of {sum(s.support for s in rep.scores)}")
    return lines


def confusion_table(rep: Report) -> list[str]:
    """Return the confusion table (rows: the label read, columns: the estimate), as lines."""
    extra = sorted({p for _, p in rep.confusion} - set(rep.labels))
    columns = [*rep.labels, *extra]
    width = max(9, *(len(c) + 1 for c in columns))
    lines = [f"{'read/est.':12}" + "".join(f"{c:>{width}}" for c in columns)]
    for g in rep.labels:
        lines.append(f"{g:12}" + "".join(f"{rep.confusion.get((g, p), 0):>{width}d}" for p in columns))
    return lines


@dataclass(frozen=True, slots=True)
class Labelled:
    """One labelled prompt: the text and what a reader says it asks and how hard it is."""

    text: str
    task: str
    difficulty: str


def load_labelled(path: Path) -> list[Labelled]:
    """Read a labelled JSONL file (keys text, task, difficulty; others ignored)."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row["task"] not in TEXT_TASKS or row["difficulty"] not in DIFFICULTIES:
                raise ValueError(f"line {n}: unknown task {row['task']!r} or difficulty {row['difficulty']!r}")
            rows.append(Labelled(row["text"], row["task"], row["difficulty"]))
    return rows


def evaluate(rows: Sequence[Labelled], estimator: Callable[[str], TaskEstimate] | None = None) -> tuple[Report, Report]:
    """Estimate every row as screening does (the prompt as the user's message) and score both axes."""
    run = estimator or (lambda text: estimate([text]))
    found = [run(r.text) for r in rows]
    tasks = report("task", TEXT_TASKS, [r.task for r in rows], [e.task for e in found])
    levels = report("difficulty", DIFFICULTIES, [r.difficulty for r in rows], [e.difficulty for e in found])
    return tasks, levels
