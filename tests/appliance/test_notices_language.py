"""Notices and the weekly digest are worded in the household's language, though a periodic task makes them."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Any

from django.utils import dateformat, timezone, translation

from appliance.models import Household
from appliance.services import digest, notices
from gateway.models import AuditEvent


def de(msgid: str) -> str:
    """Return the box's own German for an English msgid (its catalogue, appliance/locale/de)."""
    with translation.override("de"):
        german = translation.gettext(msgid)
    assert german != msgid, f"no German for {msgid!r}"
    return german


def test_a_notice_found_by_the_periodic_check_is_stored_in_the_households_language(owner: Any) -> None:
    Household.objects.filter(pk=1).update(language="de", setup_finished_at=timezone.now())
    with translation.override("en"):  # as a worker runs: no page, no household language active
        [told] = notices.check(chain=False)
    assert (told.title, told.detail) == (de("Backups are not set up"), de("No backup is made until a backup passphrase is set."))


def test_a_household_whose_language_has_no_pages_is_told_in_english_whatever_the_worker_last_spoke(owner: Any) -> None:
    Household.objects.filter(pk=1).update(language="it", setup_finished_at=timezone.now())
    with translation.override("de"):  # whatever language the worker happens to hold
        [told] = notices.check(chain=False)
    assert told.title == "Backups are not set up"


def test_the_weekly_digest_is_stored_in_the_households_language(owner: Any) -> None:
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    Household.objects.filter(pk=1).update(
        language="de", time_zone="Pacific/Auckland", setup_finished_at=timezone.now() - dt.timedelta(days=30)
    )
    AuditEvent.objects.create(
        request_id=uuid.uuid4(), created_at=dt.datetime(2026, 11, 25, 14, 0, tzinfo=auckland), device_name="laptop", kind="chat",
        model_requested="m", tier="cloud", outcome="ok",
    )  # fmt: skip
    with translation.override("en"):
        [told] = digest.check_digest(dt.datetime(2026, 11, 30, 9, 0, tzinfo=auckland))
    with translation.override("de"):
        start, end = dateformat.format(dt.date(2026, 11, 23), "d M"), dateformat.format(dt.date(2026, 11, 29), "d M")
    title = de("Your week, %(start)s to %(end)s: %(left)d left the house, %(kept)d kept home")
    assert told.title == title % {"start": start, "end": end, "left": 1, "kept": 0}
