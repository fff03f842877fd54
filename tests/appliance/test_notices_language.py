"""Notices and the weekly digest are worded in the household's language, though a periodic task makes them."""

from __future__ import annotations

import datetime as dt
import struct
import uuid
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from appliance.models import Household
from appliance.services import digest, notices
from gateway.models import AuditEvent

# What a German catalogue will say; written here because the box's own has no German yet.
GERMAN = {
    "Backups are not set up": "Sicherungen sind nicht eingerichtet",
    "No backup is made until a backup passphrase is set.": "Ohne Passphrase wird keine Sicherung angelegt.",
    "Your week, %(start)s to %(end)s: %(left)d left the house, %(kept)d kept home": (
        "Deine Woche, %(start)s bis %(end)s: %(left)d haben das Haus verlassen, %(kept)d blieben zu Hause"
    ),
}


def write_catalogue(folder: Path, language: str, messages: dict[str, str]) -> None:
    """Write a compiled gettext catalogue (.mo), as msgfmt would, for one language."""
    header = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n"
    entries = sorted({"": header, **messages}.items())
    ids = strs = b""
    spans = []
    for msgid, msgstr in entries:
        spans.append((len(ids), len(msgid.encode()), len(strs), len(msgstr.encode())))
        ids += msgid.encode() + b"\0"
        strs += msgstr.encode() + b"\0"
    n = len(entries)
    ids_at = 7 * 4 + 16 * n
    strs_at = ids_at + len(ids)
    table = [x for at, length, _, _ in spans for x in (length, ids_at + at)]
    table += [x for _, _, at, length in spans for x in (length, strs_at + at)]
    blob = struct.pack("<7I", 0x950412DE, 0, n, 7 * 4, 7 * 4 + 8 * n, 0, 0) + struct.pack(f"<{4 * n}I", *table) + ids + strs
    target = folder / language / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "django.mo").write_bytes(blob)


@pytest.fixture
def german(settings: Any, tmp_path: Path) -> None:
    """The box with a German catalogue (changing LOCALE_PATHS makes Django read catalogues again)."""
    write_catalogue(tmp_path, "de", GERMAN)
    settings.LOCALE_PATHS = [tmp_path]


def test_a_notice_found_by_the_periodic_check_is_stored_in_the_households_language(owner: Any, german: None) -> None:
    Household.objects.filter(pk=1).update(language="de", setup_finished_at=timezone.now())
    with translation.override("en"):  # as a worker runs: no page, no household language active
        [told] = notices.check(chain=False)
    assert (told.title, told.detail) == ("Sicherungen sind nicht eingerichtet", "Ohne Passphrase wird keine Sicherung angelegt.")


def test_a_household_whose_language_has_no_pages_is_told_in_english_whatever_the_worker_last_spoke(owner: Any, german: None) -> None:
    Household.objects.filter(pk=1).update(language="it", setup_finished_at=timezone.now())
    with translation.override("de"):  # whatever language the worker happens to hold
        [told] = notices.check(chain=False)
    assert told.title == "Backups are not set up"


def test_the_weekly_digest_is_stored_in_the_households_language(owner: Any, german: None) -> None:
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
    assert told.title == "Deine Woche, 23 Nov bis 29 Nov: 1 haben das Haus verlassen, 0 blieben zu Hause"
