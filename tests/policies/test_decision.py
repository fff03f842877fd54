"""policies.decision.decide: one pure function from the facts, the rules and the household."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from policies.decision import Household, decide
from policies.rules import Facts, parse_rule

UTC = Household(ZoneInfo("UTC"))
NOON = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
FACTS = Facts("laptop", "laptop", {"general": 0.9}, frozenset({"EMAIL"}), 0, 0, 0, NOON, "home", "chat", 40)
GO = parse_rule("Everything may go", {}, {"max_tier": "cloud", "prefer": "trusted", "rate_per_minute": 3, "monthly_budget": 5})


def test_a_request_that_could_not_be_screened_stays_home_whatever_the_rules_say() -> None:
    d = decide(dataclasses.replace(FACTS, failed="the classifier model is missing"), [GO], UTC)
    assert (d.max_tier, d.prefer, d.redact, d.blocked) == ("home", None, (), "")
    assert d.explanation == "stays home: the request could not be screened (the classifier model is missing)"


def test_the_first_matching_rule_decides_within_the_devices_own_cap() -> None:
    d = decide(dataclasses.replace(FACTS, device_max_tier="trusted"), [GO], UTC)
    assert (d.rule, d.max_tier, d.prefer) == ("Everything may go", "trusted", "trusted")
    assert "the device may use at most trusted" in d.explanation
    assert "EMAIL" in d.redact


def test_a_device_over_its_rate_limit_is_refused_with_429() -> None:
    assert decide(dataclasses.replace(FACTS, requests_this_minute=3), [GO], UTC).blocked == ""
    d = decide(dataclasses.replace(FACTS, requests_this_minute=4), [GO], UTC)
    assert d.blocked_status == 429 and "3 times a minute" in d.blocked


def test_a_spent_budget_keeps_the_request_home_and_says_so() -> None:
    assert decide(dataclasses.replace(FACTS, spent_this_month=4.99), [GO], UTC).max_tier == "cloud"
    d = decide(dataclasses.replace(FACTS, spent_this_month=5), [GO], UTC)
    assert (d.max_tier, d.prefer) == ("home", None)
    assert d.explanation.startswith("stays home: this month's budget outside the home (5) is spent")


def test_time_windows_are_read_on_the_households_clock() -> None:
    weekend = parse_rule("Weekend", {"time": {"from": "08:00", "to": "12:00", "days": ["sat"]}}, {"max_tier": "cloud"})
    friday_evening_utc = dataclasses.replace(FACTS, moment=dt.datetime(2026, 11, 27, 20, 0, tzinfo=dt.UTC))
    assert decide(friday_evening_utc, [weekend], UTC).rule != "Weekend"
    assert decide(friday_evening_utc, [weekend], Household(ZoneInfo("Pacific/Auckland"))).rule == "Weekend"


def test_a_block_is_never_softened_by_a_limit() -> None:
    block = parse_rule("No", {}, {"block": "Not now."})
    d = decide(dataclasses.replace(FACTS, requests_this_minute=100), [block], UTC)
    assert (d.blocked, d.blocked_status) == ("Not now.", 403)
