"""The household's clock, language and backups, in a real browser against the running box."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import translation
from playwright.sync_api import Page, expect

from appliance.models import Household
from devices import services as device_services
from devices.models import PairingRequest
from gateway.models import AuditEvent
from gateway.services import Result, close_audit
from tests.conftest import OWNER_PASSWORD

# Friday 20:00 in UTC is already Saturday 09:00 in Auckland (NZDT, UTC+13).
FRIDAY_EVENING_UTC = dt.datetime(2026, 11, 27, 20, 0, tzinfo=dt.UTC)
PASSPHRASE = "copper-kettle-winter-orchard"


def _claimed(time_zone: str = "UTC", language: str = "en") -> None:
    Household.objects.create(pk=1, name="The Ngatas", time_zone=time_zone, language=language)
    get_user_model().objects.create_user("owner", password=OWNER_PASSWORD, is_staff=True, is_superuser=True)


def _sign_in(page: Page) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", OWNER_PASSWORD)
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def _row(at: dt.datetime, device: str) -> None:
    request_id = str(uuid.uuid4())
    AuditEvent.objects.create(request_id=request_id, created_at=at, device_name=device, kind="chat", model_requested="m")
    close_audit(request_id, Result("ok", tier="home", provider_name="home"))


def test_the_audit_log_shows_times_on_the_households_clock_and_takes_its_dates(
    page: Page, transactional_db: None, screenshot: Callable[[Page, str], Path]
) -> None:
    _claimed("Pacific/Auckland", "de")
    _row(FRIDAY_EVENING_UTC, "saturday-morning")
    _row(FRIDAY_EVENING_UTC - dt.timedelta(days=3), "earlier-in-the-week")
    _sign_in(page)
    page.goto("/audit/")
    table = page.locator("#audit-table")
    expect(table.locator("tr", has_text="saturday-morning").locator("a.when")).to_have_text("2026-11-28 09:00:00 NZDT")
    with translation.override("de"):  # a German household reads its pages in German
        expect(page.locator("main")).to_contain_text(
            translation.gettext("Times are the household's (%(zone)s).") % {"zone": "Pacific/Auckland"}
        )
    since = page.locator("#id_since")
    expect(since).to_have_attribute("placeholder", "dd.mm.yyyy")
    since.fill("28.11.2026")
    page.click("#audit-filters button[type=submit]")
    expect(table).to_contain_text("saturday-morning")
    expect(table).not_to_contain_text("earlier-in-the-week")
    expect(since).to_have_value("28.11.2026")
    screenshot(page, "household-audit-log")


def test_pairing_requests_show_their_times_on_the_households_clock(
    page: Page, transactional_db: None, screenshot: Callable[[Page, str], Path]
) -> None:
    _claimed("Pacific/Auckland")
    started = device_services.start_pairing("kitchen tablet", "laptop", "192.168.1.30")
    PairingRequest.objects.filter(code=started.code).update(
        created_at=FRIDAY_EVENING_UTC, expires_at=FRIDAY_EVENING_UTC + dt.timedelta(minutes=10)
    )
    _sign_in(page)
    page.goto("/admin/devices/pairingrequest/")
    row = page.locator("#result_list tr", has_text=started.code)
    expect(row).to_contain_text("2026-11-28 09:00 NZDT")
    expect(row).to_contain_text("2026-11-28 09:10 NZDT")
    screenshot(page, "household-pairing-requests")


def test_the_finish_page_asks_for_a_backup_passphrase_and_backups_then_run(
    page: Page, transactional_db: None, screenshot: Callable[[Page, str], Path]
) -> None:
    _claimed("Europe/Berlin")
    _sign_in(page)
    page.goto("/setup/finish/")
    ask = page.locator("#backup-passphrase")
    expect(ask).to_contain_text("no backup is made")
    page.fill("#id_passphrase", "kettle")
    page.fill("#id_passphrase2", "kettle")
    page.click("#finish")
    expect(ask.locator(".errorlist")).to_contain_text("too short")
    screenshot(page, "household-finish-weak-passphrase")
    page.fill("#id_passphrase", PASSPHRASE)
    page.fill("#id_passphrase2", PASSPHRASE)
    page.click("#finish")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.goto("/backups/")
    expect(page.locator("#schedule-state")).to_contain_text("Running: a backup every 24 hours")
    screenshot(page, "household-backups-running")


def test_skipping_the_passphrase_leaves_backups_shown_as_not_running_with_a_way_to_set_one(
    page: Page, transactional_db: None, screenshot: Callable[[Page, str], Path]
) -> None:
    _claimed()
    _sign_in(page)
    page.goto("/setup/finish/")
    screenshot(page, "household-finish")
    page.click("#skip")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.goto("/backups/")
    expect(page.locator("#schedule-state")).to_contain_text("Not running")
    screenshot(page, "household-backups-not-running")
    page.click("#set-passphrase")
    expect(page).to_have_url(re.compile(r"/backups/#passphrase-form$"))
    page.fill("#id_passphrase", PASSPHRASE)
    page.fill("#id_passphrase2", PASSPHRASE)
    page.click("#passphrase-form button[type=submit]")
    expect(page.locator("#schedule-state")).to_contain_text("Running")
