"""Notices: each condition the owner must hear about is told once, on the box and to the household's channel."""

from __future__ import annotations

import datetime as dt
import time
import uuid
import zoneinfo
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.utils import timezone

from appliance.models import Household, Notice
from appliance.services import notices
from devices.models import DiscoveredDevice
from gateway.capture import CaptureUpstream
from gateway.models import AuditEvent, Provider
from gateway.router import state_key
from gateway.services import Result, close_audit
from gateway.tasks import probe_providers
from policies.models import HouseholdRule


def kinds(found: list[Notice]) -> list[str]:
    return sorted(n.kind for n in found)


def row(device: str = "tv", **result: Any) -> AuditEvent:
    request_id = str(uuid.uuid4())
    event = AuditEvent.objects.create(
        request_id=request_id, created_at=timezone.now(), device_name=device, kind="chat", model_requested="m"
    )
    close_audit(request_id, Result(result.pop("outcome", "ok"), **result))
    event.refresh_from_db()
    return event


def seen_on_the_network(name: str = "garden-camera") -> DiscoveredDevice:
    now = timezone.now()
    return DiscoveredDevice.objects.create(
        identity=f"id-{name}", identity_kind="mac", kind="camera", source="mdns", name=name, first_seen=now, last_seen=now
    )


def test_a_new_device_on_the_network_is_told_once(owner: Any) -> None:
    seen_on_the_network()
    [told] = notices.check()
    assert told.kind == "device_found" and "garden-camera" in told.title
    assert notices.check() == [], "the same condition is not told again"


@pytest.fixture
def cloudy(owner: Any) -> Iterator[Provider]:
    """A cloud provider whose health state (in Redis, as gateway.worker writes it) the test sets."""
    provider = Provider.objects.create(name="cloudy", tier="cloud", base_url="http://127.0.0.1:9/v1")
    yield provider
    redis.Redis.from_url(settings.REDIS_URL).delete(state_key(provider.pk))


def failing(provider: Provider, minutes: float) -> float:
    """Set the provider failing without an answer for `minutes`, its last failure just now; return since when."""
    since = time.time() - minutes * 60
    redis.Redis.from_url(settings.REDIS_URL).hset(state_key(provider.pk), mapping={"down_since": since, "fail_until": time.time() + 30})
    return since


def answers(provider: Provider) -> None:
    """The provider answered a request or a health probe."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.hset(state_key(provider.pk), mapping={"fail_until": 0, "answered_at": time.time()})
    client.hdel(state_key(provider.pk), "down_since")


def test_a_trusted_provider_without_its_terms_on_record_is_told_once_and_not_after_they_are(owner: Any) -> None:
    old = Provider.objects.create(name="old-trusted", tier="trusted", base_url="https://t.example/v1", zero_data_retention=True)
    [told] = notices.check()
    assert told.kind == "provider_terms" and "old-trusted is not used" in told.title and told.link == "/providers/"
    assert notices.check() == []
    old.zdr_terms_url, old.zdr_checked_on = "https://t.example/terms", dt.date(2026, 11, 1)
    old.save()
    assert not [f for f in notices.find() if f.kind == "provider_terms"]


def test_a_provider_failing_for_a_minute_is_not_told(cloudy: Provider) -> None:
    failing(cloudy, 1)
    assert notices.check() == []


def test_a_provider_down_for_the_configured_minutes_is_told(cloudy: Provider, settings: Any) -> None:
    settings.HEARTH_PROVIDER_DOWN_MINUTES = 5
    Household.objects.filter(pk=1).update(time_zone="Europe/Berlin")
    failing(cloudy, 4)
    assert notices.check() == [], "not before the configured minutes"
    since = failing(cloudy, 6)
    [told] = notices.check()
    berlin = dt.datetime.fromtimestamp(since, zoneinfo.ZoneInfo("Europe/Berlin"))
    assert told.kind == "provider_down" and told.title == "Provider cloudy is down"
    assert f"since {berlin:%Y-%m-%d %H:%M} (6 minutes)" in told.detail
    assert "fall back to other cloud providers or a more trusted tier, never a less trusted one" in told.detail


def test_a_provider_down_is_told_once_per_outage(cloudy: Provider) -> None:
    since = failing(cloudy, 11)
    assert kinds(notices.check()) == ["provider_down"]
    redis.Redis.from_url(settings.REDIS_URL).hset(state_key(cloudy.pk), "fail_until", time.time() + 30)  # still failing, later
    assert notices.check() == [], "the same outage is not told again"
    answers(cloudy)
    notices.check()
    failing(cloudy, 12)
    [again] = notices.check()
    assert again.kind == "provider_down" and again.key != f"provider-down:{cloudy.pk}:{round(since)}"


def test_a_provider_that_answers_again_is_told_once(cloudy: Provider) -> None:
    failing(cloudy, 11)
    notices.check()
    answers(cloudy)
    [back] = notices.check()
    assert back.kind == "provider_up" and back.title == "Provider cloudy answers again"
    assert notices.check() == []


def test_a_provider_never_told_down_is_not_told_back(cloudy: Provider) -> None:
    failing(cloudy, 1)
    notices.check()
    answers(cloudy)
    assert notices.check() == []


def test_a_provider_not_heard_of_since_it_was_told_down_is_not_said_to_answer(cloudy: Provider) -> None:
    failing(cloudy, 11)
    notices.check()
    redis.Redis.from_url(settings.REDIS_URL).delete(state_key(cloudy.pk))  # Redis restarted: nothing is known
    assert notices.check() == []


def test_the_health_probe_tells_an_outage_and_its_end(owner: Any, make_provider: Callable[..., Provider], capture: CaptureUpstream) -> None:
    for home in Provider.objects.filter(tier="home"):
        home.enabled = False  # its engine does not run here: its probe would fail beside this one
        home.save()
    provider = make_provider("cloudy", "cloud", key="sk-never-in-a-notice-0001", url="http://127.0.0.1:9/v1")  # nothing listens
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        probe_providers()
        client.hset(state_key(provider.pk), "down_since", time.time() - 11 * 60)  # as if the probe had failed for 11 minutes
        probe_providers()
        [down] = notices.check()
        provider.base_url = capture.url
        provider.save()
        probe_providers()
        [back] = notices.check()
    finally:
        client.delete(state_key(provider.pk))
    assert (down.kind, back.kind) == ("provider_down", "provider_up")
    assert [r.path for r in capture.requests] == ["/v1/models"]
    told = " ".join(f"{n.title} {n.detail} {n.link}" for n in (down, back))
    assert "sk-never" not in told and "refused" not in told


def test_a_budget_is_told_at_80_and_at_100_percent(owner: Any) -> None:
    Household.objects.filter(pk=1).update(currency="EUR")
    HouseholdRule.objects.create(
        name="Laptop capped", conditions={"categories": ["laptop"]}, actions={"max_tier": "cloud", "monthly_budget": 1.0}
    )
    row("laptop", tier="cloud", provider_name="cloudy", rule="Laptop capped", cost=Decimal("0.85"))
    [eighty] = notices.check()
    assert eighty.title == "laptop has used 80 % of its monthly budget" and "€0.85 of €1.00" in eighty.detail
    row("laptop", tier="cloud", provider_name="cloudy", rule="Laptop capped", cost=Decimal("0.20"))
    [hundred] = notices.check()
    assert hundred.title == "laptop has used 100 % of its monthly budget" and "stay home until next month" in hundred.detail


def test_backups_not_set_up_are_told_once_the_wizard_is_done(owner: Any) -> None:
    assert notices.check() == [], "not while the wizard is under way"
    Household.objects.filter(pk=1).update(setup_finished_at=timezone.now())
    assert kinds(notices.check()) == ["backup"]


def test_a_backup_that_did_not_run_is_told(owner: Any) -> None:
    long_ago = timezone.now() - dt.timedelta(days=3)
    Household.objects.filter(pk=1).update(
        setup_finished_at=long_ago, last_backup_at=long_ago, backup_key_encrypted="x", backup_every_hours=24
    )
    [told] = notices.check()
    assert told.title == "The scheduled backup did not run"


def test_an_audit_chain_that_does_not_verify_is_told(owner: Any) -> None:
    event = row("tv", tier="home", provider_name="home")
    row("tv", tier="home", provider_name="home")
    assert notices.check() == []
    AuditEvent.objects.filter(pk=event.pk).update(tier="cloud")  # rewritten after it was sealed
    assert notices.check(chain=False) == [], "the hourly check reads the chain, not every one"
    [told] = notices.check()
    assert told.kind == "audit_chain"


def test_a_request_set_aside_is_told(owner: Any) -> None:
    event = row("kids-tablet", outcome="dead_lettered")
    [told] = notices.check()
    assert told.kind == "poison" and "kids-tablet" in told.title and told.link == f"/audit/{event.pk}/"


def test_a_notice_arrives_at_the_household_s_webhook_without_what_was_asked(owner: Any, capture: CaptureUpstream) -> None:
    Household.objects.filter(pk=1).update(notify_url=capture.url + "/hook")
    seen_on_the_network("front-door")
    [told] = notices.check()
    [sent] = capture.requests
    assert sent.path.endswith("/hook") and sent.json()["title"] == told.title and sent.headers.get("title") == told.title
    told.refresh_from_db()
    assert told.sent_at is not None and told.send_error == ""


def test_a_notice_the_channel_refuses_says_so(owner: Any, capture: CaptureUpstream) -> None:
    capture.reset(mode="status", status=500)
    Household.objects.filter(pk=1).update(notify_url=capture.url + "/hook")
    seen_on_the_network()
    [told] = notices.check()
    told.refresh_from_db()
    assert told.sent_at is None and told.send_error == "not delivered: HTTPStatusError"


def test_the_dashboard_shows_notices_and_the_owner_dismisses_them(owner_client: Client) -> None:
    seen_on_the_network("front-door")
    [told] = notices.check()
    assert "A new device is on the network: front-door" in owner_client.get("/dashboard/").content.decode()
    assert owner_client.post(f"/notices/{told.pk}/dismiss/", {"back": "/dashboard/"}).headers["Location"] == "/dashboard/"
    assert "front-door" not in owner_client.get("/dashboard/").content.decode()


def test_a_channel_that_is_not_a_url_gets_a_form_error_and_keeps_the_old_one(owner_client: Client) -> None:
    Household.objects.filter(pk=1).update(notify_url="https://ntfy.example/hearth")
    body = owner_client.post("/notices/channel/", {"notify_url": "not a url"}).content.decode()
    assert "Enter a valid URL" in body and 'value="not a url"' in body
    assert Household.objects.get(pk=1).notify_url == "https://ntfy.example/hearth"


def test_a_test_notice_is_sent_to_the_channel_at_once(owner_client: Client, capture: CaptureUpstream) -> None:
    owner_client.post("/notices/channel/", {"notify_url": capture.url + "/hook", "test": "1"})
    [sent] = capture.requests
    assert sent.json()["title"] == "Hearth test notice"
    assert "A test notice was sent." in owner_client.get("/notices/").content.decode()
