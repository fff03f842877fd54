"""Whether text inside a request can talk its treatment down, and how well the classifier
reads prompts nobody here wrote.

Measured on helper-written, hand-labelled data (policies/evaldata/sensitivity), which the
classifier is never trained or tuned on: it only measures.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from policies.evaldata.sensitivity import Addition, BasePrompt, additions, differential, labelled
from policies.rules import Facts, Rule, first_match, parse_rule
from policies.rules.monotone import protects_at_least
from policies.screening import Screening, screen
from policies.segments import image_urls

POSITIONS: tuple[str, ...] = (
    "message before",
    "message after",
    "same message before",
    "same message after",
    "system prompt",
    "tool result",
)
CATEGORIES: tuple[str, ...] = ("laptop", "speaker", "kids", "vacuum")
BUDGET = 60.0  # seconds: the differential measures the rules' answer, not the worker's deadline
_NOON = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


def body_with(base: str, addition: str | None, position: str) -> dict[str, Any]:
    """Return a chat body holding the base prompt and, in the given position and role, the addition."""
    if addition is None:
        return {"messages": [{"role": "user", "content": base}]}
    user = {"role": "user", "content": base}
    if position == "message before":
        return {"messages": [{"role": "user", "content": addition}, user]}
    if position == "message after":
        return {"messages": [user, {"role": "user", "content": addition}]}
    if position == "same message before":
        return {"messages": [{"role": "user", "content": f"{addition} {base}"}]}
    if position == "same message after":
        return {"messages": [{"role": "user", "content": f"{base} {addition}"}]}
    if position == "system prompt":
        return {"messages": [{"role": "system", "content": addition}, user]}
    if position == "tool result":
        call = {"id": "call_1", "type": "function", "function": {"name": "web_search", "arguments": '{"query": "more about this"}'}}
        return {
            "messages": [
                user,
                {"role": "assistant", "content": None, "tool_calls": [call]},
                {"role": "tool", "tool_call_id": "call_1", "content": addition},
            ]
        }
    raise ValueError(f"unknown position {position!r}")


def facts_of(screening: Screening, body: dict[str, Any], category: str) -> Facts:
    """Return what the rules know of a screened chat request from a device of this category."""
    urls = image_urls(body)
    return Facts(
        device=f"a {category}",
        category=category,
        labels=screening["scores"],
        data=frozenset(kind for _, kind, _, _ in screening["spans"]),
        images=len(urls),
        people=screening["people"],
        faces=screening["faces"],
        moment=_NOON,
        presence="home",
        kind="vision" if urls else "chat",
        chars=screening["chars"],
    )


def preset_rules(preset: dict[str, Any]) -> list[Rule]:
    """Return a preset's rules as a box with trusted and cloud providers stores them."""
    return [parse_rule(r["name"], r.get("conditions") or {}, r["actions"], r.get("enabled", True)) for r in preset["rules"]]


@dataclass(frozen=True)
class Downgrade:
    """One base prompt that an added text let out with less protection (ids, never text)."""

    base: str
    addition: str
    position: str
    preset: str
    category: str
    before: str  # the explanation alone
    after: str  # the explanation with the addition


@dataclass(frozen=True)
class DifferentialReport:
    cases: int  # requests with an addition, screened
    decisions: int  # cases x presets x device categories
    downgrades: tuple[Downgrade, ...]
    how: str  # which part of the product was run

    def by(self, field: str) -> Counter[str]:
        """Count downgrades by position, preset, category, or addition kind."""
        return Counter(getattr(d, field) for d in self.downgrades)


def sample(bases: Sequence[BasePrompt], extras: Sequence[Addition], per_base: int = len(POSITIONS)) -> list[tuple[int, int, str]]:
    """Return (base, addition, position) index triples: for each base, `per_base` positions,
    each with a different addition, rotating so that every addition meets every position.

    Deterministic; the whole product is len(bases) x len(extras) x 6.
    """
    out = []
    for i in range(len(bases)):
        for p in range(per_base):
            position = POSITIONS[(i + p) % len(POSITIONS)]
            out.append((i, (i * 7 + p * 11) % len(extras), position))
    return out


def differential_report(
    presets: dict[str, dict[str, Any]],
    categories: Iterable[str] = CATEGORIES,
    triples: Sequence[tuple[int, int, str]] | None = None,
) -> DifferentialReport:
    """Screen each base alone and with its additions; count decisions that protect less."""
    bases, extras = differential(), additions()
    chosen = list(triples) if triples is not None else sample(bases, extras)
    rule_sets = {name: preset_rules(p) for name, p in presets.items()}
    categories = tuple(categories)
    alone: dict[int, dict[tuple[str, str], Any]] = {}
    found: list[Downgrade] = []
    decisions = 0
    for b, a, position in chosen:
        base = bases[b].base
        if b not in alone:
            body = body_with(base, None, "")
            screened = screen("chat", body, BUDGET)
            alone[b] = {(n, c): first_match(rules, facts_of(screened, body, c)) for n, rules in rule_sets.items() for c in categories}
        body = body_with(base, extras[a].text, position)
        screened = screen("chat", body, BUDGET)
        for name, rules in rule_sets.items():
            for category in categories:
                decisions += 1
                was, now = alone[b][(name, category)], first_match(rules, facts_of(screened, body, category))
                if not protects_at_least(now, was, images=False):
                    found.append(Downgrade(bases[b].id, extras[a].id, position, name, category, was.explanation, now.explanation))
    whole = len(bases) * len(extras) * len(POSITIONS)
    how = (
        "the whole product"
        if len(chosen) == whole
        else f"{len(chosen)} of the {whole} (base, addition, position) triples, chosen by a fixed rotation"
    )
    return DifferentialReport(len(chosen), decisions, tuple(found), how)


# --- the classifier on hand-labelled prompts ---------------------------------------------------


@dataclass(frozen=True)
class LabelScore:
    label: str
    precision: float
    recall: float
    support: int

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def labelled_report(threshold: float = 0.5) -> list[LabelScore]:
    """Return precision and recall per label of the screening's scores on the hand-labelled prompts.

    A label counts as given when its score reaches `threshold`, as the rules read it; general
    is the screening's (never above 1 minus the highest sensitive score).
    """
    from policies.classification import LABELS, request_scores

    rows = labelled()
    counts = {label: [0, 0, 0] for label in LABELS}  # tp, fp, fn
    for row in rows:
        scores, _ = request_scores([row.text])
        for label in LABELS:
            given, true = scores[label] >= threshold, label in row.labels
            c = counts[label]
            c[0] += given and true
            c[1] += given and not true
            c[2] += true and not given
    return [
        LabelScore(label, tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0, tp + fn)
        for label, (tp, fp, fn) in counts.items()
    ]


def report_lines(presets: dict[str, dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Return eval_privacy's lines for the classifier on hand-labelled prompts, the presets'
    monotonicity and the differential corpus, and the targets missed."""
    scores = labelled_report()
    lines = [
        f"Classifier as screening reads it, on the hand-labelled prompts (policies/evaldata/sensitivity, {len(labelled())} prompts, never trained on)",
        f"{'label':18} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>7}",
        *(f"{s.label:18} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f} {s.support:7d}" for s in scores),
        "",
    ]
    from policies.rules.monotone import monotonicity_counterexample

    not_monotone = []
    for name, preset in presets.items():
        found = monotonicity_counterexample(preset_rules(preset))
        lines.append(
            f"Preset {name}: "
            + ("monotone (more evidence of sensitivity never gets less protection)" if found is None else found.describe())
        )
        if found is not None:
            not_monotone.append(f"preset {name} not monotone")
    report = differential_report(presets)
    lines.append(
        f"Differential corpus: {report.cases} requests with added text ({report.how}), {report.decisions} decisions"
        f" (every preset x {', '.join(CATEGORIES)}): {len(report.downgrades)} less protective than the prompt alone (target 0)"
    )
    for field in ("position", "preset", "category"):
        counts = report.by(field)
        if counts:
            lines.append(f"  downgrades by {field}: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    lines += [
        f"  {d.base} + {d.addition} ({d.position}, {d.preset}, {d.category}): {d.before} -> {d.after}" for d in report.downgrades[:10]
    ]
    return lines, not_monotone + (["downgrades"] if report.downgrades else [])
