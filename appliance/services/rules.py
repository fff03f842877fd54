"""Verbs of the rules page: save one rule, reorder, remove.

Who changed what, with the old and new values, is written by gateway.settings_audit from
the rows' own saves, as for every household setting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gateway.models import Provider
from policies import services as rule_services
from policies.models import HouseholdRule
from policies.rules import RuleError, parse_rule


@dataclass(frozen=True)
class RuleData:
    name: str
    enabled: bool
    conditions: dict[str, Any]
    actions: dict[str, Any]


def tiers_with_providers() -> set[str]:
    """Return the tiers the box has an enabled provider for."""
    return set(Provider.objects.filter(enabled=True).values_list("tier", flat=True))


def _renumber(ids: Sequence[int]) -> None:
    for position, rule_id in enumerate(ids):
        HouseholdRule.objects.filter(pk=rule_id).exclude(position=position).update(position=position)


@transaction.atomic
def save_rule(rule_id: int | None, data: RuleData) -> HouseholdRule:
    """Add a rule at the end, or change one; raise RuleError for a rule that cannot be accepted."""
    spec = parse_rule(data.name, data.conditions, data.actions, data.enabled)
    clash = HouseholdRule.objects.filter(name=spec.name)
    if rule_id is not None:
        clash = clash.exclude(pk=rule_id)
    if clash.exists():
        raise RuleError(_("another rule is already called %(name)s") % {"name": repr(spec.name)})
    if rule_id is None:
        last = HouseholdRule.objects.order_by("-position").values_list("position", flat=True).first()
        rule = HouseholdRule(position=0 if last is None else last + 1)
    else:
        rule = HouseholdRule.objects.select_for_update().get(pk=rule_id)
    rule.name, rule.enabled, rule.conditions, rule.actions = spec.name, data.enabled, data.conditions, data.actions
    rule.save()
    return rule


@transaction.atomic
def move_rule(rule_id: int, step: int) -> None:
    """Move a rule up (step -1) or down (step 1) by one place."""
    ids = list(HouseholdRule.objects.select_for_update().values_list("pk", flat=True))
    if rule_id not in ids:
        return
    i = ids.index(rule_id)
    j = max(0, min(len(ids) - 1, i + step))
    ids[i], ids[j] = ids[j], ids[i]
    _renumber(ids)


@transaction.atomic
def reorder(order: Sequence[int]) -> None:
    """Put the rules in this order; raise RuleError unless it names every rule once."""
    ids = list(HouseholdRule.objects.select_for_update().values_list("pk", flat=True))
    if sorted(order) != sorted(ids):
        raise RuleError(_("the new order must name every rule once (the rules changed meanwhile: reload the page)"))
    _renumber(order)


@transaction.atomic
def remove_rule(rule_id: int) -> None:
    """Remove a rule."""
    HouseholdRule.objects.filter(pk=rule_id).delete()
    _renumber(list(HouseholdRule.objects.values_list("pk", flat=True)))


def apply_preset(name: str) -> int:
    """Replace the rules with a preset fitted to the box's providers; return how many rules it has."""
    return len(rule_services.apply_preset(name, tiers_with_providers()))


def import_rules(text: str) -> int:
    """Replace the rules with those of a YAML file; return how many rules it has."""
    return len(rule_services.import_yaml(text))
