"""gateway.router.plan with the household's limits, priorities and the request's task."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from gateway.capabilities import Caps, CapsError, parse, tokens_of
from gateway.choices import Kind
from gateway.router import AUTO_MODEL, Asked, Candidate, plan
from policies.priorities import Jurisdictions, LimitError, Priorities, parse_jurisdictions, parse_tiers
from policies.rules import Decision, RuleError, parse_actions

HOME = Candidate(
    1, "home", "home", "openai", ("home",), 6, Decimal(0), True, False, False, "home",
    (("home", Caps(32768, {"chat": 6, "code": 4, "reason": 4})),),
)  # fmt: skip
MISTRAL = Candidate(
    2, "mistral", "trusted", "openai", ("medium",), 7, Decimal(2), True, True, True, "FR",
    (("medium", Caps(131072, {"code": 7, "reason": 7})),),
)  # fmt: skip
OPENAI = Candidate(3, "openai", "cloud", "openai", ("large",), 9, Decimal(10), False, True, True, "US", (("large", Caps(200000)),))
ALL = [HOME, MISTRAL, OPENAI]


def decision(max_tier: str = "cloud", **kw: object) -> Decision:
    return dataclasses.replace(Decision("r", max_tier, None, (), "", False, f"{max_tier} because r"), **kw)  # type: ignore[arg-type]


def chosen(p: object) -> list[str]:
    return [c.name for c in p.candidates]  # type: ignore[attr-defined]


def test_a_simple_chat_stays_home_when_the_household_keeps_it_home_whenever_it_can() -> None:
    p = plan(decision(), ALL, {}, Asked(Kind.CHAT, AUTO_MODEL, task="chat", difficulty="simple"), Priorities.preset("home_first"))
    assert chosen(p)[0] == "home" and p.queue == "home"


def test_a_hard_code_request_leaves_a_home_model_too_weak_for_it() -> None:
    p = plan(decision(), ALL, {}, Asked(Kind.CHAT, AUTO_MODEL, task="code", difficulty="hard"), Priorities.preset("home_first"))
    assert chosen(p)[0] == "openai"  # the only one at 8 or more for code (its quality, 9, for every task)
    assert "passed over home: quality 4 for hard code (needs 8)" in p.sentence


def test_the_cheapest_capable_provider_wins_when_the_household_wants_the_cheapest() -> None:
    asked = Asked(Kind.CHAT, AUTO_MODEL, task="code", difficulty="moderate")
    assert chosen(plan(decision(), ALL, {}, asked, Priorities.preset("cheapest")))[0] == "mistral"
    assert chosen(plan(decision(), ALL, {}, asked, Priorities.preset("best")))[0] == "openai"


def test_the_fastest_measured_provider_wins_when_the_household_wants_speed() -> None:
    asked = Asked(Kind.CHAT, AUTO_MODEL, task="code", difficulty="moderate")
    health = {2: {"ewma_ms": 9000.0}, 3: {"ewma_ms": 300.0}}
    assert chosen(plan(decision(), ALL, health, asked, Priorities.preset("fastest")))[0] == "openai"


def test_a_weak_provider_is_still_tried_last_rather_than_refusing_the_request() -> None:
    p = plan(decision("home"), ALL, {}, Asked(Kind.CHAT, AUTO_MODEL, task="reason", difficulty="hard"))
    assert chosen(p) == ["home"] and "quality 4 for hard reason" in p.trace[0].reason


def test_a_request_longer_than_a_context_window_never_goes_there() -> None:
    long = Asked(Kind.CHAT, AUTO_MODEL, tokens=tokens_of(4 * 100_000, 1000))
    p = plan(decision(), ALL, {}, long)
    assert chosen(p) == ["mistral", "openai"] or chosen(p) == ["openai", "mistral"]
    assert "longer than its context window (32768)" in next(t.reason for t in p.trace if t.name == "home")


def test_a_trusted_provider_without_zero_data_retention_on_record_is_never_planned() -> None:
    unrecorded = dataclasses.replace(MISTRAL, zero_data_retention=False)
    p = plan(decision("trusted"), [HOME, unrecorded], {}, Asked(Kind.CHAT, AUTO_MODEL, task="code", difficulty="hard"))
    assert chosen(p) == ["home"]
    assert next(t.reason for t in p.trace if t.name == "mistral") == "a trusted provider without zero data retention on record"


def test_a_rule_that_keeps_data_in_the_eu_rules_out_a_us_provider_and_says_so() -> None:
    eu = decision(jurisdictions=Jurisdictions(allow=frozenset({"EU"})))
    p = plan(eu, ALL, {}, Asked(Kind.CHAT, AUTO_MODEL, task="code", difficulty="hard"))
    assert "openai" not in chosen(p) and "mistral" in chosen(p)  # FR is in the EU
    assert "it is in US, outside EU (rule 'r' keeps data only in EU)" in next(t.reason for t in p.trace if t.name == "openai")


def test_the_household_s_limit_for_a_tier_applies_whatever_the_rule() -> None:
    no_us = Priorities.of("best", {"cloud": {"deny": ["US"]}})
    p = plan(decision(), ALL, {}, Asked(Kind.CHAT, AUTO_MODEL, task="code", difficulty="hard"), no_us)
    assert "openai" not in chosen(p)


def test_a_provider_whose_jurisdiction_is_not_recorded_fails_any_limit() -> None:
    unknown = dataclasses.replace(OPENAI, jurisdiction="")
    p = plan(decision(jurisdictions=Jurisdictions(deny=frozenset({"CN"}))), [unknown], {}, Asked(Kind.CHAT, AUTO_MODEL))
    assert chosen(p) == [] and "openai: its jurisdiction is not recorded" in p.refusal


def test_a_rule_may_require_zero_data_retention_for_the_cloud_tier_too() -> None:
    p = plan(decision(require_zdr=True), [OPENAI], {}, Asked(Kind.CHAT, AUTO_MODEL))
    assert chosen(p) == [] and "rule 'r' needs zero data retention on record" in p.refusal


def test_limits_never_apply_to_the_home_tier() -> None:
    p = plan(decision(jurisdictions=Jurisdictions(allow=frozenset({"CH"})), require_zdr=True), ALL, {}, Asked(Kind.CHAT, AUTO_MODEL))
    assert chosen(p) == ["home"]


def test_the_trace_lists_every_provider_the_kept_ones_first_in_their_order() -> None:
    p = plan(decision("trusted"), ALL, {}, Asked(Kind.CHAT, AUTO_MODEL, task="code", difficulty="moderate"), Priorities.preset("best"))
    assert [(t.name, t.kept) for t in p.trace] == [("mistral", True), ("home", True), ("openai", False)]
    assert p.trace[2].reason == "the rules allow up to trusted"


def test_the_sentence_names_the_provider_its_place_and_the_household_s_priority() -> None:
    p = plan(decision(), ALL, {}, Asked(Kind.CHAT, AUTO_MODEL, task="code", difficulty="moderate"), Priorities.preset("cheapest"))
    assert p.sentence.startswith("goes to mistral: trusted, FR, cheapest that fits; passed over home: quality 4")


def test_a_busy_home_gpu_sends_a_request_it_could_answer_elsewhere() -> None:
    health = {1: {"inflight": 50.0}}
    p = plan(decision(), ALL, health, Asked(Kind.CHAT, AUTO_MODEL, task="chat", difficulty="simple"))
    assert chosen(p)[0] != "home" and "passed over home: home GPU busy" in p.sentence


@pytest.mark.parametrize(
    "raw",
    [
        "EU", {"allow": "EU", "nope": []}, {"allow": [""]}, {"allow": ["Europe"]}, {"deny": [1]}, {"allow": ["EU"], "deny": ["EU"]}, [],
    ],
)  # fmt: skip
def test_bad_jurisdiction_limits_are_refused_with_a_message(raw: object) -> None:
    with pytest.raises(LimitError):
        parse_jurisdictions(raw)


def test_jurisdiction_limits_are_given_for_the_outside_tiers_only() -> None:
    with pytest.raises(LimitError, match="trusted and cloud, not home"):
        parse_tiers({"home": {"allow": ["EU"]}})
    assert parse_tiers({"trusted": {"allow": ["eu", " ch "]}})["trusted"].allow == {"EU", "CH"}


def test_a_rule_s_jurisdictions_and_zdr_are_validated_as_rule_errors() -> None:
    assert parse_actions({"max_tier": "cloud", "jurisdictions": {"allow": ["EU"]}, "require_zdr": True}).require_zdr
    with pytest.raises(RuleError, match="two-letter country code"):
        parse_actions({"max_tier": "cloud", "jurisdictions": {"allow": ["Mars"]}})
    with pytest.raises(RuleError, match="require_zdr"):
        parse_actions({"max_tier": "cloud", "require_zdr": "yes"})


@pytest.mark.parametrize(
    "raw",
    [
        [], {"other": {}}, {"m": []}, {"m": {"speed": 1}}, {"m": {"context": -1}}, {"m": {"context": True}},
        {"m": {"quality": {"poetry": 5}}}, {"m": {"quality": {"code": 11}}}, {"m": {"quality": []}},
    ],
)  # fmt: skip
def test_bad_capabilities_are_refused_with_a_message(raw: object) -> None:
    with pytest.raises(CapsError):
        parse(raw, ["m"])


def test_an_unknown_preset_name_reads_as_the_default_rather_than_failing_requests() -> None:
    assert Priorities.of("gone").choice.name == "home_first"


def test_a_busy_home_gpu_is_said_as_the_fallback_the_answer_carries() -> None:
    p = plan(decision(), ALL, {1: {"inflight": 50.0}}, Asked(Kind.CHAT, AUTO_MODEL, task="chat", difficulty="simple"))
    assert p.passed_over == "home: home GPU busy"


def test_a_request_too_long_for_the_home_model_is_said_as_the_fallback() -> None:
    p = plan(decision(), ALL, {}, Asked(Kind.CHAT, AUTO_MODEL, task="chat", difficulty="simple", tokens=40_000))
    assert p.passed_over.startswith("home: the request (about 40000 tokens) is longer than its context window (32768)")


def test_a_provider_that_failed_recently_is_said_as_the_fallback_when_it_would_have_come_first() -> None:
    import time

    p = plan(decision(), ALL, {3: {"fail_until": time.time() + 60}}, Asked(Kind.CHAT, AUTO_MODEL, task="code", difficulty="hard"))
    assert chosen(p)[-1] == "openai" and p.passed_over == "openai: failed recently"


def test_going_where_the_household_s_priorities_rank_first_is_no_fallback() -> None:
    p = plan(decision(), ALL, {}, Asked(Kind.CHAT, AUTO_MODEL, task="code", difficulty="moderate"), Priorities.preset("best"))
    assert chosen(p)[0] == "openai" and p.passed_over == ""


def test_a_request_only_home_may_answer_gets_no_sentence_of_choosing() -> None:
    p = plan(decision("home"), ALL, {}, Asked(Kind.CHAT, AUTO_MODEL, task="reason", difficulty="hard"))
    assert chosen(p) == ["home"] and p.sentence == ""
