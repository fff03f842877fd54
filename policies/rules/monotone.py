"""Whether a household's rules are monotone: more evidence of sensitivity never means less
protection.

Raising a sensitive label's score, adding a kind of personal data, an image, a person or a
face in it, or more text must never give a less trusted tier, fewer redactions, unblurred
faces or an unblocked request. The rules' conditions are thresholds and sets, so every
request falls into one of finitely many classes; the check walks each class and each single
step up from it, and returns the first step that loses protection, in words.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from devices.choices import TIER_RANK, Category
from policies.classification.text import SENSITIVE
from policies.detectors import KINDS
from policies.rules import DAYS, Decision, Facts, Rule, decide

# A Monday; only the weekday and the time of day of a moment matter to the rules.
_WEEK = dt.datetime(2026, 11, 23, 12, 0)
LIMIT = 200_000  # requests tried at most; a bigger rule set is refused rather than half-checked


class TooManyCombinations(ValueError):
    """The rule set has too many distinct cases to check in reasonable time."""


@dataclass(frozen=True)
class Counterexample:
    """Two requests, the second only more sensitive than the first, and the less protective
    decision the second gets."""

    change: str  # what was raised or added, in words
    before: Facts
    after: Facts
    before_decision: Decision
    after_decision: Decision
    aspects: frozenset[str] = frozenset()  # what else the rules look at: presence, time, chars

    def describe(self) -> str:
        """Return the example in words, for the household."""
        return (
            f"{self.change[0].upper()}{self.change[1:]} gives less protection. "
            f"Before: {facts_in_words(self.before, self.aspects)}: {decision_in_words(self.before_decision)}. "
            f"After: {facts_in_words(self.after, self.aspects)}: {decision_in_words(self.after_decision)}."
        )


def protects_at_least(after: Decision, before: Decision, images: bool) -> bool:
    """Return True when `after` protects as much as `before` does (or more).

    A block protects most; a request that stays home needs no redaction; otherwise the tier
    may not be less trusted, no kind may go unredacted that was redacted, and (when there is
    an image) faces that were blurred stay blurred.
    """
    if after.blocked:
        return True
    if before.blocked:
        return False
    if TIER_RANK[after.max_tier] > TIER_RANK[before.max_tier]:
        return False
    if after.max_tier == "home":
        return True
    if not set(before.redact) <= set(after.redact):
        return False
    return not (images and before.blur_faces and not after.blur_faces)


# --- the classes of requests the rules can tell apart ---------------------------------------


def _levels(minimums: set[float], at_most: set[float]) -> list[float]:
    """Return one score from each interval the rules' thresholds cut [0, 1] into."""
    # `label >= m` changes at m; `general >= n` holds while every sensitive label is <= 1 - n,
    # so it changes just above 1 - n.
    points = {0.0, *minimums, *at_most, *(math.nextafter(c, 2.0) for c in at_most)}
    return sorted(p for p in points if 0.0 <= p <= 1.0)


@dataclass(frozen=True)
class _Space:
    label_groups: tuple[tuple[str, tuple[float, ...]], ...]  # a representative label, its levels
    general_levels: tuple[float, ...]
    data_groups: tuple[tuple[str, ...], ...]  # kinds the rules treat alike
    text_kinds: tuple[str, ...]
    chars: tuple[int, ...]
    categories: tuple[str, ...]
    devices: tuple[str, ...]
    presences: tuple[str, ...]
    moments: tuple[dt.datetime, ...]


def _grouped(signatures: Mapping[str, object]) -> list[tuple[str, ...]]:
    """Group names that every rule treats alike."""
    groups: dict[object, list[str]] = {}
    for name, signature in signatures.items():
        groups.setdefault(signature, []).append(name)
    return [tuple(names) for names in groups.values()]


def _space(rules: Sequence[Rule]) -> _Space:
    c = [r.conditions for r in rules]
    general_minimums = {m for cond in c for label, m in cond.labels if label == "general"}
    at_most = {1.0 - n for n in general_minimums}
    # Labels named by the same rules at the same confidences are interchangeable: only their
    # highest score matters (a rule needs any of them; `general` reads the highest).
    label_groups = []
    for names in _grouped(
        {label: tuple((i, m) for i, cond in enumerate(c) for lb, m in cond.labels if lb == label) for label in SENSITIVE}
    ):
        minimums = {m for cond in c for lb, m in cond.labels if lb == names[0]}
        label_groups.append((names[0], tuple(_levels(minimums, at_most))))
    data_signatures = {
        kind: (tuple(i for i, cond in enumerate(c) if kind in cond.data), tuple(dict(r.actions.data).get(kind, "redact") for r in rules))
        for kind in KINDS
    }
    untouched = ((), tuple("redact" for _ in rules))
    data_groups = [names for names in _grouped(data_signatures) if data_signatures[names[0]] != untouched]
    char_points = {0}
    for cond in c:
        if cond.min_chars is not None:
            char_points.add(cond.min_chars)
        if cond.max_chars is not None:
            char_points |= {cond.max_chars, cond.max_chars + 1}
    categories = [g[0] for g in _grouped({cat: tuple(i for i, cond in enumerate(c) if cat in cond.categories) for cat in Category.values})]
    named = sorted({d for cond in c for d in cond.devices})
    devices = [g[0] for g in _grouped({d: tuple(i for i, cond in enumerate(c) if d in cond.devices) for d in [*named, "another device"]})]
    windows = [cond.time for cond in c if cond.time is not None]
    moments: dict[tuple[bool, ...], dt.datetime] = {}
    clock = sorted({dt.time(0, 0), dt.time(12, 0), *(w.start for w in windows), *(w.end for w in windows)})
    for day in range(len(DAYS)):
        for t in clock:
            moment = dt.datetime.combine(_WEEK.date() + dt.timedelta(days=day), t)
            moments.setdefault(tuple(w.contains(moment) for w in windows), moment)
    return _Space(
        label_groups=tuple(label_groups),
        general_levels=tuple(_levels(general_minimums, set())),
        data_groups=tuple(data_groups),
        text_kinds=("chat", "completion", "embedding") if any(cond.kinds for cond in c) else ("chat",),
        chars=tuple(sorted(char_points)),
        categories=tuple(categories),
        devices=tuple(devices),
        presences=("home", "away", "unknown") if any(cond.presence for cond in c) else ("unknown",),
        moments=tuple(moments.values()),
    )


# A point: a level per label group, a flag per data group, a media state, a chars level.
_Media = tuple[str, int, int]  # (kind, people, faces); kind "vision" means one image
_Point = tuple[tuple[int, ...], tuple[bool, ...], _Media, int]
_Context = tuple[str, str, str, dt.datetime, float]  # device, category, presence, moment, general


def _media_states(space: _Space) -> list[_Media]:
    return [*((k, 0, 0) for k in space.text_kinds), *(("vision", p, f) for p in (0, 1) for f in (0, 1))]


def _steps(space: _Space, point: _Point) -> Iterator[tuple[_Point, str]]:
    """Yield each point one step more sensitive than `point`, with the step in words."""
    levels, data, media, chars = point
    for g, (label, values) in enumerate(space.label_groups):
        if levels[g] + 1 < len(values):
            up = (*levels[:g], levels[g] + 1, *levels[g + 1 :])
            yield (up, data, media, chars), f"raising {label} from {values[levels[g]]:.2f} to {values[levels[g] + 1]:.2f}"
    for g, kinds in enumerate(space.data_groups):
        if not data[g]:
            kind = kinds[0].lower().replace("_", " ")
            yield (levels, (*data[:g], True, *data[g + 1 :]), media, chars), f"adding personal data of the kind {kind}"
    kind, people, faces = media
    if kind == "chat":
        yield (levels, data, ("vision", 0, 0), chars), "adding an image"
    if kind == "vision" and not people:
        yield (levels, data, ("vision", 1, faces), chars), "a person in the image"
    if kind == "vision" and not faces:
        yield (levels, data, ("vision", people, 1), chars), "a face in the image"
    if chars + 1 < len(space.chars):
        yield (levels, data, media, chars + 1), f"more text ({space.chars[chars + 1]} characters instead of {space.chars[chars]})"


def _facts(space: _Space, context: _Context, point: _Point) -> Facts:
    device, category, presence, moment, general = context
    levels, data, (kind, people, faces), chars = point
    labels = {label: values[levels[g]] for g, (label, values) in enumerate(space.label_groups)}
    labels["general"] = general
    return Facts(
        device=device,
        category=category,
        labels=labels,
        data=frozenset(kinds[0] for g, kinds in enumerate(space.data_groups) if data[g]),
        images=int(kind == "vision"),
        people=people,
        faces=faces,
        moment=moment,
        presence=presence,
        kind=kind,
        chars=space.chars[chars],
    )


def _aspects(space: _Space) -> frozenset[str]:
    named = {"presence": len(space.presences) > 1, "time": len(space.moments) > 1, "chars": len(space.chars) > 1}
    return frozenset(name for name, used in named.items() if used)


def _walk(rules: Sequence[Rule], space: _Space, context: _Context, points: Sequence[_Point]) -> Counterexample | None:
    """Check every single step up from every point in one context."""
    decided: dict[_Point, tuple[Facts, Decision]] = {}

    def at(point: _Point) -> tuple[Facts, Decision]:
        if point not in decided:
            facts = _facts(space, context, point)
            decided[point] = (facts, decide(rules, facts))
        return decided[point]

    for point in points:
        before, before_decision = at(point)
        for step, change in _steps(space, point):
            after, after_decision = at(step)
            if not protects_at_least(after_decision, before_decision, images=before.images > 0):
                return Counterexample(change, before, after, before_decision, after_decision, _aspects(space))
    return None


def monotonicity_counterexample(rules: Sequence[Rule], limit: int = LIMIT) -> Counterexample | None:
    """Return a request and a more sensitive one that the rules protect less, or None.

    Raises TooManyCombinations when the rules tell more than `limit` kinds of request apart.
    """
    enabled = [r for r in rules if r.enabled]
    space = _space(enabled)
    contexts = list(itertools.product(space.devices, space.categories, space.presences, space.moments, space.general_levels))
    points: list[_Point] = [
        (levels, data, media, chars)
        for levels in itertools.product(*(range(len(values)) for _, values in space.label_groups))
        for data in itertools.product((False, True), repeat=len(space.data_groups))
        for media in _media_states(space)
        for chars in range(len(space.chars))
    ]
    if len(contexts) * len(points) > limit:
        raise TooManyCombinations(f"the rules tell {len(contexts) * len(points):,} kinds of request apart; at most {limit:,} are checked")
    for context in contexts:
        found = _walk(enabled, space, context, points)
        if found is not None:
            return found
    return None


# --- in words -----------------------------------------------------------------------------------


def facts_in_words(f: Facts, aspects: frozenset[str] = frozenset({"presence", "time", "chars"})) -> str:
    """Describe a request's facts for the household (never any text: there is none)."""
    parts = [f"a {f.kind} request from a {Category(f.category).label.lower()}" + ("" if f.device == "another device" else f" ({f.device})")]
    labels = [f"{label} {score:.2f}" for label, score in sorted(f.labels.items()) if score > 0 and label != "general"]
    parts.append("labels " + ", ".join([*labels, f"general {f.labels.get('general', 0.0):.2f}"]))
    parts.append("with " + ", ".join(k.lower().replace("_", " ") for k in sorted(f.data)) if f.data else "no personal data")
    if f.images:
        parts.append(f"an image with {f.people} person(s) and {f.faces} face(s)")
    if "presence" in aspects:
        parts.append({"home": "someone home", "away": "nobody home"}.get(f.presence, "presence unknown"))
    if "time" in aspects:
        parts.append(f"{f.moment:%a %H:%M}")
    if "chars" in aspects:
        parts.append(f"{f.chars} characters")
    return "; ".join(parts)


def decision_in_words(d: Decision) -> str:
    """Describe a decision, with what it redacts and blurs."""
    if d.blocked:
        return d.explanation
    extra = []
    if d.max_tier != "home":
        kept = [k.lower().replace("_", " ") for k in KINDS if k not in d.redact]
        extra.append("all personal data replaced" if not kept else "not replaced: " + ", ".join(kept))
        if d.blur_faces:
            extra.append("faces blurred")
    return d.explanation + (f" ({'; '.join(extra)})" if extra else "")
