"""Household rules: ordered, first match wins, ending in "keep it home".

Rules are data (validated dictionaries, stored as JSON, imported and exported as YAML),
never code: nothing in a rule is evaluated, templated or run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from devices.choices import TIER_RANK, Category
from policies.classification.text import LABELS, SENSITIVE
from policies.detectors import KINDS
from policies.priorities import ANYWHERE, Jurisdictions, LimitError, parse_jurisdictions

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REQUEST_KINDS = ("chat", "completion", "embedding", "vision")
DATA_ACTIONS = ("redact", "keep", "block")
PRESENCE = ("home", "away")
TIERS = tuple(TIER_RANK)


class RuleError(ValueError):
    """A rule that cannot be accepted, with a message for the household."""


@dataclass(frozen=True)
class TimeWindow:
    start: dt.time
    end: dt.time  # may be before start: the window crosses midnight
    days: frozenset[str]

    def contains(self, moment: dt.datetime) -> bool:
        day = DAYS[moment.weekday()]
        now = moment.time()
        if self.start <= self.end:
            return day in self.days and self.start <= now < self.end
        # Across midnight: the part after midnight belongs to the previous day's window.
        if now >= self.start:
            return day in self.days
        return now < self.end and DAYS[(moment.weekday() - 1) % 7] in self.days


@dataclass(frozen=True)
class Conditions:
    """All given conditions must hold; within a list, any item may."""

    devices: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    # Any label at or above its confidence. `general` is the absence of sensitivity: see general_score.
    labels: tuple[tuple[str, float], ...] = ()
    data: frozenset[str] = frozenset()  # any of these kinds of personal data present
    images: bool | None = None
    people: bool | None = None
    faces: bool | None = None
    time: TimeWindow | None = None
    presence: str | None = None
    kinds: frozenset[str] = frozenset()
    min_chars: int | None = None
    max_chars: int | None = None


@dataclass(frozen=True)
class Actions:
    max_tier: str = "home"
    prefer: str | None = None
    data: tuple[tuple[str, str], ...] = ()  # kind -> redact | keep | block; unlisted kinds are redacted
    blur_faces: bool = False
    block: str | None = None  # refuse with this message
    keep_prompt_days: int = 0  # opt-in: keep the prompt's text in the audit log this many days
    rate_per_minute: int = 0  # per device; 0 means no limit
    monthly_budget: float = 0.0  # per device, spent outside the home this month; 0 means none
    jurisdictions: Jurisdictions = ANYWHERE  # where data may be processed outside the house
    require_zdr: bool = False  # the cloud tier too only where zero data retention is on record


@dataclass(frozen=True)
class Rule:
    name: str
    conditions: Conditions
    actions: Actions
    enabled: bool = True


@dataclass(frozen=True)
class Facts:
    """What is known about one request when the rules are applied: never its text."""

    device: str
    category: str
    labels: Mapping[str, float]
    data: frozenset[str]
    images: int
    people: int
    faces: int
    moment: dt.datetime  # in the household's time zone
    presence: str  # home | away | unknown
    kind: str  # chat | completion | embedding | vision
    chars: int
    # Known to the request path, not to a rule's conditions: see policies.decision.decide.
    device_max_tier: str = "cloud"
    failed: str = ""  # why screening failed; a request that could not be screened stays home
    requests_this_minute: int = 0  # this device's, this one included
    spent_this_month: float = 0.0  # this device's, outside the home, in the household's month


@dataclass(frozen=True)
class Decision:
    """What a rule decided, as the serving worker needs it (plain data, no values)."""

    rule: str
    max_tier: str
    prefer: str | None
    redact: tuple[str, ...]  # kinds replaced by placeholders when the request leaves home
    blocked: str  # non-empty: refuse with this message
    blur_faces: bool
    explanation: str = ""
    keep_prompt_days: int = 0
    rate_per_minute: int = 0
    monthly_budget: float = 0.0
    blocked_status: int = 403  # 429 when a rate limit refused it
    jurisdictions: Jurisdictions = ANYWHERE  # the rule's limits, with the household's per tier (gateway.router.plan)
    require_zdr: bool = False


DEFAULT_RULE = Rule(
    "Private until proven otherwise",
    Conditions(),
    Actions(max_tier="home"),
)


# --- parsing and validation --------------------------------------------------------------


def _strings(value: Any, name: str, allowed: Sequence[str] | None = None) -> frozenset[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
        raise RuleError(f"'{name}' must be a list of names")
    if allowed is not None:
        unknown = sorted(set(items) - set(allowed))
        if unknown:
            raise RuleError(f"'{name}' has unknown values {', '.join(unknown)}; choose from {', '.join(allowed)}")
    return frozenset(items)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise RuleError(f"'{name}' must be true or false")
    return value


def _clock(value: Any, name: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise RuleError(f"'{name}' must be a time like 22:00") from None


def _tier(value: Any, name: str) -> str:
    if value not in TIERS:
        raise RuleError(f"'{name}' must be one of {', '.join(TIERS)}")
    return str(value)


def parse_conditions(raw: Mapping[str, Any]) -> Conditions:
    """Validate a rule's conditions."""
    known = set(Conditions.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise RuleError(f"unknown condition {', '.join(unknown)}; conditions are {', '.join(sorted(known))}")
    out: dict[str, Any] = {}
    if "devices" in raw:
        out["devices"] = _strings(raw["devices"], "devices")
    if "categories" in raw:
        out["categories"] = _strings(raw["categories"], "categories", Category.values)
    if "labels" in raw:
        labels = raw["labels"]
        if not isinstance(labels, Mapping) or not labels:
            raise RuleError("'labels' must map labels to a minimum confidence, e.g. {health: 0.6}")
        pairs = []
        for label, minimum in labels.items():
            if label not in LABELS:
                raise RuleError(f"unknown label {label}; labels are {', '.join(LABELS)}")
            if isinstance(minimum, bool) or not isinstance(minimum, (int, float)) or not 0 <= minimum <= 1:
                raise RuleError(f"the confidence for {label} must be between 0 and 1")
            if label == "general" and minimum == 0:
                # general >= 0 holds for every request, however sensitive: say so rather than mean it.
                raise RuleError("general at 0 holds for every request, even a sensitive one; leave out the label condition instead")
            pairs.append((str(label), float(minimum)))
        out["labels"] = tuple(sorted(pairs))
    if "data" in raw:
        out["data"] = _strings(raw["data"], "data", KINDS)
    for name in ("images", "people", "faces"):
        if name in raw:
            out[name] = _flag(raw[name], name)
    if "time" in raw:
        window = raw["time"]
        if not isinstance(window, Mapping) or "from" not in window or "to" not in window:
            raise RuleError("'time' needs 'from' and 'to', e.g. {from: '22:00', to: '06:00', days: [mon, tue]}")
        days = _strings(window.get("days", list(DAYS)), "time.days", DAYS)
        out["time"] = TimeWindow(_clock(window["from"], "time.from"), _clock(window["to"], "time.to"), days)
    if "presence" in raw:
        if raw["presence"] not in PRESENCE:
            raise RuleError("'presence' must be home or away")
        out["presence"] = raw["presence"]
    if "kinds" in raw:
        out["kinds"] = _strings(raw["kinds"], "kinds", REQUEST_KINDS)
    for name in ("min_chars", "max_chars"):
        if name in raw:
            if isinstance(raw[name], bool) or not isinstance(raw[name], int) or raw[name] < 0:
                raise RuleError(f"'{name}' must be a whole number of characters")
            out[name] = raw[name]
    return Conditions(**out)


def parse_actions(raw: Mapping[str, Any]) -> Actions:
    """Validate a rule's actions."""
    known = set(Actions.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise RuleError(f"unknown action {', '.join(unknown)}; actions are {', '.join(sorted(known))}")
    out: dict[str, Any] = {}
    if "block" in raw:
        if not isinstance(raw["block"], str) or not raw["block"].strip() or len(raw["block"]) > 300:
            raise RuleError("'block' must be the message the device receives (at most 300 characters)")
        out["block"] = raw["block"].strip()
    elif "max_tier" not in raw:
        raise RuleError("a rule needs 'max_tier' (home, trusted or cloud) or 'block'")
    if "max_tier" in raw:
        out["max_tier"] = _tier(raw["max_tier"], "max_tier")
    if raw.get("prefer") is not None:
        out["prefer"] = _tier(raw["prefer"], "prefer")
        if TIER_RANK[out["prefer"]] > TIER_RANK[out.get("max_tier", "home")]:
            raise RuleError("'prefer' cannot be less trusted than 'max_tier'")
    if "data" in raw:
        data = raw["data"]
        if not isinstance(data, Mapping):
            raise RuleError("'data' must map kinds of personal data to redact, keep or block")
        pairs = []
        for kind, action in data.items():
            if kind not in KINDS:
                raise RuleError(f"unknown kind of personal data {kind}; kinds are {', '.join(KINDS)}")
            if action not in DATA_ACTIONS:
                raise RuleError(f"the action for {kind} must be redact, keep or block")
            pairs.append((str(kind), str(action)))
        out["data"] = tuple(sorted(pairs))
    for name in ("blur_faces", "require_zdr"):
        if name in raw:
            out[name] = _flag(raw[name], name)
    if "jurisdictions" in raw:
        try:
            out["jurisdictions"] = parse_jurisdictions(raw["jurisdictions"])
        except LimitError as exc:
            raise RuleError(str(exc)) from None
    for name, hi in (("keep_prompt_days", 3650), ("rate_per_minute", 100_000)):
        if name in raw:
            if isinstance(raw[name], bool) or not isinstance(raw[name], int) or not 0 <= raw[name] <= hi:
                raise RuleError(f"'{name}' must be a whole number from 0 to {hi}")
            out[name] = raw[name]
    if "monthly_budget" in raw:
        budget = raw["monthly_budget"]
        if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not 0 <= budget <= 1_000_000:
            raise RuleError("'monthly_budget' must be an amount from 0 to 1000000")
        out["monthly_budget"] = float(budget)
    return Actions(**out)


def parse_rule(name: str, conditions: Mapping[str, Any], actions: Mapping[str, Any], enabled: bool = True) -> Rule:
    """Validate a whole rule; raise RuleError with a message for the household."""
    if not isinstance(name, str) or not name.strip() or len(name) > 80:
        raise RuleError("a rule needs a name of at most 80 characters")
    if not isinstance(conditions, Mapping) or not isinstance(actions, Mapping):
        raise RuleError("conditions and actions must be mappings")
    return Rule(name.strip(), parse_conditions(conditions), parse_actions(actions), enabled)


# --- evaluation ------------------------------------------------------------------------------


def general_score(labels: Mapping[str, float]) -> float:
    """Return how generic a request is: never more than 1 minus its highest sensitive score.

    So `labels: {general: N}` holds only while no sensitive label is above 1 - N (at 0.5:
    none above 0.5): looking generic cannot out-vote a sensitive label, and raising one can
    only lower it.
    """
    highest = max((labels.get(label, 0.0) for label in SENSITIVE), default=0.0)
    return min(labels.get("general", 0.0), 1.0 - highest)


def label_score(labels: Mapping[str, float], label: str) -> float:
    """Return the score a rule's label condition reads."""
    return general_score(labels) if label == "general" else labels.get(label, 0.0)


def _why(c: Conditions, f: Facts) -> list[str] | None:
    """Return the reasons a rule's conditions hold, or None when they do not."""
    reasons: list[str] = []
    if c.devices:
        if f.device not in c.devices:
            return None
        reasons.append(f"the device is {f.device}")
    if c.categories:
        if f.category not in c.categories:
            return None
        reasons.append(f"the device is a {Category(f.category).label.lower()}")
    if c.labels:
        hits = [(label, label_score(f.labels, label)) for label, minimum in c.labels if label_score(f.labels, label) >= minimum]
        if not hits:
            return None
        reasons += [f"label {label} {score:.2f}" for label, score in hits]
    if c.data:
        present = sorted(c.data & f.data)
        if not present:
            return None
        reasons.append("it contains " + ", ".join(k.lower().replace("_", " ") for k in present))
    if c.images is not None and (f.images > 0) != c.images:
        return None
    if c.people is not None and (f.people > 0) != c.people:
        return None
    if c.faces is not None and (f.faces > 0) != c.faces:
        return None
    if c.images or c.people or c.faces:
        reasons.append(f"{f.images} image(s), {f.people} people, {f.faces} face(s)")
    if c.time is not None:
        if not c.time.contains(f.moment):
            return None
        reasons.append(f"it is {f.moment:%a %H:%M}")
    if c.presence is not None:
        if f.presence != c.presence:
            return None
        reasons.append("nobody is home" if c.presence == "away" else "someone is home")
    if c.kinds:
        if f.kind not in c.kinds:
            return None
        reasons.append(f"a {f.kind} request")
    if c.min_chars is not None and f.chars < c.min_chars:
        return None
    if c.max_chars is not None and f.chars > c.max_chars:
        return None
    return reasons


def _verb(tier: str) -> str:
    return {"home": "stays home", "trusted": "may go to a trusted provider", "cloud": "may go to the cloud"}[tier]


def first_match(rules: Sequence[Rule], facts: Facts, device_max_tier: str = "cloud") -> Decision:
    """Apply the first matching enabled rule; the default keeps the request home.

    The rules alone: policies.decision.decide adds what the request path knows besides
    (a failed screening, rate limits, budgets) and is what a request is decided by.
    """
    for rule in [*(r for r in rules if r.enabled), DEFAULT_RULE]:
        reasons = _why(rule.conditions, facts)
        if reasons is None:
            continue
        a = rule.actions
        data_actions = dict(a.data)
        blocked_data = sorted(k for k in facts.data if data_actions.get(k) == "block")
        max_tier = a.max_tier
        if TIER_RANK[device_max_tier] < TIER_RANK[max_tier]:
            max_tier = device_max_tier
            reasons.append(f"the device may use at most {device_max_tier}")
        where = f"rule '{rule.name}' matched" + (", " + "; ".join(reasons) if reasons else "")
        if a.block:
            return Decision(rule.name, "home", None, (), a.block, False, f"blocked: {where}")
        if blocked_data:
            message = f"This request contains {', '.join(k.lower().replace('_', ' ') for k in blocked_data)}, which the household's rules do not let through."
            return Decision(rule.name, "home", None, (), message, False, f"blocked: {where}")
        redact = tuple(k for k in KINDS if data_actions.get(k, "redact") == "redact")
        prefer = a.prefer if a.prefer and TIER_RANK[a.prefer] <= TIER_RANK[max_tier] else None
        return Decision(
            rule.name, max_tier, prefer, redact, "", a.blur_faces, f"{_verb(max_tier)}: {where}",
            a.keep_prompt_days, a.rate_per_minute, a.monthly_budget, jurisdictions=a.jurisdictions, require_zdr=a.require_zdr,
        )  # fmt: skip
    raise AssertionError("the default rule always matches")


# --- warnings for the editor -----------------------------------------------------------------


def warnings(rules: Sequence[Rule], tiers_with_providers: set[str]) -> list[str]:
    """Return warnings about rules: never matching, shadowed, or allowing a tier with no provider."""
    found: list[str] = []
    enabled = [r for r in rules if r.enabled]
    for i, rule in enumerate(enabled):
        c = rule.conditions
        if c.min_chars is not None and c.max_chars is not None and c.min_chars > c.max_chars:
            found.append(f"'{rule.name}' can never match: min_chars is above max_chars.")
        if c.time is not None and not c.time.days:
            found.append(f"'{rule.name}' can never match: its time window has no days.")
        if (c.faces and c.images is False) or (c.people and c.images is False):
            found.append(f"'{rule.name}' can never match: it asks for people or faces without images.")
        for earlier in enabled[:i]:
            if _covers(earlier.conditions, c):
                found.append(f"'{rule.name}' is shadowed by the earlier rule '{earlier.name}', which matches everything it does.")
                break
        if not rule.actions.block:
            missing = [
                t for t in TIERS if TIER_RANK[t] <= TIER_RANK[rule.actions.max_tier] and t != "home" and t not in tiers_with_providers
            ]
            if rule.actions.max_tier in missing:
                found.append(
                    f"'{rule.name}' allows the {rule.actions.max_tier} tier, but no {rule.actions.max_tier} provider is configured."
                )
    return found


def _covers(a: Conditions, b: Conditions) -> bool:
    """Return True when every request matching b also matches a (a conservative check)."""
    for name in ("devices", "categories", "data", "kinds"):
        sa, sb = getattr(a, name), getattr(b, name)
        if sa and (not sb or not sb <= sa):
            return False
    if a.labels:
        if not b.labels:
            return False
        mins_a = dict(a.labels)
        # b matches when any of its labels reaches its minimum; a covers that only if a
        # accepts each of those labels at the same or a lower confidence.
        if any(label not in mins_a or mins_a[label] > m for label, m in b.labels):
            return False
    for name in ("images", "people", "faces", "presence"):
        if getattr(a, name) is not None and getattr(a, name) != getattr(b, name):
            return False
    if a.time is not None and a.time != b.time:
        return False
    if a.min_chars is not None and (b.min_chars is None or b.min_chars < a.min_chars):
        return False
    return not (a.max_chars is not None and (b.max_chars is None or b.max_chars > a.max_chars))
