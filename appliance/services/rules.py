"""Verbs of the rules page: save one rule, reorder, remove; each noted in the admin's history."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

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


def _record(by: AbstractBaseUser | None, rule: HouseholdRule, action: int, message: str) -> None:
    # Rules hold no personal data of their own, so the old and new values are written out whole.
    if by is not None and by.pk is not None:
        LogEntry.objects.log_actions(by.pk, [rule], action, change_message=message, single_object=True)


def _as_text(rule: HouseholdRule) -> str:
    return json.dumps({"enabled": rule.enabled, "conditions": rule.conditions, "actions": rule.actions}, sort_keys=True)


def _renumber(ids: Sequence[int]) -> None:
    for position, rule_id in enumerate(ids):
        HouseholdRule.objects.filter(pk=rule_id).exclude(position=position).update(position=position)


@transaction.atomic
def save_rule(rule_id: int | None, data: RuleData, by: AbstractBaseUser | None = None) -> HouseholdRule:
    """Add a rule at the end, or change one; raise RuleError for a rule that cannot be accepted."""
    spec = parse_rule(data.name, data.conditions, data.actions, data.enabled)
    clash = HouseholdRule.objects.filter(name=spec.name)
    if rule_id is not None:
        clash = clash.exclude(pk=rule_id)
    if clash.exists():
        raise RuleError(f"another rule is already called {spec.name!r}")
    if rule_id is None:
        last = HouseholdRule.objects.order_by("-position").values_list("position", flat=True).first()
        rule = HouseholdRule(position=0 if last is None else last + 1)
        before = ""
    else:
        rule = HouseholdRule.objects.select_for_update().get(pk=rule_id)
        before = f"{rule.name}: {_as_text(rule)}"
    rule.name, rule.enabled, rule.conditions, rule.actions = spec.name, data.enabled, data.conditions, data.actions
    rule.save()
    after = f"{rule.name}: {_as_text(rule)}"
    if before:
        _record(by, rule, CHANGE, f"Changed on the rules page from {before} to {after}")
    else:
        _record(by, rule, ADDITION, f"Added on the rules page: {after}")
    return rule


@transaction.atomic
def move_rule(rule_id: int, step: int, by: AbstractBaseUser | None = None) -> None:
    """Move a rule up (step -1) or down (step 1) by one place."""
    ids = list(HouseholdRule.objects.select_for_update().values_list("pk", flat=True))
    if rule_id not in ids:
        return
    i = ids.index(rule_id)
    j = max(0, min(len(ids) - 1, i + step))
    ids[i], ids[j] = ids[j], ids[i]
    _renumber(ids)
    if i != j:
        _record(by, HouseholdRule.objects.get(pk=rule_id), CHANGE, f"Moved on the rules page from place {i + 1} to {j + 1}")


@transaction.atomic
def reorder(order: Sequence[int], by: AbstractBaseUser | None = None) -> None:
    """Put the rules in this order; raise RuleError unless it names every rule once."""
    ids = list(HouseholdRule.objects.select_for_update().values_list("pk", flat=True))
    if sorted(order) != sorted(ids):
        raise RuleError("the new order must name every rule once (the rules changed meanwhile: reload the page)")
    _renumber(order)
    if by is not None and list(order) != ids:
        names = dict(HouseholdRule.objects.values_list("pk", "name"))
        first = HouseholdRule.objects.get(pk=order[0]) if order else None
        if first is not None:
            _record(by, first, CHANGE, "Reordered on the rules page: " + " > ".join(names[i] for i in order))


@transaction.atomic
def remove_rule(rule_id: int, by: AbstractBaseUser | None = None) -> None:
    """Remove a rule."""
    rule = HouseholdRule.objects.filter(pk=rule_id).first()
    if rule is None:
        return
    _record(by, rule, DELETION, f"Removed on the rules page: {rule.name}: {_as_text(rule)}")
    rule.delete()
    _renumber(list(HouseholdRule.objects.values_list("pk", flat=True)))


def apply_preset(name: str) -> int:
    """Replace the rules with a preset fitted to the box's providers; return how many rules it has."""
    return len(rule_services.apply_preset(name, tiers_with_providers()))


def import_rules(text: str) -> int:
    """Replace the rules with those of a YAML file; return how many rules it has."""
    return len(rule_services.import_yaml(text))
