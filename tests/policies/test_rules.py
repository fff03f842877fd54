"""Rules are validated data: clear errors for bad rules, warnings for useless ones, YAML in and out."""

from __future__ import annotations

import pytest

from policies import services
from policies.models import HouseholdRule
from policies.rules import RuleError, parse_rule, warnings

BAD = [
    ({}, {}, "needs 'max_tier'"),
    ({}, {"max_tier": "moon"}, "must be one of home, trusted, cloud"),
    ({"categories": ["toaster"]}, {"max_tier": "home"}, "unknown values toaster"),
    ({"labels": {"health": 1.5}}, {"max_tier": "home"}, "between 0 and 1"),
    ({"labels": {"gossip": 0.5}}, {"max_tier": "home"}, "unknown label gossip"),
    ({"labels": {"general": 0}}, {"max_tier": "cloud"}, "general at 0 holds for every request"),
    ({"data": ["PASSPORT_PHOTO"]}, {"max_tier": "home"}, "unknown values PASSPORT_PHOTO"),
    ({"time": {"from": "25:00", "to": "06:00"}}, {"max_tier": "home"}, "a time like 22:00"),
    ({"time": {"from": "22:00"}}, {"max_tier": "home"}, "needs 'from' and 'to'"),
    ({"presence": "maybe"}, {"max_tier": "home"}, "home or away"),
    ({"code": "__import__('os').system('id')"}, {"max_tier": "home"}, "unknown condition code"),
    ({}, {"max_tier": "home", "prefer": "cloud"}, "cannot be less trusted"),
    ({}, {"max_tier": "cloud", "data": {"EMAIL": "shred"}}, "redact, keep or block"),
    ({}, {"max_tier": "cloud", "eval": "1+1"}, "unknown action eval"),
    ({"min_chars": -1}, {"max_tier": "home"}, "whole number"),
]


@pytest.mark.parametrize(("conditions", "actions", "message"), BAD)
def test_a_bad_rule_is_refused_with_a_clear_message(conditions: dict[str, object], actions: dict[str, object], message: str) -> None:
    with pytest.raises(RuleError, match=message.replace("(", r"\(").replace(")", r"\)").replace("+", r"\+")):
        parse_rule("r", conditions, actions)


def test_warnings_name_shadowed_impossible_and_providerless_rules() -> None:
    rules = [
        parse_rule("Kids", {"categories": ["kids"]}, {"max_tier": "trusted"}),
        parse_rule("Kids at night", {"categories": ["kids"], "time": {"from": "20:00", "to": "07:00"}}, {"max_tier": "home"}),
        parse_rule("Odd", {"min_chars": 10, "max_chars": 5}, {"max_tier": "home"}),
        parse_rule("Faces without images", {"faces": True, "images": False}, {"max_tier": "home"}),
        parse_rule("Cloud", {"labels": {"general": 0.5}}, {"max_tier": "cloud"}),
    ]
    found = "\n".join(warnings(rules, tiers_with_providers={"trusted"}))
    assert "'Kids at night' is shadowed by the earlier rule 'Kids'" in found
    assert "'Odd' can never match" in found
    assert "'Faces without images' can never match" in found
    assert "'Cloud' allows the cloud tier, but no cloud provider is configured" in found
    assert "'Kids' " not in found.replace("rule 'Kids'", "")


def test_a_narrower_rule_after_a_wider_label_rule_is_shadowed_but_not_the_reverse() -> None:
    wide = parse_rule("Health", {"labels": {"health": 0.5}}, {"max_tier": "home"})
    narrow = parse_rule("Sure health", {"labels": {"health": 0.9}}, {"max_tier": "trusted"})
    assert any("shadowed" in w for w in warnings([wide, narrow], {"trusted"}))
    assert not any("shadowed" in w for w in warnings([narrow, wide], {"trusted"}))


@pytest.mark.django_db
def test_rules_round_trip_through_yaml_and_a_bad_file_changes_nothing() -> None:
    services.apply_preset("household", {"trusted", "cloud"})
    exported = services.export_yaml()
    names = list(HouseholdRule.objects.values_list("name", flat=True))
    services.import_yaml(exported)
    assert list(HouseholdRule.objects.values_list("name", flat=True)) == names
    for bad in ["rules: [{name: x, actions: {max_tier: nowhere}}]", "!!python/object/apply:os.system ['id']", "rules: 5", "{{{{"]:
        with pytest.raises(RuleError):
            services.import_yaml(bad)
        assert list(HouseholdRule.objects.values_list("name", flat=True)) == names


@pytest.mark.django_db
def test_a_preset_fits_the_tiers_the_box_has() -> None:
    services.apply_preset("household", set())  # no trusted or cloud provider at all
    assert set(HouseholdRule.objects.values_list("actions__max_tier", flat=True)) == {"home"}
    services.apply_preset("household", {"trusted"})
    assert "cloud" not in set(HouseholdRule.objects.values_list("actions__max_tier", flat=True))


@pytest.mark.django_db
def test_the_rules_command_applies_a_preset_and_refuses_an_unknown_one() -> None:
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("rules", "preset", "careful", stdout=out)
    assert "preset 'careful'" in out.getvalue()
    listing = io.StringIO()
    call_command("rules", "list", stdout=listing, stderr=io.StringIO())
    assert "Cameras stay home" in listing.getvalue() and "Private until proven otherwise" in listing.getvalue()
    with pytest.raises(CommandError, match="no preset named 'reckless'"):
        call_command("rules", "preset", "reckless", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("actions", "message"),
    [
        ({"max_tier": "cloud", "rate_per_minute": -1}, "rate_per_minute"),
        ({"max_tier": "cloud", "keep_prompt_days": "forever"}, "keep_prompt_days"),
        ({"max_tier": "cloud", "monthly_budget": True}, "monthly_budget"),
    ],
)
def test_limits_must_be_sane_numbers(actions: dict[str, object], message: str) -> None:
    with pytest.raises(RuleError, match=message):
        parse_rule("r", {}, actions)
