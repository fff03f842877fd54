"""The settings changes on the audit page: shown to the household, exported, verified, kept by backups."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings

from appliance import setupcode
from appliance.models import Household
from appliance.services import backups
from devices import services as device_services
from gateway import settings_audit
from gateway.models import SettingsChange
from policies import services as rule_services

from .conftest import PASSWORD

PASSPHRASE = "copper-kettle-winter-orchard"


@pytest.fixture(autouse=True)
def box_files(tmp_path: Path) -> Iterator[Path]:
    with override_settings(HEARTH_BACKUP_DIR=str(tmp_path / "backups"), HEARTH_SETUP_CODE_FILE=str(tmp_path / "setup-code")):
        yield tmp_path


def test_the_setup_wizard_is_named_as_who_made_the_household_and_its_owner(db: None) -> None:
    Client().post(
        "/setup/",
        {
            "code": setupcode.ensure_setup_code(), "username": "owner", "password": PASSWORD, "password2": PASSWORD,
            "household": "The Smiths", "time_zone": "Europe/Berlin", "language": "en",
        },
    )  # fmt: skip
    made = {(c.actor, c.kind, c.name, c.action) for c in SettingsChange.objects.all()}
    assert {("setup wizard", "owner", "owner", "added"), ("setup wizard", "household", "the household", "added")} <= made


def test_the_audit_page_shows_who_changed_a_setting_in_the_households_time(owner_client: Client) -> None:
    Household.objects.filter(pk=1).update(time_zone="Asia/Tokyo")
    owner_client.post("/audit/settings/", {"retention_days": 0, "privacy": "no_names"})
    page = owner_client.get("/audit/", {"log": "settings"}).content.decode()
    table = page.split('id="settings-changes"')[1].split("</table>")[0]
    row = next(r for r in table.split("<tr>") if "privacy level" in r)
    assert "owner" in row and "Full metadata" in row and "Without device names" in row and " JST</td>" in row


def test_the_requests_page_shows_the_latest_settings_changes_to_a_member(owner_client: Client, member_client: Client) -> None:
    owner_client.post("/audit/settings/", {"retention_days": 14, "privacy": "full"})
    page = member_client.get("/audit/").content.decode()
    latest = page.split('id="latest-settings-changes"')[1].split("</article>")[0]
    assert "keep audit rows" in latest and "14 days" in latest


def test_settings_changes_export_as_json_and_csv_in_the_households_time(owner_client: Client) -> None:
    Household.objects.filter(pk=1).update(time_zone="Asia/Tokyo")
    owner_client.post("/audit/settings/", {"retention_days": 0, "privacy": "counts"})
    exported = json.loads(b"".join(owner_client.get("/audit/export.json", {"log": "settings"}).streaming_content))
    change = next(c for c in exported if c["field"] == "privacy level")
    assert (change["actor"], change["old_value"], change["new_value"]) == ("owner", "Full metadata", "Counts only")
    assert change["at"].endswith("+09:00")
    text = b"".join(owner_client.get("/audit/export.csv", {"log": "settings"}).streaming_content).decode()
    assert any(r["field"] == "privacy level" and r["new_value"] == "Counts only" for r in csv.DictReader(io.StringIO(text)))


def test_verifying_on_the_page_finds_a_tampered_settings_change(owner_client: Client) -> None:
    owner_client.post("/audit/settings/", {"retention_days": 0, "privacy": "no_names"})
    assert 'id="verify-settings-outcome"' in (ok := owner_client.post("/audit/verify/").content.decode()) and "intact" in ok
    SettingsChange.objects.filter(field="privacy level").update(new_value="Full metadata")
    body = owner_client.post("/audit/verify/").content.decode()
    outcome = body.split('id="verify-settings-outcome"')[1].split("</p>")[0]
    assert "broken" in outcome and "does not match its hash" in outcome


def test_a_restore_brings_back_the_settings_changes_and_records_itself(owner_client: Client, box_files: Path) -> None:
    owner_client.post("/backups/passphrase/", {"passphrase": PASSPHRASE, "passphrase2": PASSPHRASE})
    owner_client.post("/backups/now/")
    [made] = backups.listing()
    blob = (box_files / "backups" / made.name).read_bytes()
    rule_services.apply_preset("careful", {"home"})  # after the backup: gone with the restore
    assert SettingsChange.objects.filter(kind="rule").exists()
    response = owner_client.post("/backups/restore/", {"file": SimpleUploadedFile("b.backup", blob), "passphrase": PASSPHRASE})
    assert b"The backup is restored" in response.content
    assert SettingsChange.objects.filter(actor="owner", field="backup passphrase", new_value="passphrase set").exists()
    assert not SettingsChange.objects.filter(kind="rule").exists()
    last = SettingsChange.objects.order_by("-seq").first()
    assert last is not None and (last.actor, last.kind, last.action) == ("owner", "backup", "restored")
    assert settings_audit.verify().problem == ""


def test_a_passphrase_is_recorded_only_as_set(owner_client: Client) -> None:
    owner_client.post("/backups/passphrase/", {"passphrase": PASSPHRASE, "passphrase2": PASSPHRASE})
    recorded: Any = list(SettingsChange.objects.values_list("old_value", "new_value"))
    assert ("", "passphrase set") in recorded and PASSPHRASE not in json.dumps(recorded)


def test_a_tier_cap_changed_on_the_devices_page_is_recorded_with_the_old_and_new_tier(owner_client: Client) -> None:
    tv = device_services.add_device("tv", "tv", "home").device
    owner_client.post(f"/devices/{tv.pk}/", {"name": "tv", "category": "tv", "max_tier": "trusted"})
    [change] = SettingsChange.objects.filter(kind="device", name="tv", action="changed")
    assert (change.actor, change.field, change.old_value, change.new_value) == ("owner", "highest allowed tier", "home", "trusted")


def test_adding_and_removing_a_member_is_recorded_and_the_password_is_not(owner_client: Client) -> None:
    owner_client.post("/members/", {"username": "grandma", "password": "velvet-harbour-lantern-31"})
    grandma = get_user_model().objects.get(username="grandma")
    owner_client.post(f"/members/{grandma.pk}/remove/")
    recorded = [(c.actor, c.kind, c.name, c.action) for c in SettingsChange.objects.filter(name="grandma").order_by("seq")]
    assert recorded == [("owner", "member", "grandma", "added"), ("owner", "member", "grandma", "removed")]
    assert "velvet" not in json.dumps(list(SettingsChange.objects.values_list("old_value", "new_value")))


def test_without_device_names_the_settings_changes_hide_which_device_changed(owner_client: Client, member_client: Client) -> None:
    device_services.add_device("teens-laptop", "laptop", "home")
    owner_client.post("/audit/settings/", {"retention_days": 0, "privacy": "no_names"})
    page = member_client.get("/audit/", {"log": "settings"}).content.decode()
    exported = b"".join(member_client.get("/audit/export.json", {"log": "settings"}).streaming_content).decode()
    assert "teens-laptop" not in page and "teens-laptop" not in exported
    assert any(c["kind"] == "device" and c["name"] == "hidden" for c in json.loads(exported))
