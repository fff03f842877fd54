"""The dashboard's fallbacks: answered requests that another provider than the first choice
answered, per hour on the household's clock, under the history's days."""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
import zoneinfo
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import redis
from django.conf import settings
from django.test import Client
from django.utils import timezone

from appliance import dashboard
from appliance.models import Household
from gateway.capture import CaptureUpstream
from gateway.models import AuditEvent, Provider
from gateway.router import state_key
from gateway.services import Result, close_audit
from policies.models import HouseholdRule
from tests.conftest import Live, PairedDevice, audited

HTTP_503 = "fell back: cloudy: the provider answered HTTP 503"


def answered(at: dt.datetime, reason: str = "", tier: str = "trusted", provider: str = "mistral-eu") -> None:
    """An audit row as the worker closes it: the reason says when it fell back, and from whom."""
    request_id = str(uuid.uuid4())
    AuditEvent.objects.create(request_id=request_id, created_at=at, device_name="laptop", kind="chat", model_requested="m")
    close_audit(request_id, Result("ok", reason=reason, tier=tier, provider_name=provider))


def test_fallbacks_are_counted_per_hour_on_the_household_s_clock(owner: Any) -> None:
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=auckland)
    answered(dt.datetime(2026, 11, 27, 20, 5, tzinfo=dt.UTC), HTTP_503)  # Saturday 09:05 in Auckland
    answered(dt.datetime(2026, 11, 27, 20, 55, tzinfo=dt.UTC), HTTP_503)  # Saturday 09:55
    answered(dt.datetime(2026, 11, 27, 9, 10, tzinfo=dt.UTC), "fell back: cloudy: the provider sent nothing in time")  # Fri 22:10
    answered(dt.datetime(2026, 11, 27, 21, 0, tzinfo=dt.UTC))  # answered by the first choice
    with timezone.override(auckland):
        found = dashboard.fallbacks(14, now)
    saturday, friday = found.days[-1], found.days[-2]
    assert (saturday.day, saturday.n, saturday.busiest) == (dt.date(2026, 11, 28), 2, "09:00")
    assert (friday.n, friday.busiest) == (1, "22:00")
    assert found.total == 3 and found.peak == 2
    assert [b.title for b in found.bars] == ["1 fell back, Fri 27 22:00–23:00", "2 fell back, Sat 28 09:00–10:00"]


def test_the_dashboard_shows_fallbacks_per_hour_and_the_providers_fallen_back_from(owner_client: Client) -> None:
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    answered(an_hour_ago, HTTP_503)
    answered(an_hour_ago, "fell back: cloudy: the provider refused the connection; openai-x: the provider answered HTTP 429")
    answered(an_hour_ago)
    body = owner_client.get("/dashboard/").content.decode()
    band = body.split('id="fallbacks-band"')[1].split("</g>")[0]
    assert band.count('class="bar bar-fallback"') == 1 and "2 fell back, " in band
    said = re.sub(r"<[^>]+>", "", body.split('id="fell-back-from"')[1].split("</p>")[0])
    assert said == ">fell back from cloudy ×2, openai-x ×1"


def test_a_fallback_bar_opens_the_rows_that_fell_back(owner_client: Client) -> None:
    Household.objects.filter(pk=1).update(time_zone="Europe/Paris")
    yesterday = timezone.now() - dt.timedelta(days=1)
    answered(yesterday, HTTP_503, provider="fallback-answered")
    answered(yesterday, provider="first-choice")
    body = owner_client.get("/dashboard/").content.decode()
    [link] = re.findall(r'<a href="([^"]*)"><rect [^>]*class="bar bar-fallback"', body)
    table = owner_client.get(link.replace("&amp;", "&")).content.decode().split('id="audit-table"')[1].split("</table>")[0]
    assert "fallback-answered" in table and "first-choice" not in table
    assert f"since={yesterday.astimezone(zoneinfo.ZoneInfo('Europe/Paris')).date()}" in link, "the day is the household's"


def test_counts_only_still_counts_fallbacks_but_names_no_provider(owner_client: Client) -> None:
    Household.objects.filter(pk=1).update(privacy="counts")
    answered(timezone.now() - dt.timedelta(minutes=5), HTTP_503)
    body = owner_client.get("/dashboard/").content.decode()
    band, fallbacks = body.split('id="fallbacks-band"')[1].split("</g>")[0], body.split('id="fallbacks"')[1].split("</section>")[0]
    assert "1 fell back, " in band and "1 in all" in fallbacks
    assert "cloudy" not in body and "hidden by the household's privacy level" in fallbacks


def test_the_providers_tile_counts_today_s_fallbacks(owner_client: Client) -> None:
    answered(timezone.now(), HTTP_503)
    answered(timezone.now())
    assert re.search(
        r'id="fell-back-today"><a href="[^"]*q=fell\+back">fell back today: 1</a>', owner_client.get("/dashboard/").content.decode()
    )


def test_no_fallback_says_so(owner_client: Client) -> None:
    answered(timezone.now())
    assert "No request fell back in the last 14 days." in owner_client.get("/dashboard/").content.decode()


def test_a_provider_that_stopped_answering_says_since_when(owner_client: Client) -> None:
    Household.objects.filter(pk=1).update(time_zone="Asia/Tokyo")
    provider = Provider.objects.create(name="cloudy", tier="cloud", base_url="http://127.0.0.1:9/v1")
    client = redis.Redis.from_url(settings.REDIS_URL)
    since = time.time() - 15 * 60
    client.hset(state_key(provider.pk), mapping={"down_since": since, "fail_until": time.time() + 20})
    try:
        body = owner_client.get("/dashboard/").content.decode()
    finally:
        client.delete(state_key(provider.pk))
    tokyo = dt.datetime.fromtimestamp(since, zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert f"not answering since {tokyo:%H:%M}" in body


def test_a_request_that_really_fell_back_is_on_the_dashboard_and_its_provider_noted_down(
    live: Live,
    owner_client: Client,
    make_device: Callable[..., PairedDevice],
    make_provider: Callable[..., Provider],
    capture: CaptureUpstream,
) -> None:
    HouseholdRule.objects.create(name="Up to the device's tier", conditions={}, actions={"max_tier": "cloud"})
    tablet = make_device(max_tier="trusted")
    zdr = make_provider("zdr", "trusted", quality=10)
    Provider.objects.filter(name="home").update(quality=1, model_caps={})  # so the trusted one is tried first
    capture.reset(mode="status", status=503)
    try:
        ask = {"model": "hearth-auto", "messages": [{"role": "user", "content": "What is the capital of France?"}], "max_tokens": 8}
        response = httpx.post(f"{live.api}/chat/completions", json=ask, headers={"Authorization": f"Bearer {tablet.key}"}, timeout=60)
        assert response.headers["x-hearth-tier"] == "home"
        audited(tablet.device)
        noted = redis.Redis.from_url(settings.REDIS_URL).hget(state_key(zdr.pk), "down_since")
    finally:
        redis.Redis.from_url(settings.REDIS_URL).delete(state_key(zdr.pk))
    assert noted is not None and float(noted) == pytest.approx(time.time(), abs=60), "the worker noted when it stopped answering"
    body = owner_client.get("/dashboard/").content.decode()
    said = re.sub(r"<[^>]+>", "", body.split('id="fell-back-from"')[1].split("</p>")[0])
    assert said == ">fell back from zdr ×1"
