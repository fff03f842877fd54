"""Privacy evaluation: detector figures on the independent set, classifier and generated-set metrics, the leak rate.

Two detector sets, reported apart:
- the independent set (policies/evaldata/pii/): hand-written household prompts in four
  languages, labelled by reading; `evaluate_independent` scores it as privacy needs it
  (matching is defined in policies/evaldata/scoring.py). These are the figures we report.
- the generated held-out spans (`load_spans`, `score_detector`): generated, same family as
  the detectors' tuning data, so they measure the templates rather than the world.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from policies.detectors import Span, detect
from policies.evaldata.build import load_split
from policies.evaldata.scoring import SetScore, combine, percentile, score_prompt
from policies.normalize import normalize

SPANS_FILE = Path(__file__).parent / "detectors" / "data" / "spans_heldout.jsonl"

# Targets from issue 3.
RECALL_TARGETS = {
    "CARD": 0.95,
    "IBAN": 0.95,
    "EMAIL": 0.95,
    "PHONE": 0.95,
    "NATIONAL_ID": 0.95,
    "IP": 0.95,
}
RECALL_TARGETS |= {"PERSON": 0.90, "ADDRESS": 0.90}
PRECISION_TARGET = 0.85


@dataclass(frozen=True, slots=True)
class EntityScore:
    """Precision, recall and F2 of one detector kind on the generated held-out span set."""

    kind: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f2(self) -> float:
        p, r = self.precision, self.recall
        return 5 * p * r / (4 * p + r) if p + r else 0.0


def load_spans(path: Path = SPANS_FILE) -> list[tuple[str, list[tuple[str, int, int]]]]:
    """Load the generated held-out span set (same family as the detectors' tuning data)."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            rows.append((row["text"], [(k, s, e) for k, s, e in row["spans"]]))
    return rows


def score_detector(
    rows: Iterable[tuple[str, list[tuple[str, int, int]]]],
    detector: Callable[[str], list[Span]] = detect,
) -> tuple[dict[str, EntityScore], int, int]:
    """Score a detector by overlap with gold spans of the same kind.

    Also returns (gold spans covered by any predicted span, gold spans): what a leak
    check cares about is that the value is replaced, whatever kind it was given.
    """
    counts: dict[str, list[int]] = {}
    covered = total = 0
    for text, gold in rows:
        pred = detector(text)
        for kind, s, e in gold:
            total += 1
            c = counts.setdefault(kind, [0, 0, 0])
            if any(p.kind == kind and p.start < e and s < p.end for p in pred):
                c[0] += 1
            else:
                c[2] += 1
            if any(p.start < e and s < p.end for p in pred):
                covered += 1
        for p in pred:
            if not any(k == p.kind and p.start < e and s < p.end for k, s, e in gold):
                counts.setdefault(p.kind, [0, 0, 0])[1] += 1
    scores = {k: EntityScore(k, *v) for k, v in sorted(counts.items())}
    return scores, covered, total


@dataclass(frozen=True, slots=True)
class IndependentResult:
    """A detector's figures on one split of the independent set, overall and per language."""

    split: str
    prompts: int
    score: SetScore
    per_lang: dict[str, SetScore]
    ms_p50: float
    ms_p95: float

    @property
    def misses(self) -> list[str]:
        """Return the targets missed on the whole split."""
        return self.score.misses()

    @property
    def targets_met(self) -> bool:
        """Tell whether every target is met on the whole split."""
        return not self.misses


def evaluate_independent(
    detector: Callable[[str], Sequence[Span]] = detect,
    split: str = "test",
    langs: Iterable[str] | None = None,
) -> IndependentResult:
    """Run a detector over a split of the independent set and score it, timing each prompt."""
    wanted = set(langs) if langs is not None else None
    prompts = [p for p in load_split(split) if wanted is None or p.lang in wanted]
    # The first call may load models; that is start-up, not a prompt's cost.
    detector("Warm-up call before timing.")
    by_lang: dict[str, list[SetScore]] = {}
    times: list[float] = []
    for prompt in prompts:
        start = time.perf_counter()
        predicted = list(detector(prompt.text))
        times.append((time.perf_counter() - start) * 1000)
        by_lang.setdefault(prompt.lang, []).append(score_prompt(prompt.text, prompt.spans, predicted))
    per_lang = {lang: combine(scores) for lang, scores in sorted(by_lang.items())}
    return IndependentResult(
        split=split,
        prompts=len(prompts),
        score=combine(per_lang.values()),
        per_lang=per_lang,
        ms_p50=percentile(times, 50),
        ms_p95=percentile(times, 95),
    )


def classifier_report() -> tuple[dict[str, dict[str, float]], float, str]:
    """Return per-label metrics of the shipped ONNX model on the held-out split, ms per call, version."""
    import numpy as np

    from policies.classification import LABELS, scores
    from policies.classification.training import load, per_label_report

    held = load("heldout")
    rows = []
    version = ""
    start = time.perf_counter()
    for text in held.raw:
        by_label, version = scores(text)
        rows.append([by_label[label] for label in LABELS])
    ms = (time.perf_counter() - start) * 1000 / max(1, len(held.raw))
    return per_label_report(held.y, np.array(rows)), ms, version


# --- leak rate: the share of sensitive values that reached the capture upstream ----------
LEAK_PROMPTS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Email anna.keller@example.com and ask her to call +44 20 7946 0958 about the invoice.",
        (("EMAIL", "anna.keller@example.com"), ("PHONE", "+44 20 7946 0958")),
    ),
    (
        "Charge my card 4111 1111 1111 1111 and refund to IBAN DE89 3704 0044 0532 0130 00.",
        (("CARD", "4111 1111 1111 1111"), ("IBAN", "DE89 3704 0044 0532 0130 00")),
    ),
    (
        "My SSN is 123-45-6789, is that safe to share?",
        (("NATIONAL_ID", "123-45-6789"),),
    ),
    (
        "The NAS at 192.168.1.20 has MAC 00:1A:2B:3C:4D:5E.",
        (("IP", "192.168.1.20"), ("MAC", "00:1A:2B:3C:4D:5E")),
    ),
    (
        "I live at 221B Baker Street, London NW1 6XE with my son Jake.",
        (("ADDRESS", "221B Baker Street"), ("PERSON", "Jake")),
    ),
    (
        "Mein Passwort ist Sonnenblume!2019 und meine Tochter Lena ist 8.",
        (("SECRET", "Sonnenblume!2019"), ("PERSON", "Lena")),
    ),
    (
        "Use key sk-proj-AbCdEf0123456789GhIjKlMnOp for the script.",
        (("SECRET", "sk-proj-AbCdEf0123456789GhIjKlMnOp"),),
    ),
    (
        "ｍｙ ｃａｒｄ ４１１１ １１１１ １１１１ １１１１ please",
        (("CARD", "4111111111111111"),),
    ),
)


@dataclass(frozen=True, slots=True)
class LeakReport:
    """How many sensitive values were sent, and how many of them reached the upstream."""

    sent: int
    leaked: int
    by_kind: dict[str, tuple[int, int]]  # kind -> (leaked, sent)

    @property
    def rate(self) -> float:
        return self.leaked / self.sent if self.sent else 0.0


def _haystacks(captured: bytes) -> tuple[str, str]:
    """Return the captured bytes as folded text, and the same with separators removed."""
    text = captured.decode("utf-8", errors="replace")
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    folded = normalize(text).text.casefold()
    return folded, re.sub(r"[\s\-.]", "", folded)


def leak_rate(
    send: Callable[[str], bytes],
    prompts: Iterable[tuple[str, Iterable[tuple[str, str]]]] = LEAK_PROMPTS,
) -> LeakReport:
    """Send each prompt through the gateway; count values the capture upstream received.

    `send(prompt)` must return every byte the capture upstream received for that request.
    A value counts as leaked if it appears in those bytes after JSON \\u escapes are decoded
    and Unicode tricks and case are folded, with or without its separators.
    """
    sent = leaked = 0
    by_kind: dict[str, tuple[int, int]] = {}
    for prompt, values in prompts:
        folded, compact = _haystacks(send(prompt))
        for kind, value in values:
            sent += 1
            needle = normalize(value).text.casefold()
            hit = needle in folded or re.sub(r"[\s\-.]", "", needle) in compact
            leaked += hit
            k_leaked, k_sent = by_kind.get(kind, (0, 0))
            by_kind[kind] = (k_leaked + hit, k_sent + 1)
    return LeakReport(sent=sent, leaked=leaked, by_kind=by_kind)
