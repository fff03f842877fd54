"""The rules' time windows run on the household's clock, not the server's (UTC on the image)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from appliance.models import Household
from devices.services import add_device
from gateway import journey, schema
from gateway.envelope import DeviceFacts, Envelope
from policies import services

pytestmark = pytest.mark.django_db

# Friday 20:00 in UTC is already Saturday 09:00 in Auckland (NZDT, UTC+13).
FRIDAY_EVENING_UTC = dt.datetime(2026, 11, 27, 20, 0, tzinfo=dt.UTC)
WEEKEND_MORNINGS = {
    "name": "Weekend mornings may use the cloud",
    "conditions": {"time": {"from": "08:00", "to": "12:00", "days": ["sat", "sun"]}},
    "actions": {"max_tier": "cloud"},
}
BODY = {"messages": [{"role": "user", "content": "Suggest a pancake recipe."}]}


def _decide(moment: dt.datetime) -> tuple[str, str]:
    if not services.load_rules():
        services.replace_rules([WEEKEND_MORNINGS])
    device = DeviceFacts(1, "kitchen laptop", "laptop", "cloud")
    envelope = Envelope.of(device, schema.chat_request({"model": "hearth-auto", **BODY}), {})
    _, decision, _ = journey.decided(envelope, moment=moment, presence="home", budget=5.0)
    return decision.rule, decision.explanation


def test_a_weekend_window_opens_when_it_is_the_weekend_in_the_households_zone() -> None:
    Household.objects.create(pk=1, name="The Ngatas", time_zone="Pacific/Auckland")
    rule, explanation = _decide(FRIDAY_EVENING_UTC)
    assert rule == WEEKEND_MORNINGS["name"]
    assert "it is Sat 09:00" in explanation


def test_the_same_instant_is_still_friday_for_a_household_on_utc() -> None:
    Household.objects.create(pk=1, name="The Smiths", time_zone="UTC")
    rule, _ = _decide(FRIDAY_EVENING_UTC)
    assert rule != WEEKEND_MORNINGS["name"]


def test_changing_the_households_zone_reaches_the_rules_at_once() -> None:
    Household.objects.create(pk=1, name="The Ngatas", time_zone="UTC")
    assert _decide(FRIDAY_EVENING_UTC)[0] != WEEKEND_MORNINGS["name"]
    Household.objects.filter(pk=1).update(time_zone="Pacific/Auckland")
    assert _decide(FRIDAY_EVENING_UTC)[0] == WEEKEND_MORNINGS["name"]


def test_the_simulator_reads_a_typed_time_on_the_households_clock(admin_client: Client) -> None:
    Household.objects.create(pk=1, name="The Ngatas", time_zone="Pacific/Auckland")
    services.replace_rules([WEEKEND_MORNINGS])
    laptop = add_device("kitchen laptop", "laptop", "cloud").device
    form = {"device": laptop.pk, "prompt": "Suggest a pancake recipe.", "presence": "home"}

    def decided_rule(when: str) -> str:
        page = admin_client.post("/admin/policies/householdrule/simulate/", {**form, "when": when}).content.decode()
        return page.split("<tr><th>Rule</th><td>")[1].split("</td>")[0]

    assert decided_rule("2026-11-28T09:00") == WEEKEND_MORNINGS["name"]  # Saturday morning in Auckland
    assert decided_rule("2026-11-27T20:00") != WEEKEND_MORNINGS["name"]  # Friday evening in Auckland
