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
import functools
import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from devices.choices import TIER_RANK, Category
from policies.classification.text import SENSITIVE
from policies.detectors import KINDS
from policies.priorities import inside
from policies.rules import DAYS, DEFAULT_RULE, Actions, Conditions, Decision, Facts, Rule, first_match

# A Monday; only the weekday and the time of day of a moment matter to the rules.
_WEEK = dt.datetime(2026, 11, 23, 12, 0)
LIMIT = 20_000_000  # kinds of request tried at most; a bigger rule set is refused rather than half-checked


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
    if not limits_at_least(after, before):
        return False
    return not (images and before.blur_faces and not after.blur_faces)


def limits_at_least(after: Actions | Decision, before: Actions | Decision) -> bool:
    """Return True when `after` limits where data goes at least as `before` does: no place
    allowed that was not, none let in that was denied, zero data retention still needed."""
    a, b = after.jurisdictions, before.jurisdictions
    if b.allow and not (a.allow and all(any(inside(x, y) for y in b.allow) for x in a.allow)):
        return False
    return b.deny <= a.deny and (after.require_zdr or not before.require_zdr)


# --- the classes of requests the rules can tell apart ---------------------------------------


def _levels(minimums: set[float], at_most: set[float]) -> list[float]:
    """Return one score from each interval the rules' thresholds cut [0, 1] into."""
    # `label >= m` changes at m; `general >= n` holds while every sensitive label is <= 1 - n,
    # so it changes just above 1 - n.
    points = {0.0, *minimums, *at_most, *(math.nextafter(c, 2.0) for c in at_most)}
    return sorted(p for p in points if 0.0 <= p <= 1.0)


@dataclass(frozen=True)
class _Space:
    label_groups: tuple[tuple[tuple[str, ...], tuple[float, ...]], ...]  # labels the rules treat alike, their levels
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
        label_groups.append((names, tuple(_levels(minimums, at_most))))
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


def _media_steps(states: list[_Media]) -> list[tuple[int, int, str]]:
    """Return (from, to, words) for adding an image, a person in it or a face in it."""
    index = {state: i for i, state in enumerate(states)}
    steps = [(index[("chat", 0, 0)], index[("vision", 0, 0)], "adding an image")] if ("chat", 0, 0) in index else []
    for people in (0, 1):
        steps.append((index[("vision", 0, people)], index[("vision", 1, people)], "a person in the image"))
        steps.append((index[("vision", people, 0)], index[("vision", people, 1)], "a face in the image"))
    return steps


def _facts(space: _Space, context: _Context, point: _Point) -> Facts:
    device, category, presence, moment, general = context
    levels, data, (kind, people, faces), chars = point
    labels = {names[0]: values[levels[g]] for g, (names, values) in enumerate(space.label_groups)}
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


def _context_holds(c: Conditions, f: Facts) -> bool:
    """Return whether a rule's conditions on the device, category, presence and time hold."""
    return (
        (not c.devices or f.device in c.devices)
        and (not c.categories or f.category in c.categories)
        and (c.presence is None or f.presence == c.presence)
        and (c.time is None or c.time.contains(f.moment))
    )


def _aspects(space: _Space) -> frozenset[str]:
    named = {"presence": len(space.presences) > 1, "time": len(space.moments) > 1, "chars": len(space.chars) > 1}
    return frozenset(name for name, used in named.items() if used)


class _Lattice:
    """Every point of one context at once, as numpy arrays: axes are the label groups, the
    data groups, the media state and the chars level. first_match() stays the reference: an
    example found here is decided again by it before it is returned."""

    def __init__(self, rules: Sequence[Rule], space: _Space, context: _Context) -> None:
        import numpy as np

        self.space, self.context = space, context
        self.media = _media_states(space)
        groups, data = len(space.label_groups), len(space.data_groups)
        self.data_axis, self.media_axis, self.chars_axis = groups, groups + data, groups + data + 1
        self.ndim = groups + data + 2
        self.shape = (*(len(v) for _, v in space.label_groups), *(2 for _ in range(data)), len(self.media), len(space.chars))

        def along(values: Sequence[Any], axis: int) -> Any:
            shape = [1] * self.ndim
            shape[axis] = len(values)
            return np.asarray(values).reshape(shape)

        scores = [along(values, g) for g, (_, values) in enumerate(space.label_groups)]
        highest = functools.reduce(np.maximum, scores)
        general = np.minimum(context[4], 1.0 - highest)
        group_of = {name: g for g, (names, _) in enumerate(space.label_groups) for name in names}
        present = [along([False, True], groups + d) for d in range(data)]
        images = along([kind == "vision" for kind, _, _ in self.media], self.media_axis)
        people = along([p > 0 for _, p, _ in self.media], self.media_axis)
        faces = along([f > 0 for _, _, f in self.media], self.media_axis)
        kinds = [kind for kind, _, _ in self.media]
        chars = along(list(space.chars), self.chars_axis)
        device, category, presence, moment, _ = context
        probe = Facts(device, category, {}, frozenset(), 0, 0, 0, moment, presence, "chat", 0)
        first = np.full(self.shape, len(rules))
        for i, rule in enumerate(rules):
            c = rule.conditions
            if not _context_holds(c, probe):
                continue
            match = np.ones(self.shape, dtype=bool)
            if c.labels:
                match &= functools.reduce(
                    np.logical_or, [(general if label == "general" else scores[group_of[label]]) >= m for label, m in c.labels]
                )
            if c.data:
                match &= functools.reduce(
                    np.logical_or, [present[d] for d, names in enumerate(space.data_groups) if c.data & set(names)], False
                )
            for flag, values in (("images", images), ("people", people), ("faces", faces)):
                wanted = getattr(c, flag)
                if wanted is not None:
                    match &= values == wanted
            if c.kinds:
                match &= along([k in c.kinds for k in kinds], self.media_axis)
            if c.min_chars is not None:
                match &= chars >= c.min_chars
            if c.max_chars is not None:
                match &= chars <= c.max_chars
            first[match & (first == len(rules))] = i
        everyone = [*rules, DEFAULT_RULE]
        actions = [r.actions for r in everyone]
        self.rank = np.array([TIER_RANK[a.max_tier] for a in actions])[first]
        bits = [sum(1 << k for k, kind in enumerate(KINDS) if dict(a.data).get(kind, "redact") == "redact") for a in actions]
        self.redact = np.array(bits, dtype=np.int64)[first]
        self.blur = np.array([a.blur_faces for a in actions])[first]
        self.blocked = np.array([bool(a.block) for a in actions])[first]
        for d, names in enumerate(space.data_groups):
            blocks = np.array([dict(a.data).get(names[0]) == "block" for a in actions])
            self.blocked = self.blocked | (blocks[first] & present[d])
        self.images = np.broadcast_to(images, self.shape)
        self.first = first
        self.limits = np.array([[limits_at_least(a, b) for a in actions] for b in actions])  # [before][after]

    def _worse(self, before: Any, after: Any) -> Any:
        """Return where `after` protects less than `before` (as protects_at_least, elementwise)."""
        b = [x[before] for x in (self.blocked, self.rank, self.redact, self.blur, self.images)]
        a = [x[after] for x in (self.blocked, self.rank, self.redact, self.blur)]
        (b_block, b_rank, b_redact, b_blur, images), (a_block, a_rank, a_redact, a_blur) = b, a
        leaves_as_much = ((b_redact & ~a_redact) == 0) & ~(images & b_blur & ~a_blur) & self.limits[self.first[before], self.first[after]]
        return ~(a_block | (~b_block & (a_rank <= b_rank) & ((a_rank == TIER_RANK["home"]) | leaves_as_much)))

    def _slices(self, axis: int, lo: Any, hi: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        before = [slice(None)] * self.ndim
        after = [slice(None)] * self.ndim
        before[axis], after[axis] = lo, hi
        return tuple(before), tuple(after)

    def steps(self) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...], int, int, str]]:
        """Yield (before, after, axis, step, words) for every kind of single step up."""
        for g, (names, values) in enumerate(self.space.label_groups):
            if len(values) > 1:
                yield (*self._slices(g, slice(0, -1), slice(1, None)), g, 1, f"raising {names[0]}")
        for d, kinds in enumerate(self.space.data_groups):
            kind = kinds[0].lower().replace("_", " ")
            yield (
                *self._slices(self.data_axis + d, slice(0, 1), slice(1, 2)),
                self.data_axis + d,
                1,
                f"adding personal data of the kind {kind}",
            )
        for lo, hi, words in _media_steps(self.media):
            yield (*self._slices(self.media_axis, slice(lo, lo + 1), slice(hi, hi + 1)), self.media_axis, hi - lo, words)
        if len(self.space.chars) > 1:
            yield (*self._slices(self.chars_axis, slice(0, -1), slice(1, None)), self.chars_axis, 1, "more text")

    def point(self, index: Sequence[int]) -> _Point:
        groups = len(self.space.label_groups)
        levels = tuple(int(i) for i in index[:groups])
        data = tuple(bool(i) for i in index[groups : self.media_axis])
        return levels, data, self.media[int(index[self.media_axis])], int(index[self.chars_axis])

    def first_violation(self, rules: Sequence[Rule]) -> Counterexample | None:
        import numpy as np

        for before, after, axis, step, words in self.steps():
            worse = self._worse(before, after)
            if not worse.any():
                continue
            where = [int(i) for i in np.argwhere(worse)[0]]
            start = [int(i) + (s.start or 0) for i, s in zip(where, before, strict=True)]
            end = list(start)
            end[axis] += step
            a, b = self.point(start), self.point(end)
            facts_before, facts_after = _facts(self.space, self.context, a), _facts(self.space, self.context, b)
            was, now = first_match(rules, facts_before), first_match(rules, facts_after)
            if protects_at_least(now, was, images=facts_before.images > 0):
                raise AssertionError("the monotonicity check disagrees with first_match()")
            change = words
            if axis < len(self.space.label_groups):
                values = self.space.label_groups[axis][1]
                change = f"{words} from {values[start[axis]]:.2f} to {values[end[axis]]:.2f}"
            elif axis == self.chars_axis:
                change = f"more text ({self.space.chars[end[axis]]} characters instead of {self.space.chars[start[axis]]})"
            return Counterexample(change, facts_before, facts_after, was, now, _aspects(self.space))
        return None


def monotonicity_counterexample(rules: Sequence[Rule], limit: int = LIMIT) -> Counterexample | None:
    """Return a request and a more sensitive one that the rules protect less, or None.

    Raises TooManyCombinations when the rules tell more than `limit` kinds of request apart.
    """
    enabled = [r for r in rules if r.enabled]
    space = _space(enabled)
    contexts: dict[tuple[object, ...], _Context] = {}
    for device, category, presence, moment, general in itertools.product(
        space.devices, space.categories, space.presences, space.moments, space.general_levels
    ):
        # Contexts in which the same rules' device, category, presence and time conditions
        # hold are decided alike: one of them stands for all.
        probe = Facts(device, category, {}, frozenset(), 0, 0, 0, moment, presence, "chat", 0)
        signature = (general, *(_context_holds(r.conditions, probe) for r in enabled))
        contexts.setdefault(signature, (device, category, presence, moment, general))
    size = math.prod(len(v) for _, v in space.label_groups) * 2 ** len(space.data_groups) * len(_media_states(space)) * len(space.chars)
    if size * len(contexts) > limit:
        raise TooManyCombinations(f"the rules tell {size * len(contexts):,} kinds of request apart; at most {limit:,} are checked")
    for context in contexts.values():
        found = _Lattice(enabled, space, context).first_violation(enabled)
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
        if d.jurisdictions:
            extra.append(d.jurisdictions.describe())
        if d.require_zdr:
            extra.append("zero data retention needed")
    return d.explanation + (f" ({'; '.join(extra)})" if extra else "")
