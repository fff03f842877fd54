"""The dashboard: today's requests by tier and device, what left the house, spend, health."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from appliance import dashboard
from appliance.models import Household
from gateway.choices import Outcome
from gateway.models import AuditEvent
from gateway.services import Result, close_audit
from tests.conftest import Live


def request(device: str, **result: Any) -> None:
    request_id = str(uuid.uuid4())
    AuditEvent.objects.create(request_id=request_id, created_at=timezone.now(), device_name=device, kind="chat", model_requested="m")
    if result:
        close_audit(request_id, Result(result.pop("outcome", Outcome.OK), **result))


def test_the_figures_count_today_by_tier_and_device_and_what_left_the_house(owner: Any) -> None:
    request("tv", tier="home", provider_name="home")
    request("laptop", tier="cloud", provider_name="openai-x", redactions={"email": 2}, cost=Decimal("0.0125"))
    request("laptop", tier="trusted", provider_name="mistral-eu", redactions={"email": 1, "iban": 1})
    request("laptop")  # still being answered
    f = dashboard.figures()
    assert f.in_flight == 1 and f.today_total == 4 and f.in_flight_by_device == [{"device_name": "laptop", "n": 1}]
    assert {t["tier"]: t["n"] for t in f.today_by_tier} == {"home": 1, "cloud": 1, "trusted": 1, "": 1}
    assert {d["device_name"]: d["n"] for d in f.today_by_device} == {"laptop": 3, "tv": 1}
    assert f.left_house == 2 and f.left_to == ["mistral-eu", "openai-x"]
    assert f.redacted == {"email": 3, "iban": 1}
    assert f.spend_month == Decimal("0.0125")


def test_the_dashboard_page_shows_the_figures_and_an_empty_state(owner_client: Client) -> None:
    body = owner_client.get("/dashboard/").content.decode()
    assert "No requests today yet." in body and "Cloud spend this month" in body and 'id="gpu"' in body


def test_without_device_names_the_dashboard_hides_them(owner_client: Client) -> None:
    request("kids-tablet", tier="home", provider_name="home")
    request("kids-tablet")
    Household.objects.filter(pk=1).update(privacy="no_names")
    body = owner_client.get("/dashboard/").content.decode()
    assert "kids-tablet" not in body and "Hidden by the household" in body


def test_the_live_figures_are_for_signed_in_people_only(live: Live) -> None:
    url = live.url.replace("http://", "ws://") + "/ws/dashboard/"
    with pytest.raises(InvalidStatus) as refused:
        connect(url, origin=Origin(live.url), open_timeout=10).close()
    assert refused.value.response.status_code == 403
