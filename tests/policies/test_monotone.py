"""More evidence of sensitivity never means less protection: every preset, and the checker
the admin warns with, against random requests and random rule sets."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.choices import Category
from policies import services
from policies.classification.text import LABELS, SENSITIVE
from policies.detectors import KINDS
from policies.rules import Facts, Rule, first_match, parse_rule
from policies.rules.monotone import monotonicity_counterexample, protects_at_least

PRESETS = services.presets()
PROVIDER_SETS = [{"trusted", "cloud"}, {"trusted"}, {"cloud"}, set()]
SCORES = st.one_of(st.sampled_from([0.0, 0.3, 0.49, 0.5, 0.51, 0.7, 1.0]), st.floats(0, 1))
FEW_KINDS = ["CARD", "EMAIL", "SECRET", "IBAN"]
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def preset_rules(name: str, tiers: set[str]) -> list[Rule]:
    """Return a preset's rules as apply_preset would store them on a box with these providers."""
    fitted = [{**raw, "actions": services._fit(raw["actions"], tiers)} for raw in PRESETS[name]["rules"]]
    return [parse_rule(r["name"], r.get("conditions") or {}, r["actions"], r.get("enabled", True)) for r in fitted]


@st.composite
def facts(draw: st.DrawFn) -> Facts:
    images = draw(st.integers(0, 2))
    return Facts(
        device=draw(st.sampled_from(["laptop-1", "tablet", "porch-cam"])),
        category=draw(st.sampled_from(Category.values)),
        labels={label: draw(SCORES) for label in LABELS},
        data=frozenset(draw(st.sets(st.sampled_from(KINDS), max_size=4))),
        images=images,
        people=draw(st.integers(0, 2)) if images else 0,
        faces=draw(st.integers(0, 2)) if images else 0,
        moment=dt.datetime(2026, 11, 23) + dt.timedelta(minutes=draw(st.integers(0, 7 * 24 * 60 - 1))),
        presence=draw(st.sampled_from(["home", "away", "unknown"])),
        kind="vision" if images else draw(st.sampled_from(["chat", "completion", "embedding"])),
        chars=draw(st.integers(0, 5000)),
    )


@st.composite
def more_sensitive(draw: st.DrawFn, before: Facts) -> tuple[Facts, str]:
    """Return the same request with one more sign of sensitivity, and which one."""
    step = draw(st.sampled_from(["label", "data", "image", "person", "face", "text"]))
    if step == "label":
        label = draw(st.sampled_from(SENSITIVE))
        raised = draw(st.floats(before.labels[label], 1.0))
        return dataclasses.replace(before, labels={**before.labels, label: raised}), f"{label} to {raised}"
    if step == "data":
        kind = draw(st.sampled_from(KINDS))
        return dataclasses.replace(before, data=before.data | {kind}), f"adding {kind}"
    if step == "text":
        return dataclasses.replace(before, chars=before.chars + draw(st.integers(1, 5000))), "more text"
    if before.kind == "chat" or before.kind == "vision":
        if step == "image":
            return dataclasses.replace(before, images=before.images + 1, kind="vision"), "adding an image"
        if before.images and step == "person":
            return dataclasses.replace(before, people=before.people + 1), "a person"
        if before.images and step == "face":
            return dataclasses.replace(before, faces=before.faces + 1), "a face"
    return before, "nothing"


def assert_not_less_protective(rules: list[Rule], before: Facts, after: Facts, change: str) -> None:
    was, now = first_match(rules, before), first_match(rules, after)
    assert protects_at_least(now, was, images=before.images > 0), f"{change}: {was.explanation} -> {now.explanation}"


@pytest.mark.parametrize("tiers", PROVIDER_SETS, ids=lambda t: "+".join(sorted(t)) or "home only")
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_is_monotone_on_every_box(name: str, tiers: set[str]) -> None:
    found = monotonicity_counterexample(preset_rules(name, tiers))
    assert found is None, found.describe()


@pytest.mark.parametrize("name", sorted(PRESETS))
@PROPERTY
@given(data=st.data())
def test_a_more_sensitive_request_is_never_less_protected_by_a_preset(name: str, data: st.DataObject) -> None:
    rules = preset_rules(name, {"trusted", "cloud"})
    before = data.draw(facts())
    after, change = data.draw(more_sensitive(before))
    assert_not_less_protective(rules, before, after, change)


def test_looking_generic_does_not_let_a_sensitive_request_leave() -> None:
    rules = [parse_rule("Generic", {"labels": {"general": 0.5}}, {"max_tier": "cloud"})]
    sure = Facts("laptop", "laptop", {"general": 0.95, "health": 0.9}, frozenset(), 0, 0, 0, dt.datetime(2026, 11, 23), "home", "chat", 40)
    assert first_match(rules, sure).max_tier == "home"
    assert first_match(rules, dataclasses.replace(sure, labels={"general": 0.95, "health": 0.4})).max_tier == "cloud"


def test_the_old_household_preset_is_reported_with_the_example_that_shows_it() -> None:
    old = [
        parse_rule("Health, money and identity", {"labels": {"health": 0.5, "finance": 0.5}}, {"max_tier": "trusted", "prefer": "home"}),
        parse_rule("Generic questions", {"labels": {"general": 0.5}}, {"max_tier": "cloud"}),
    ]
    found = monotonicity_counterexample(old)
    assert found is not None
    assert first_match(old, found.before).rule == "Private until proven otherwise"
    assert first_match(old, found.after).rule == "Health, money and identity"
    assert "gives less protection" in found.describe() and "trusted provider" in found.describe()


def test_a_more_sensitive_request_that_loses_its_jurisdiction_limit_is_reported() -> None:
    rules = [
        parse_rule("Health with an e-mail", {"labels": {"health": 0.5}, "data": ["EMAIL"]}, {"max_tier": "cloud"}),
        parse_rule("Health in the EU", {"labels": {"health": 0.5}}, {"max_tier": "cloud", "jurisdictions": {"allow": ["EU"]}}),
        parse_rule("Everything else", {}, {"max_tier": "cloud", "jurisdictions": {"allow": ["EU"]}}),
    ]
    found = monotonicity_counterexample(rules)
    assert found is not None and first_match(rules, found.after).rule == "Health with an e-mail"
    assert "only in EU" in found.describe(), "the limit that is lost is named"


def test_a_stricter_limit_or_zero_data_retention_on_more_sensitive_requests_is_monotone() -> None:
    rules = [
        parse_rule("Health", {"labels": {"health": 0.5}}, {"max_tier": "cloud", "jurisdictions": {"allow": ["DE"]}, "require_zdr": True}),
        parse_rule("Everything else", {}, {"max_tier": "cloud", "jurisdictions": {"allow": ["EU"]}}),
    ]
    assert monotonicity_counterexample(rules) is None


# --- random rule sets: the checker is right both ways -----------------------------------------


@st.composite
def rule_sets(draw: st.DrawFn) -> list[Rule]:
    rules = []
    for i in range(draw(st.integers(1, 4))):
        conditions: dict[str, Any] = {}
        if draw(st.booleans()):
            conditions["categories"] = draw(
                st.lists(st.sampled_from(["camera", "kids", "laptop", "vacuum"]), min_size=1, max_size=2, unique=True)
            )
        if draw(st.booleans()):
            names = draw(st.lists(st.sampled_from(["health", "finance", "general"]), min_size=1, max_size=2, unique=True))
            conditions["labels"] = {n: draw(st.sampled_from([0.3, 0.5, 0.7])) for n in names}
        if draw(st.integers(0, 3)) == 0:
            conditions["data"] = draw(st.lists(st.sampled_from(FEW_KINDS), min_size=1, max_size=2, unique=True))
        for flag in ("images", "people", "faces"):
            if draw(st.integers(0, 4)) == 0:
                conditions[flag] = draw(st.booleans())
        if draw(st.integers(0, 4)) == 0:
            conditions["presence"] = draw(st.sampled_from(["home", "away"]))
        if draw(st.integers(0, 5)) == 0:
            conditions["min_chars" if draw(st.booleans()) else "max_chars"] = draw(st.sampled_from([100, 1000]))
        if draw(st.integers(0, 5)) == 0:
            conditions["time"] = {"from": "22:00", "to": "06:00", "days": ["fri", "sat"]}
        actions: dict[str, Any]
        if draw(st.integers(0, 6)) == 0:
            actions = {"block": "Not this."}
        else:
            actions = {"max_tier": draw(st.sampled_from(["home", "trusted", "cloud"]))}
            if draw(st.booleans()):
                actions["data"] = {draw(st.sampled_from(FEW_KINDS)): draw(st.sampled_from(["redact", "keep", "block"]))}
            actions["blur_faces"] = draw(st.booleans())
            if draw(st.integers(0, 3)) == 0:
                actions["jurisdictions"] = draw(
                    st.sampled_from([{"allow": ["EU"]}, {"allow": ["DE"]}, {"allow": ["EU", "CH"]}, {"deny": ["US"]}])
                )
            if draw(st.integers(0, 4)) == 0:
                actions["require_zdr"] = True
        rules.append(parse_rule(f"rule {i}", conditions, actions))
    return rules


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=rule_sets())
def test_a_counterexample_the_checker_gives_is_real(rules: list[Rule]) -> None:
    found = monotonicity_counterexample(rules)
    if found is not None:
        assert not protects_at_least(first_match(rules, found.after), first_match(rules, found.before), images=found.before.images > 0)
        assert found.describe().startswith(found.change[0].upper())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=rule_sets(), data=st.data())
def test_rules_the_checker_passes_never_protect_a_more_sensitive_request_less(rules: list[Rule], data: st.DataObject) -> None:
    if monotonicity_counterexample(rules) is None:
        for _ in range(20):
            before = data.draw(facts())
            after, change = data.draw(more_sensitive(before))
            assert_not_less_protective(rules, before, after, change)
