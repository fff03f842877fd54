"""The owner's weekly digest: what left the house by tier, device and kind of data, what was kept home; once a week."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
import zoneinfo
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from appliance import tasks
from appliance.models import Household, Notice
from appliance.services import digest
from devices.models import Device
from gateway.capture import CaptureUpstream
from gateway.models import AuditEvent

AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")
# Monday 30 November 2026, 09:00 in Auckland: the week before is Mon 23 to Sun 29 November (ISO week 48).
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=AUCKLAND)
PROMPT = "what should I tell Dr Jensen about my blood test"


@pytest.fixture
def home(owner: Any) -> Household:
    Household.objects.filter(pk=1).update(time_zone="Pacific/Auckland", setup_finished_at=timezone.now() - dt.timedelta(days=30))
    return Household.objects.get(pk=1)


def device(name: str, category: str) -> Device:
    return Device.objects.create(name=name, category=category, key_hash=secrets.token_hex(32), key_prefix="hk_test")


def audited(at: dt.datetime, who: Device | None, tier: str, outcome: str = "ok", **more: Any) -> AuditEvent:
    return AuditEvent.objects.create(
        request_id=uuid.uuid4(), created_at=at, device=who, device_name=who.name if who else "old-laptop", kind="chat",
        model_requested="m", tier=tier, outcome=outcome, prompt_text=PROMPT, explanation=f"the device is {who.name if who else 'x'}",
        **more,
    )  # fmt: skip


@pytest.fixture
def week(home: Household) -> dict[str, Device]:
    """Rows of the week before MONDAY in Auckland's clock, and rows just outside it."""
    phone, tablet = device("anna-phone", "laptop"), device("kids-tablet", "kids")
    local = AUCKLAND
    audited(dt.datetime(2026, 11, 23, 0, 10, tzinfo=local), phone, "cloud", redactions={"EMAIL": 2, "PERSON": 1})  # its first minutes
    audited(dt.datetime(2026, 11, 25, 14, 0, tzinfo=local), phone, "trusted", redactions={"EMAIL": 1})
    # Sunday 23:30 in Auckland is Sunday morning in UTC: in the week all the same.
    audited(dt.datetime(2026, 11, 29, 23, 30, tzinfo=local), tablet, "cloud")
    audited(dt.datetime(2026, 11, 26, 9, 0, tzinfo=local), tablet, "home")
    audited(dt.datetime(2026, 11, 27, 9, 0, tzinfo=local), tablet, "", outcome="refused")
    # Outside the week: Sunday 22 November 23:50 and Monday 30 November 00:30, Auckland time.
    audited(dt.datetime(2026, 11, 22, 23, 50, tzinfo=local), phone, "cloud", redactions={"CARD": 1})
    audited(dt.datetime(2026, 11, 30, 0, 30, tzinfo=local), phone, "cloud", redactions={"CARD": 1})
    return {"phone": phone, "tablet": tablet}


def test_the_digest_counts_what_left_the_house_by_tier_device_and_kind_of_data(week: dict[str, Device]) -> None:
    [told] = digest.check_digest(MONDAY)
    assert told.kind == "digest" and told.key == "digest:2026-W48"
    assert told.title == "Your week, 23 Nov to 29 Nov: 3 left the house, 2 kept home"
    assert "Left the house: 3 requests (a trusted provider: 1; the cloud: 2)." in told.detail
    assert "By device: anna-phone: 2; kids-tablet: 1." in told.detail
    assert "Personal data replaced by placeholders before it left: e-mail addresses: 3; names of people: 1." in told.detail
    assert "Kept home: 2 requests, 1 of them answered by the home model." in told.detail
    assert "card" not in told.detail, "rows outside the week, in the household's clock, are not counted"
    assert told.link == "/audit/?since=2026-11-23&until=2026-11-29"


def test_the_digest_never_holds_a_prompt_or_what_the_rows_explain(week: dict[str, Device]) -> None:
    [told] = digest.check_digest(MONDAY)
    assert PROMPT not in told.title + told.detail and "Jensen" not in told.detail and "the device is" not in told.detail


def test_without_device_names_the_digest_counts_by_kind_of_device(week: dict[str, Device]) -> None:
    Household.objects.filter(pk=1).update(privacy="no_names")
    [told] = digest.check_digest(MONDAY)
    assert "anna-phone" not in told.detail and "kids-tablet" not in told.detail
    assert "By kind of device: phone, laptop or app: 2; kids' device: 1." in told.detail


def test_at_counts_only_the_digest_names_no_device_at_all(week: dict[str, Device]) -> None:
    Household.objects.filter(pk=1).update(privacy="counts")
    [told] = digest.check_digest(MONDAY)
    assert "device" not in told.detail.lower() and "anna" not in told.detail and "kids" not in told.detail
    assert "Left the house: 3 requests" in told.detail and "e-mail addresses: 3" in told.detail


def test_the_digest_is_told_once_per_iso_week(week: dict[str, Device]) -> None:
    assert len(digest.check_digest(MONDAY)) == 1
    assert digest.check_digest(MONDAY + dt.timedelta(hours=5)) == []
    assert digest.check_digest(MONDAY + dt.timedelta(days=2)) == [], "still the same week's digest on Wednesday"
    [next_week] = digest.check_digest(MONDAY + dt.timedelta(days=7))
    assert next_week.key == "digest:2026-W49" and "Left the house: 1 request (the cloud: 1)." in next_week.detail


def test_the_digest_waits_for_monday_morning_in_the_household_s_zone(week: dict[str, Device]) -> None:
    assert digest.check_digest(MONDAY.replace(hour=7, minute=59)) == []
    # 08:00 in Auckland is still Sunday in UTC.
    assert len(digest.check_digest(MONDAY.replace(hour=8).astimezone(dt.UTC))) == 1


def test_a_week_with_nothing_sent_out_says_so(home: Household) -> None:
    audited(dt.datetime(2026, 11, 24, 10, 0, tzinfo=AUCKLAND), device("tv", "tv"), "home")
    [told] = digest.check_digest(MONDAY)
    assert told.detail == "Nothing left the house. Kept home: 1 request, 1 of them answered by the home model."


def test_no_digest_before_the_wizard_is_done(owner: Any) -> None:
    assert digest.check_digest(MONDAY) == []


def test_the_digest_goes_through_the_household_s_channel(week: dict[str, Device], capture: CaptureUpstream) -> None:
    Household.objects.filter(pk=1).update(notify_url=capture.url + "/hook")
    [told] = digest.check_digest(MONDAY)
    [sent] = capture.requests
    assert sent.json()["kind"] == "digest" and sent.json()["detail"] == told.detail and PROMPT.encode() not in sent.raw


def test_the_weekly_digest_is_scheduled_beside_the_notices_and_tells_last_week(home: Household) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-digest"]
    assert entry["task"] == "appliance.tasks.send_digest" and isinstance(entry["schedule"], float) and entry["schedule"] <= 3600
    today = timezone.localtime(timezone.now(), AUCKLAND).date()
    monday = today - dt.timedelta(days=today.weekday())
    start = dt.datetime.combine(monday - dt.timedelta(days=7), dt.time(12), tzinfo=AUCKLAND)
    audited(start, device("tv", "tv"), "cloud")
    before_eight = timezone.localtime(timezone.now(), AUCKLAND) < dt.datetime.combine(monday, dt.time(8), tzinfo=AUCKLAND)
    tasks.send_digest()  # what beat runs every hour
    year, number, _ = start.date().isocalendar()
    told = Notice.objects.filter(key=f"digest:{year}-W{number:02d}").first()
    assert (told is None) if before_eight else (told is not None and "Left the house: 1 request" in told.detail)
