"""The household's rules in words: labels, kinds of data and tiers by name, each rule as a sentence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from devices.choices import TIER_RANK, Category
from policies.classification.text import LABEL_NAMES
from policies.rules import DAYS, Actions, Conditions, Rule

# The detectors' kinds of personal data, as a household says them.
KIND_NAMES: dict[str, str] = {
    "PERSON": "names of people",
    "EMAIL": "e-mail addresses",
    "PHONE": "phone numbers",
    "ADDRESS": "street addresses",
    "CARD": "card numbers",
    "IBAN": "bank account numbers (IBAN)",
    "NATIONAL_ID": "identity numbers (passport, ID card, social security)",
    "DOB": "dates of birth",
    "AGE": "ages",
    "IP": "IP addresses",
    "MAC": "MAC addresses",
    "URL_CREDENTIALS": "passwords inside links",
    "SECRET": "passwords, keys and tokens",
    "GPS": "GPS coordinates",
    "HOUSEHOLD": "the household's own private terms",
    "LOCATION": "places (cities, regions, countries)",
    "ORGANIZATION": "organisations (schools, employers, clinics)",
    "DATE": "dates and times",
    "NRP": "nationalities, religions and political groups",
}
DAY_NAMES = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}
REQUEST_KIND_NAMES = {"chat": "chat", "completion": "text completion", "embedding": "embedding", "vision": "image"}
TIER_WHERE = {"home": "stays home", "trusted": "may go to a trusted provider", "cloud": "may go to the cloud"}
TIER_NAMES = {"home": "home", "trusted": "a trusted provider", "cloud": "the cloud"}
BUILT_IN_NAME = "Private until proven otherwise"
BUILT_IN_SENTENCE = "Everything no rule above matches stays home (built in, always last)."


def label_name(label: str) -> str:
    """Return a label's name for people; an id this box does not know is shown as it is."""
    return LABEL_NAMES.get(label, label)


def kind_name(kind: str) -> str:
    """Return a kind of personal data in words."""
    return KIND_NAMES.get(kind, kind.lower().replace("_", " "))


def _or(items: Iterable[str]) -> str:
    listed = list(items)
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " or " + listed[-1]


def _and(items: Iterable[str]) -> str:
    listed = list(items)
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


def _days(days: frozenset[str]) -> str:
    if days == frozenset(DAYS):
        return "every day"
    if days == frozenset(DAYS[:5]):
        return "Mon to Fri"
    if days == frozenset(DAYS[5:]):
        return "at weekends"
    return "on " + ", ".join(DAY_NAMES[d] for d in DAYS if d in days)


def _media(c: Conditions) -> str:
    parts = []
    if c.images is not None:
        parts.append("it has an image" if c.images else "it has no image")
    if c.people is not None:
        parts.append("people are in it" if c.people else "no people are in it")
    if c.faces is not None:
        parts.append("faces are in it" if c.faces else "no faces are in it")
    return _and(parts) if parts else ""


def conditions_in_words(c: Conditions, zone: str) -> str:
    """Return when a rule holds, as a phrase ("kids' devices, when nobody is home")."""
    parts: list[str] = []
    if c.devices:
        parts.append("from " + _or(sorted(c.devices)))
    if c.categories:
        names = [Category(x).label.lower() if x in Category.values else x for x in sorted(c.categories)]
        parts.append("from a " + _or(names))
    if c.labels:
        general = dict(c.labels).get("general")
        minimums = {minimum for label, minimum in c.labels}
        if general is not None and len(c.labels) == 1:
            parts.append(f"that look generic, no sensitive label above {round((1 - general) * 100)} %")
        elif len(minimums) == 1 and len(c.labels) > 1:
            # One confidence for every label (as presets have it) is said once.
            named = _or(label_name(label).lower() for label, _ in c.labels)
            parts.append(f"about {named} (each at least {round(minimums.pop() * 100)} %)")
        else:
            parts.append("about " + _or(f"{label_name(label).lower()} (at least {round(minimum * 100)} %)" for label, minimum in c.labels))
    if c.data:
        parts.append("containing " + _or(kind_name(k) for k in sorted(c.data)))
    media = _media(c)
    if media:
        parts.append("where " + media)
    if c.time is not None:
        parts.append(f"between {c.time.start:%H:%M} and {c.time.end:%H:%M} {_days(c.time.days)} ({zone} time)")
    if c.presence == "away":
        parts.append("while nobody is home")
    elif c.presence == "home":
        parts.append("while someone is home")
    if c.kinds:
        parts.append("of kind " + _or(REQUEST_KIND_NAMES.get(k, k) for k in sorted(c.kinds)))
    if c.min_chars is not None:
        parts.append(f"of at least {c.min_chars} characters")
    if c.max_chars is not None:
        parts.append(f"of at most {c.max_chars} characters")
    return "requests " + ", ".join(parts) if parts else "every request"


def actions_in_words(a: Actions, currency: str = "") -> str:
    """Return what a rule does, as a phrase ("may go to a trusted provider, redacted; prefer home")."""
    if a.block:
        return f"refused, with the message “{a.block}”"
    parts = [TIER_WHERE[a.max_tier]]
    data = dict(a.data)
    if a.max_tier != "home":
        kept = sorted(k for k, v in data.items() if v == "keep")
        parts[0] += ", personal data replaced" + (f" except {_and(kind_name(k) for k in kept)}" if kept else "")
    blocked = sorted(k for k, v in data.items() if v == "block")
    if blocked:
        parts.append("refused if it contains " + _or(kind_name(k) for k in blocked))
    if a.blur_faces:
        parts.append("faces blurred")
    if a.max_tier != "home" and a.jurisdictions:
        parts.append(a.jurisdictions.describe().replace("only in", "only to providers in").replace("never in", "never to providers in"))
    if a.max_tier == "cloud" and a.require_zdr:
        parts.append("only where zero data retention is on record")
    sentence = ", ".join(parts)
    if a.prefer and a.prefer != a.max_tier:
        sentence += f"; prefer {TIER_NAMES[a.prefer]}"
    extras = []
    if a.keep_prompt_days:
        extras.append(f"its text kept in the audit log for {a.keep_prompt_days} days")
    if a.rate_per_minute:
        extras.append(f"at most {a.rate_per_minute} a minute per device")
    if a.monthly_budget:
        extras.append(f"at most {currency + ' ' if currency else ''}{a.monthly_budget:g} a month per device outside the home")
    if extras:
        sentence += "; " + "; ".join(extras)
    return sentence


def sentence(rule: Rule, zone: str, currency: str = "") -> str:
    """Return a rule as one sentence."""
    text = conditions_in_words(rule.conditions, zone) + ": " + actions_in_words(rule.actions, currency)
    return text[0].upper() + text[1:] + "."


@dataclass(frozen=True)
class PresetMatch:
    name: str  # the preset's id, '' for rules of the household's own
    title: str
    changed: bool  # the rules started from the preset and were changed since


def _same(stored: Mapping[str, Any], shipped: Mapping[str, Any]) -> bool:
    return (stored.get("conditions") or {}) == (shipped.get("conditions") or {}) and stored.get("name") == shipped.get("name")


def _rank(tier: Any) -> int:
    return TIER_RANK.get(str(tier), 0)


def _as_shipped(stored: Mapping[str, Any], shipped: Mapping[str, Any]) -> bool:
    """Return True when a rule's actions are the preset's, but for tiers lowered to the box's providers."""
    a, b = dict(stored.get("actions") or {}), dict(shipped.get("actions") or {})
    for key in ("max_tier", "prefer"):
        if key in b and _rank(a.get(key, "home")) > _rank(b[key]):
            return False
        a.pop(key, None)
        b.pop(key, None)
    return a == b and stored.get("enabled", True) == shipped.get("enabled", True)


def active_preset(rules: Sequence[Mapping[str, Any]], presets: Mapping[str, Mapping[str, Any]]) -> PresetMatch:
    """Say which preset the rules are: as shipped, changed since, or none.

    A preset's tiers are lowered to the providers the box had when it was applied
    (policies.services.apply_preset), so a lower tier than the preset's still counts as shipped.
    """
    best: tuple[int, str] = (0, "")
    for name, preset in presets.items():
        shipped = list(preset.get("rules") or [])
        same = sum(1 for r in rules if any(_same(r, s) for s in shipped))
        title = str(preset.get("title", name))
        if len(rules) == len(shipped) and all(_same(r, s) for r, s in zip(rules, shipped, strict=True)):
            return PresetMatch(name, title, changed=not all(_as_shipped(r, s) for r, s in zip(rules, shipped, strict=True)))
        if same > best[0]:
            best = (same, name)
    count, name = best
    if name and count * 2 >= len(rules):
        return PresetMatch(name, str(presets[name].get("title", name)), changed=True)
    return PresetMatch("", "", changed=False)
