"""The household's rules, in order."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from appliance.plumbing.versioned import VersionedQuerySet
from policies.rules import Rule, RuleError, parse_rule


class HouseholdRuleQuerySet(VersionedQuerySet):
    version_name = "rules"  # the classify worker keeps them (policies.services.cached_rules)


class HouseholdRule(models.Model):
    """One rule: conditions and actions as validated data, never code."""

    position = models.PositiveIntegerField(default=0, help_text="Rules are tried in this order; the first that matches decides.")
    name = models.CharField(max_length=80, unique=True)
    enabled = models.BooleanField(default=True)
    conditions = models.JSONField(default=dict, blank=True, help_text='e.g. {"categories": ["kids"], "labels": {"health": 0.6}}')
    actions = models.JSONField(default=dict, help_text='e.g. {"max_tier": "trusted", "prefer": "home", "data": {"EMAIL": "redact"}}')
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdRuleQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            self.spec()
        except RuleError as exc:
            raise ValidationError(str(exc)) from exc

    def spec(self) -> Rule:
        return parse_rule(self.name, self.conditions or {}, self.actions or {}, self.enabled)


class HouseholdTermQuerySet(VersionedQuerySet):
    # Versioned with the rules: screening and the rules are both read by the classify
    # worker, and the web process hands it that one token with each request
    # (gateway.services), so a change to a term is read at once at no round trip more.
    version_name = "rules"


class HouseholdTerm(models.Model):
    """A word of the household's own that never leaves the house: a child's name, the street,
    the school, a pet. Matched whatever its case and spacing (policies.detectors.household).

    The value is personal data that the owner typed in: it is kept here and in memory,
    and never written to a log; the admin's history names a term by its label only.
    """

    label = models.CharField(max_length=60, help_text="What it is: child's name, street, school, pet, ...")
    value = models.CharField(max_length=200, unique=True, help_text="The term itself, e.g. Finn or Elm Row.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdTermQuerySet.as_manager()

    class Meta:
        ordering = ["label", "id"]

    def __str__(self) -> str:
        return self.label  # never the value: Django's admin keeps each object's str in its history

    def clean(self) -> None:
        self.label = " ".join(self.label.split())
        self.value = " ".join(self.value.split())
        if sum(ch.isalnum() for ch in self.value) < 2:
            raise ValidationError({"value": "A term needs at least two letters or digits (a shorter one would match everywhere)."})
        if not self.label:
            raise ValidationError({"label": "Say what the term is, e.g. child's name."})
