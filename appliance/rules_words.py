"""The household's rules in words: labels, kinds of data and tiers by name, each rule as a sentence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from devices.choices import TIER_RANK, Category
from policies.classification.text import LABEL_NAMES
from policies.priorities import Jurisdictions
from policies.rules import DAYS, Actions, Conditions, Rule

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# The detectors' kinds of personal data, as a household says them.
KIND_NAMES: dict[str, StrPromise] = {
    "PERSON": gettext_lazy("names of people"),
    "EMAIL": gettext_lazy("e-mail addresses"),
    "PHONE": gettext_lazy("phone numbers"),
    "ADDRESS": gettext_lazy("street addresses"),
    "CARD": gettext_lazy("card numbers"),
    "IBAN": gettext_lazy("bank account numbers (IBAN)"),
    "NATIONAL_ID": gettext_lazy("identity numbers (passport, ID card, social security)"),
    "DOB": gettext_lazy("dates of birth"),
    "AGE": gettext_lazy("ages"),
    "IP": gettext_lazy("IP addresses"),
    "MAC": gettext_lazy("MAC addresses"),
    "URL_CREDENTIALS": gettext_lazy("passwords inside links"),
    "SECRET": gettext_lazy("passwords, keys and tokens"),
    "GPS": gettext_lazy("GPS coordinates"),
    "HOUSEHOLD": gettext_lazy("the household's own private terms"),
    "LOCATION": gettext_lazy("places (cities, regions, countries)"),
    "ORGANIZATION": gettext_lazy("organisations (schools, employers, clinics)"),
    "DATE": gettext_lazy("dates and times"),
    "NRP": gettext_lazy("nationalities, religions and political groups"),
}
DAY_NAMES: dict[str, StrPromise] = {
    "mon": pgettext_lazy("day, short", "Mon"),
    "tue": pgettext_lazy("day, short", "Tue"),
    "wed": pgettext_lazy("day, short", "Wed"),
    "thu": pgettext_lazy("day, short", "Thu"),
    "fri": pgettext_lazy("day, short", "Fri"),
    "sat": pgettext_lazy("day, short", "Sat"),
    "sun": pgettext_lazy("day, short", "Sun"),
}
REQUEST_KIND_NAMES: dict[str, StrPromise] = {
    "chat": pgettext_lazy("kind of request", "chat"),
    "completion": pgettext_lazy("kind of request", "text completion"),
    "embedding": pgettext_lazy("kind of request", "embedding"),
    "vision": pgettext_lazy("kind of request", "image"),
}
TIER_WHERE: dict[str, StrPromise] = {
    "home": gettext_lazy("stays home"),
    "trusted": gettext_lazy("may go to a trusted provider"),
    "cloud": gettext_lazy("may go to the cloud"),
}
TIER_NAMES: dict[str, StrPromise] = {
    "home": pgettext_lazy("tier, after 'prefer'", "home"),
    "trusted": gettext_lazy("a trusted provider"),
    "cloud": gettext_lazy("the cloud"),
}
# A tier's id as a word in a sentence ("Not used for trusted requests"): in English, the id itself.
TIER_WORDS: dict[str, StrPromise] = {
    "home": pgettext_lazy("tier", "home"),
    "trusted": pgettext_lazy("tier", "trusted"),
    "cloud": pgettext_lazy("tier", "cloud"),
}
BUILT_IN_NAME = gettext_lazy("Private until proven otherwise")
BUILT_IN_SENTENCE = gettext_lazy("Everything no rule above matches stays home (built in, always last).")


def label_name(label: str) -> str:
    """Return a label's name for people; an id this box does not know is shown as it is."""
    return str(LABEL_NAMES.get(label, label))


def kind_name(kind: str) -> str:
    """Return a kind of personal data in words."""
    return str(KIND_NAMES.get(kind, kind.lower().replace("_", " ")))


def in_sentence(name: str) -> str:
    """Return a label or kind's name as it reads inside a sentence: lower case, but German keeps its nouns capitalised."""
    return name if translation.get_language() == "de" else name.lower()


def tier_word(tier: str) -> str:
    """Return a tier's id as a word for a sentence; an unknown id is shown as it is."""
    return str(TIER_WORDS.get(tier, tier))


def _or(items: Iterable[str]) -> str:
    listed = [str(x) for x in items]
    if len(listed) == 1:
        return listed[0]
    # Translators: the end of a list of alternatives: "health, money or children".
    return _("%(items)s or %(last)s") % {"items": ", ".join(listed[:-1]), "last": listed[-1]}


def _and(items: Iterable[str]) -> str:
    listed = [str(x) for x in items]
    if len(listed) == 1:
        return listed[0]
    # Translators: the end of a list: "names of people, e-mail addresses and ages".
    return _("%(items)s and %(last)s") % {"items": ", ".join(listed[:-1]), "last": listed[-1]}


def _each_or(items: Iterable[str]) -> str:
    """Join with "or" between every two items ("CH or EU or US"), as policies' jurisdictions say them."""
    listed = [str(x) for x in items]
    joined = listed[0]
    for item in listed[1:]:
        joined = _("%(items)s or %(last)s") % {"items": joined, "last": item}
    return joined


def jurisdictions_in_words(limits: Jurisdictions, to_providers: bool = False) -> str:
    """Return where data may be processed ("only in EU; never in US"), in the page's language."""
    parts = []
    if limits.allow:
        places = _each_or(sorted(limits.allow))
        parts.append(
            _("only to providers in %(places)s") % {"places": places} if to_providers else _("only in %(places)s") % {"places": places}
        )
    if limits.deny:
        places = ", ".join(sorted(limits.deny))
        parts.append(
            _("never to providers in %(places)s") % {"places": places} if to_providers else _("never in %(places)s") % {"places": places}
        )
    return "; ".join(parts)


def _days(days: frozenset[str]) -> str:
    if days == frozenset(DAYS):
        return _("every day")
    if days == frozenset(DAYS[:5]):
        return _("Mon to Fri")
    if days == frozenset(DAYS[5:]):
        return _("at weekends")
    return _("on %(days)s") % {"days": ", ".join(str(DAY_NAMES[d]) for d in DAYS if d in days)}


def _media(c: Conditions) -> str:
    parts = []
    if c.images is not None:
        parts.append(_("it has an image") if c.images else _("it has no image"))
    if c.people is not None:
        parts.append(_("people are in it") if c.people else _("no people are in it"))
    if c.faces is not None:
        parts.append(_("faces are in it") if c.faces else _("no faces are in it"))
    return _and(parts) if parts else ""


def conditions_in_words(c: Conditions, zone: str) -> str:
    """Return when a rule holds, as a phrase ("kids' devices, when nobody is home")."""
    parts: list[str] = []
    if c.devices:
        parts.append(_("from %(devices)s") % {"devices": _or(sorted(c.devices))})
    if c.categories:
        names = [in_sentence(str(Category(x).label)) if x in Category.values else x for x in sorted(c.categories)]
        # Translators: "from a kids' device or camera": the kinds of device a rule is for.
        parts.append(_("from a %(kinds)s") % {"kinds": _or(names)})
    if c.labels:
        general = dict(c.labels).get("general")
        minimums = {minimum for label, minimum in c.labels}
        if general is not None and len(c.labels) == 1:
            percent = round((1 - general) * 100)
            parts.append(_("that look generic, no sensitive label above %(percent)d %%") % {"percent": percent})
        elif len(minimums) == 1 and len(c.labels) > 1:
            # One confidence for every label (as presets have it) is said once.
            named = _or(in_sentence(label_name(label)) for label, _minimum in c.labels)
            percent = round(minimums.pop() * 100)
            parts.append(_("about %(labels)s (each at least %(percent)d %%)") % {"labels": named, "percent": percent})
        else:
            each = (
                _("%(label)s (at least %(percent)d %%)") % {"label": in_sentence(label_name(label)), "percent": round(minimum * 100)}
                for label, minimum in c.labels
            )
            parts.append(_("about %(labels)s") % {"labels": _or(each)})
    if c.data:
        parts.append(_("containing %(kinds)s") % {"kinds": _or(kind_name(k) for k in sorted(c.data))})
    media = _media(c)
    if media:
        parts.append(_("where %(media)s") % {"media": media})
    if c.time is not None:
        window = {"start": f"{c.time.start:%H:%M}", "end": f"{c.time.end:%H:%M}", "days": _days(c.time.days), "zone": zone}
        parts.append(_("between %(start)s and %(end)s %(days)s (%(zone)s time)") % window)
    if c.presence == "away":
        parts.append(_("while nobody is home"))
    elif c.presence == "home":
        parts.append(_("while someone is home"))
    if c.kinds:
        parts.append(_("of kind %(kinds)s") % {"kinds": _or(str(REQUEST_KIND_NAMES.get(k, k)) for k in sorted(c.kinds))})
    if c.min_chars is not None:
        # Translators: the English says "characters" for one too; translate the singular as your language says it.
        parts.append(ngettext("of at least %(n)d characters", "of at least %(n)d characters", c.min_chars) % {"n": c.min_chars})
    if c.max_chars is not None:
        # Translators: the English says "characters" for one too; translate the singular as your language says it.
        parts.append(ngettext("of at most %(n)d characters", "of at most %(n)d characters", c.max_chars) % {"n": c.max_chars})
    return _("requests %(conditions)s") % {"conditions": ", ".join(parts)} if parts else _("every request")


def actions_in_words(a: Actions, currency: str = "") -> str:
    """Return what a rule does, as a phrase ("may go to a trusted provider, redacted; prefer home")."""
    if a.block:
        return _("refused, with the message “%(message)s”") % {"message": a.block}
    parts = [str(TIER_WHERE[a.max_tier])]
    data = dict(a.data)
    if a.max_tier != "home":
        kept = sorted(k for k, v in data.items() if v == "keep")
        if kept:
            parts[0] = _("%(where)s, personal data replaced except %(kinds)s") % {
                "where": parts[0],
                "kinds": _and(kind_name(k) for k in kept),
            }
        else:
            parts[0] = _("%(where)s, personal data replaced") % {"where": parts[0]}
    blocked = sorted(k for k, v in data.items() if v == "block")
    if blocked:
        parts.append(_("refused if it contains %(kinds)s") % {"kinds": _or(kind_name(k) for k in blocked)})
    if a.blur_faces:
        parts.append(_("faces blurred"))
    if a.max_tier != "home" and a.jurisdictions:
        parts.append(jurisdictions_in_words(a.jurisdictions, to_providers=True))
    if a.max_tier == "cloud" and a.require_zdr:
        parts.append(_("only where zero data retention is on record"))
    sentence = ", ".join(parts)
    if a.prefer and a.prefer != a.max_tier:
        sentence += "; " + _("prefer %(tier)s") % {"tier": TIER_NAMES[a.prefer]}
    extras = []
    if a.keep_prompt_days:
        n = a.keep_prompt_days
        # Translators: the English says "days" for one too; translate the singular as your language says it.
        extras.append(
            ngettext("its text kept in the audit log for %(n)d days", "its text kept in the audit log for %(n)d days", n) % {"n": n}
        )
    if a.rate_per_minute:
        extras.append(_("at most %(n)d a minute per device") % {"n": a.rate_per_minute})
    if a.monthly_budget:
        amount = f"{currency + ' ' if currency else ''}{a.monthly_budget:g}"
        extras.append(_("at most %(amount)s a month per device outside the home") % {"amount": amount})
    if extras:
        sentence += "; " + "; ".join(extras)
    return sentence


def sentence(rule: Rule, zone: str, currency: str = "") -> str:
    """Return a rule as one sentence."""
    # Translators: a rule as a sentence: when it holds, then what it does ("Requests from a camera: stays home").
    text = _("%(conditions)s: %(actions)s") % {
        "conditions": conditions_in_words(rule.conditions, zone),
        "actions": actions_in_words(rule.actions, currency),
    }
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
