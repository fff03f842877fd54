"""No backup runs without a passphrase: the backups page says so, and the wizard's last step asks for one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from appliance.models import Household
from appliance.services import backups

from .conftest import PASSWORD

PASSPHRASE = "copper-kettle-winter-orchard"


@pytest.fixture(autouse=True)
def backup_dir(tmp_path: Path) -> Iterator[Path]:
    with override_settings(HEARTH_BACKUP_DIR=str(tmp_path / "backups")):
        yield tmp_path / "backups"


def _schedule_state(client: Client) -> str:
    return client.get("/backups/").content.decode().split('id="schedule-state">')[1].split("</p>")[0]


def test_the_schedule_is_shown_not_running_until_a_passphrase_is_set(owner_client: Client) -> None:
    state = _schedule_state(owner_client)
    assert state.startswith("Not running") and "until a backup passphrase is set" in state
    assert 'href="#passphrase-form"' in owner_client.get("/backups/").content.decode()
    backups.set_passphrase(PASSPHRASE)
    assert _schedule_state(owner_client).startswith("Running: a backup every 24 hours, keeping the newest 7.")


def test_a_running_schedule_says_when_the_next_backup_is_due_on_the_households_clock(owner_client: Client) -> None:
    Household.objects.filter(pk=1).update(time_zone="Europe/Berlin")
    backups.set_passphrase(PASSPHRASE)
    assert "within 15 minutes" in _schedule_state(owner_client)  # none made yet: the next look makes one
    made = backups.make_backup()
    due = timezone.localtime(made.taken_at + timedelta(hours=24), ZoneInfo("Europe/Berlin"))
    assert f"Next one due {due:%Y-%m-%d %H:%M %Z}." in _schedule_state(owner_client)


def test_a_schedule_of_zero_hours_is_shown_as_off(owner_client: Client) -> None:
    backups.set_passphrase(PASSPHRASE)
    backups.set_schedule(every_hours=0, keep=7)
    assert _schedule_state(owner_client).startswith("Off: backups are made only when you ask")


def test_the_finish_page_asks_for_a_backup_passphrase(owner_client: Client) -> None:
    page = owner_client.get("/setup/finish/").content.decode()
    assert 'name="passphrase"' in page and 'name="passphrase2"' in page
    assert "no backup is made" in page and 'name="skip"' in page


def test_a_passphrase_set_at_the_finish_makes_backups_that_it_opens(owner_client: Client, backup_dir: Path) -> None:
    response = owner_client.post("/setup/finish/", {"passphrase": PASSPHRASE, "passphrase2": PASSPHRASE})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    household = Household.objects.get()
    assert household.setup_finished_at is not None and household.backup_key_encrypted
    made = backups.make_backup()
    assert backups.open_backup((backup_dir / made.name).read_bytes(), PASSPHRASE)["format"] == "hearth-backup"
    assert _schedule_state(owner_client).startswith("Running")


@pytest.mark.parametrize(
    ("passphrase", "message"),
    [("kettle", "too short"), ("password123", "too common"), (PASSWORD, "other than your sign-in password")],
)
def test_a_weak_passphrase_at_the_finish_is_refused_and_nothing_finishes(owner_client: Client, passphrase: str, message: str) -> None:
    response = owner_client.post("/setup/finish/", {"passphrase": passphrase, "passphrase2": passphrase})
    assert response.status_code == 200 and message in response.content.decode()
    household = Household.objects.get()
    assert household.setup_finished_at is None and household.backup_key_encrypted == ""


def test_two_different_passphrases_at_the_finish_are_refused(owner_client: Client) -> None:
    response = owner_client.post("/setup/finish/", {"passphrase": PASSPHRASE, "passphrase2": PASSPHRASE + "x"})
    assert "The two passphrases differ." in response.content.decode()
    assert Household.objects.get().setup_finished_at is None


def test_the_finish_needs_a_passphrase_or_an_explicit_skip(owner_client: Client) -> None:
    response = owner_client.post("/setup/finish/", {"passphrase": "", "passphrase2": ""})
    assert "Type a backup passphrase twice, or skip backups for now." in response.content.decode()
    assert Household.objects.get().setup_finished_at is None
    response = owner_client.post("/setup/finish/", {"skip": "1"})
    assert response.status_code == 302
    household = Household.objects.get()
    assert household.setup_finished_at is not None and household.backup_key_encrypted == ""


def test_with_a_passphrase_already_set_the_finish_asks_nothing_more(owner: Any, owner_client: Client) -> None:
    backups.set_passphrase(PASSPHRASE)
    page = owner_client.get("/setup/finish/").content.decode()
    assert "A backup passphrase is set" in page and 'name="passphrase"' not in page
    assert owner_client.post("/setup/finish/", {}).status_code == 302
