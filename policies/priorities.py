"""The household's priorities and limits for choosing a provider, as data it sets in the admin.

Priorities are weights (privacy, cost, speed, quality) chosen as one of a few plain presets;
limits are where data may be processed (jurisdictions allowed or denied, per tier). The
router (gateway.router.plan) applies the limits before any score and ranks by the weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

# Member states' ISO codes: a provider recorded in DE is in the EU for "only in the EU".
EU = frozenset(
    ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"]
)  # fmt: skip
GROUPS = {"EU": EU}
OUTSIDE = ("trusted", "cloud")  # the tiers whose data leaves the house; home is the house


class LimitError(ValueError):
    """Limits that cannot be accepted, with a message for the household."""


@dataclass(frozen=True)
class Weights:
    """How much each concern counts when ranking the providers the limits leave."""

    privacy: float
    cost: float
    speed: float
    quality: float


@dataclass(frozen=True)
class Preset:
    name: str
    label: StrOrPromise  # in words, in the page's language
    phrase: str  # how the decision's sentence says it chose ("cheapest that fits")
    weights: Weights
    # "Prefer local inference unless the quality gap exceeds this": the home model counts as
    # able to answer when it falls this many points (of 10) short of what the task needs.
    home_margin: int = 0


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "home_first",
            gettext_lazy("Keep it home whenever it can answer well"),
            "kept home where it answers well",
            Weights(3.0, 0.5, 0.5, 1.0),
            1,
        ),
        Preset("cheapest", gettext_lazy("Cheapest that is good enough"), "cheapest that fits", Weights(0.5, 3.0, 0.5, 1.0)),
        Preset("fastest", gettext_lazy("Fastest"), "fastest that fits", Weights(0.5, 0.5, 3.0, 1.0)),
        Preset("best", gettext_lazy("Best answer, wherever the rules allow"), "best answer allowed", Weights(0.5, 0.5, 0.5, 3.0)),
    )
}
DEFAULT_PRESET = "home_first"
CHOICES = [(p.name, p.label) for p in PRESETS.values()]


@dataclass(frozen=True)
class Jurisdictions:
    """Where data may be processed: allowed (empty: anywhere not denied) and denied codes."""

    allow: frozenset[str] = frozenset()
    deny: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.allow or self.deny)

    def refuses(self, where: str) -> str:
        """Return why a provider processing data in `where` is refused, or "" when it is not."""
        code = where.strip().upper()
        if not code:
            return "its jurisdiction is not recorded"
        if any(inside(code, d) for d in self.deny):
            return f"it is in {code}, which is denied"
        if self.allow and not any(inside(code, a) for a in self.allow):
            return f"it is in {code}, outside {' or '.join(sorted(self.allow))}"
        return ""

    def describe(self) -> str:
        parts = [f"only in {' or '.join(sorted(self.allow))}"] if self.allow else []
        parts += [f"never in {', '.join(sorted(self.deny))}"] if self.deny else []
        return "; ".join(parts)


ANYWHERE = Jurisdictions()


def inside(code: str, listed: str) -> bool:
    """Say whether a jurisdiction code is the listed one or a member of it (DE is in EU)."""
    return code == listed or code in GROUPS.get(listed, frozenset())


def _codes(value: Any, name: str) -> frozenset[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
        raise LimitError(f"'{name}' must be a list of jurisdiction codes, e.g. [EU, CH]")
    codes = frozenset(v.strip().upper() for v in items)
    bad = sorted(c for c in codes if not (c.isalpha() and 2 <= len(c) <= 3))
    if bad:
        raise LimitError(f"'{name}' has {', '.join(bad)}: a jurisdiction is a two-letter country code or EU")
    return codes


def parse_jurisdictions(raw: Any, name: str = "jurisdictions") -> Jurisdictions:
    """Validate {allow: [...], deny: [...]}."""
    if raw in (None, ""):
        return ANYWHERE
    if not isinstance(raw, Mapping):
        raise LimitError(f"'{name}' must have allow and/or deny lists, e.g. {{allow: [EU]}}")
    unknown = sorted(set(raw) - {"allow", "deny"})
    if unknown:
        raise LimitError(f"'{name}' takes allow and deny, not {', '.join(unknown)}")
    limits = Jurisdictions(_codes(raw.get("allow", []), f"{name}.allow"), _codes(raw.get("deny", []), f"{name}.deny"))
    if limits.allow and limits.allow <= limits.deny:
        raise LimitError(f"'{name}' denies everything it allows")
    return limits


def parse_tiers(raw: Any) -> dict[str, Jurisdictions]:
    """Validate the household's limits per tier: {trusted: {allow: [EU]}, cloud: {deny: [US]}}."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, Mapping):
        raise LimitError("the jurisdiction limits must be given per tier (trusted, cloud)")
    unknown = sorted(set(raw) - set(OUTSIDE))
    if unknown:
        raise LimitError(f"jurisdiction limits are set for trusted and cloud, not {', '.join(unknown)}")
    return {tier: limits for tier in OUTSIDE if (limits := parse_jurisdictions(raw.get(tier), tier))}


@dataclass(frozen=True)
class Priorities:
    """The household's priorities and its limits per tier, as the router reads them."""

    choice: Preset = PRESETS[DEFAULT_PRESET]
    tiers: Mapping[str, Jurisdictions] = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, tiers: Any = None) -> Priorities:
        """Return the named preset (the default for a name no longer known) with these limits."""
        return cls(PRESETS.get(name, PRESETS[DEFAULT_PRESET]), parse_tiers(tiers))

    @classmethod
    def preset(cls, name: str) -> Priorities:
        """Return a preset by name, with no limits (KeyError for an unknown name)."""
        return cls(PRESETS[name])

    @property
    def weights(self) -> Weights:
        return self.choice.weights


DEFAULT_PRIORITIES = Priorities()
