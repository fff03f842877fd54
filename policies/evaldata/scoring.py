"""Score span detectors on the independent set the way privacy needs it.

Matching:
- Recall is counted per gold span. A gold value is *found* when the predicted spans
  together cover every letter and digit of it (spaces and punctuation may stay
  uncovered: a placeholder that leaves "14 Elm Row" as "<ADDRESS>," hides the value).
  Any-type recall accepts predicted spans of any kind; per-kind recall only spans of a
  compatible kind (COMPATIBLE below). A value with some but not all of its letters and
  digits covered is *partial*: it counts as not found, because a partly covered value
  still leaks, and is reported apart so a boundary miss is told from a plain miss.
- Precision is counted per predicted span: it is correct when it overlaps a gold span
  (of any kind for any-type; of a compatible kind per kind).
- F2 = 5PR / (4P + R): recall weighs four times as much as precision, since a missed
  value leaks and a false placeholder only costs a little answer quality.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

# Kinds that stand in for each other in per-kind figures: a street address found as a
# place, a date of birth found as a date, a password found inside a credential URL.
# HOUSEHOLD (the household's own terms) is only ever predicted, never labelled.
_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"ADDRESS", "LOCATION"}),
    frozenset({"DATE", "DOB"}),
    frozenset({"SECRET", "URL_CREDENTIALS"}),
)
_HOUSEHOLD_STANDS_FOR = frozenset({"PERSON", "ADDRESS", "LOCATION", "ORGANIZATION"})

STRUCTURED: tuple[str, ...] = (
    "EMAIL",
    "PHONE",
    "CARD",
    "IBAN",
    "NATIONAL_ID",
    "IP",
    "MAC",
    "URL_CREDENTIALS",
    "SECRET",
    "GPS",
)
RECALL_TARGETS: dict[str, float] = {k: 0.95 for k in STRUCTURED} | {
    "PERSON": 0.90,
    "ADDRESS": 0.90,
    "LOCATION": 0.90,
}
PRECISION_TARGET = 0.85
ANY_TYPE_F2_TARGET = 0.90
ANY = "any-type"


def compatible(gold_kind: str, predicted_kind: str) -> bool:
    """Tell whether a prediction of one kind counts for a gold span of another, per kind."""
    if gold_kind == predicted_kind:
        return True
    if predicted_kind == "HOUSEHOLD":
        return gold_kind in _HOUSEHOLD_STANDS_FOR
    return any(gold_kind in g and predicted_kind in g for g in _GROUPS)


def compatible_kinds(kind: str) -> tuple[str, ...]:
    """Return the other kinds that count for a kind in its per-kind figures, for the table."""
    return tuple(sorted(k for g in _GROUPS if kind in g for k in g if k != kind))


class SpanLike(Protocol):
    """A kind with [start, end) offsets: the detectors' Span and the gold spans both fit."""

    @property
    def kind(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Tally:
    """Counts for one kind (or any-type): gold spans found, partly covered, and predictions."""

    kind: str
    gold: int = 0
    found: int = 0
    partial: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def missed(self) -> int:
        """Return the gold spans with no letter or digit covered."""
        return self.gold - self.found - self.partial

    @property
    def recall(self) -> float:
        """Return found / gold (1.0 when there is nothing to find)."""
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        """Return correct / predicted (1.0 when nothing was predicted)."""
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def f2(self) -> float:
        """Return the F-beta score with beta = 2."""
        p, r = self.precision, self.recall
        return 5 * p * r / (4 * p + r) if p + r else 0.0

    @property
    def recall_target(self) -> float | None:
        """Return this kind's recall target, if it has one."""
        return RECALL_TARGETS.get(self.kind)

    def misses(self) -> list[str]:
        """Return the targets this tally misses, in words."""
        out = []
        target = self.recall_target
        if target is not None and self.gold and self.recall < target:
            out.append(f"{self.kind} recall {self.recall:.3f} < {target:.2f}")
        if self.predicted and self.precision < PRECISION_TARGET:
            out.append(f"{self.kind} precision {self.precision:.3f} < {PRECISION_TARGET:.2f}")
        if self.kind == ANY and self.f2 < ANY_TYPE_F2_TARGET:
            out.append(f"{ANY} F2 {self.f2:.3f} < {ANY_TYPE_F2_TARGET:.2f}")
        return out

    def plus(self, found: int = 0, partial: int = 0, gold: int = 0, predicted: int = 0, correct: int = 0) -> Tally:
        """Return this tally with counts added."""
        return Tally(
            self.kind,
            self.gold + gold,
            self.found + found,
            self.partial + partial,
            self.predicted + predicted,
            self.correct + correct,
        )


@dataclass(frozen=True, slots=True)
class SetScore:
    """Any-type and per-kind tallies over a set of prompts."""

    any_type: Tally = field(default_factory=lambda: Tally(ANY))
    per_kind: Mapping[str, Tally] = field(default_factory=dict)

    def misses(self) -> list[str]:
        """Return every target missed, any-type first."""
        out = self.any_type.misses()
        for tally in self.per_kind.values():
            out += tally.misses()
        return out


def _coverage(text: str, gold: SpanLike, predicted: Iterable[SpanLike]) -> tuple[int, int]:
    """Return (letters and digits of the gold value covered by predicted, all of them)."""
    wanted = [i for i in range(gold.start, gold.end) if text[i].isalnum()]
    if not wanted:
        wanted = list(range(gold.start, gold.end))
    hit: set[int] = set()
    for p in predicted:
        lo, hi = max(p.start, gold.start), min(p.end, gold.end)
        hit.update(range(lo, hi))
    return sum(1 for i in wanted if i in hit), len(wanted)


def _overlaps(a: SpanLike, b: SpanLike) -> bool:
    return a.start < b.end and b.start < a.end


def score_prompt(text: str, gold: Sequence[SpanLike], predicted: Sequence[SpanLike]) -> SetScore:
    """Score one prompt's predictions against its gold spans."""
    any_type = Tally(ANY)
    per_kind: dict[str, Tally] = {}
    for g in gold:
        covered, need = _coverage(text, g, predicted)
        any_type = any_type.plus(gold=1, found=int(covered == need), partial=int(0 < covered < need))
        k_covered, _ = _coverage(text, g, (p for p in predicted if compatible(g.kind, p.kind)))
        t = per_kind.get(g.kind, Tally(g.kind))
        per_kind[g.kind] = t.plus(gold=1, found=int(k_covered == need), partial=int(0 < k_covered < need))
    for p in predicted:
        any_type = any_type.plus(predicted=1, correct=int(any(_overlaps(p, g) for g in gold)))
        right = any(_overlaps(p, g) and compatible(g.kind, p.kind) for g in gold)
        t = per_kind.get(p.kind, Tally(p.kind))
        per_kind[p.kind] = t.plus(predicted=1, correct=int(right))
    return SetScore(any_type, per_kind)


def combine(scores: Iterable[SetScore]) -> SetScore:
    """Add up the tallies of several prompts or sets."""
    any_type = Tally(ANY)
    per_kind: dict[str, Tally] = {}
    for s in scores:
        a = s.any_type
        any_type = any_type.plus(a.found, a.partial, a.gold, a.predicted, a.correct)
        for kind, t in s.per_kind.items():
            per_kind[kind] = per_kind.get(kind, Tally(kind)).plus(t.found, t.partial, t.gold, t.predicted, t.correct)
    return SetScore(any_type, dict(sorted(per_kind.items())))


def percentile(values: Sequence[float], q: float) -> float:
    """Return the q-th percentile (0-100) by the nearest-rank method."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]
