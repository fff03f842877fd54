"""The household's rules, in order."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from appliance.versioned import VersionedQuerySet
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
