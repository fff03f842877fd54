"""Verbs that change the household's rules: presets, import and export."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.db import transaction

from appliance.plumbing.versioned import Versioned
from devices.choices import TIER_RANK
from policies.decision import Household
from policies.models import HouseholdRule
from policies.priorities import DEFAULT_PRESET, OUTSIDE, Jurisdictions, LimitError, Priorities
from policies.rules import Rule, RuleError, parse_rule

log = logging.getLogger(__name__)
PRESETS = Path(__file__).resolve().parent / "presets"


def presets() -> dict[str, dict[str, Any]]:
    """Return the presets shipped with Hearth, by name."""
    found = {}
    for path in sorted(PRESETS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        found[data["name"]] = data
    return found


def load_rules() -> list[Rule]:
    """Return the household's rules in order."""
    return [r.spec() for r in HouseholdRule.objects.all()]


RULES = Versioned("rules", load_rules)


def cached_rules(version: str | None = None) -> list[Rule]:
    """Return the rules, re-read from the database only after they changed.

    `version`: their version token, when the web process read it for the request.
    """
    return RULES.get(version)


def _load_household() -> Household:
    # The household's settings are the box's own (gateway.services reads its privacy level so).
    from appliance.household import current
    from appliance.models import Household as Row

    row = Row.objects.filter(pk=1).values_list("priority", "jurisdictions").first()
    name, tiers = row or (DEFAULT_PRESET, {})
    try:
        chosen = Priorities.of(name, tiers)
    except LimitError as exc:
        # Saved through the admin's validation, so only a hand-edited row gets here: no
        # limit read is no limit at all, so nothing may leave until it is put right.
        log.warning("the household's jurisdiction limits cannot be read: %s", exc)
        unreadable = Jurisdictions(allow=frozenset({"the limits the household set (they cannot be read)"}))
        chosen = Priorities(Priorities.of(name).choice, dict.fromkeys(OUTSIDE, unreadable))
    return Household(current().zone, chosen)


# The settings the decision and the plan read (time zone, priorities, limits); read again as
# soon as the household changes.
HOUSEHOLD = Versioned("household", _load_household)


def household_zone() -> ZoneInfo:
    """Return the household's time zone, in which the rules' time windows are read."""
    return HOUSEHOLD.get().zone


def _fit(actions: dict[str, Any], tiers_with_providers: set[str]) -> dict[str, Any]:
    """Lower a preset's tiers to the most open tier this box has a provider for."""
    if "max_tier" not in actions:
        return actions
    usable = [t for t in TIER_RANK if t == "home" or t in tiers_with_providers]
    fitted = dict(actions)
    for key in ("max_tier", "prefer"):
        tier = fitted.get(key)
        if tier and tier not in usable:
            fitted[key] = max((t for t in usable if TIER_RANK[t] <= TIER_RANK[tier]), key=TIER_RANK.__getitem__)
    if fitted.get("prefer") == fitted["max_tier"] == "home":
        fitted.pop("prefer")
    return fitted


@transaction.atomic
def replace_rules(rules: list[dict[str, Any]], tiers_with_providers: set[str] | None = None) -> list[HouseholdRule]:
    """Replace all rules with these (validated first: a bad rule changes nothing)."""
    rows = []
    for position, raw in enumerate(rules):
        if not isinstance(raw, dict):
            raise RuleError(f"rule {position + 1} is not a mapping")
        actions = raw.get("actions") or {}
        if tiers_with_providers is not None:
            actions = _fit(actions, tiers_with_providers)
        parse_rule(raw.get("name", ""), raw.get("conditions") or {}, actions, raw.get("enabled", True))
        rows.append(
            HouseholdRule(
                position=position,
                name=raw["name"],
                enabled=raw.get("enabled", True),
                conditions=raw.get("conditions") or {},
                actions=actions,
            )
        )
    names = [r.name for r in rows]
    if len(set(names)) != len(names):
        raise RuleError("two rules have the same name")
    # Matched by name and saved one by one, not deleted and made anew: a rule the new list
    # keeps as it was is left alone, and the record of settings changes (gateway.settings_audit)
    # shows what changed in each rule, not every rule removed and added again.
    existing = {r.name: r for r in HouseholdRule.objects.all()}
    HouseholdRule.objects.filter(pk__in=[r.pk for name, r in existing.items() if name not in set(names)]).delete()
    kept = []
    for row in rows:
        old = existing.get(row.name)
        if old is None:
            row.save()
            kept.append(row)
            continue
        changed = [f for f in ("position", "enabled", "conditions", "actions") if getattr(old, f) != getattr(row, f)]
        for f in changed:
            setattr(old, f, getattr(row, f))
        if changed:
            old.save(update_fields=[*changed, "updated_at"])
        kept.append(old)
    return kept


def apply_preset(name: str, tiers_with_providers: set[str]) -> list[HouseholdRule]:
    """Replace the rules with a preset, fitted to the tiers this box has providers for."""
    preset = presets().get(name)
    if preset is None:
        raise RuleError(f"no preset named {name!r}; presets are {', '.join(presets())}")
    return replace_rules(preset["rules"], tiers_with_providers)


def export_yaml() -> str:
    """Return the rules as YAML, to keep or to edit."""
    rules = [{"name": r.name, "enabled": r.enabled, "conditions": r.conditions, "actions": r.actions} for r in HouseholdRule.objects.all()]
    return str(yaml.safe_dump({"rules": rules}, sort_keys=False, allow_unicode=True))


def import_yaml(text: str) -> list[HouseholdRule]:
    """Replace the rules with those in a YAML document (safe loader: data only)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleError(f"the file is not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RuleError("the file must hold a 'rules' list")
    return replace_rules(data["rules"])
