"""Backups: encrypted with the owner's passphrase, scheduled and pruned, restored to a working box."""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from appliance import setupcode
from appliance.models import Household
from appliance.services import backups
from devices.models import Device
from gateway import audit
from gateway.choices import Outcome
from gateway.models import AuditEvent, ChainHead, Provider
from gateway.services import Result, close_audit
from policies import services as rule_services
from policies.models import HouseholdRule
from tests.conftest import Live, PairedDevice

from .conftest import PASSWORD

PASSPHRASE = "copper-kettle-winter-orchard"


@pytest.fixture(autouse=True)
def backup_dir(tmp_path: Path) -> Iterator[Path]:
    with override_settings(HEARTH_BACKUP_DIR=str(tmp_path / "backups"), HEARTH_SETUP_CODE_FILE=str(tmp_path / "setup-code")):
        yield tmp_path / "backups"


def seal_row(device: Device | None = None) -> AuditEvent:
    request_id = str(uuid.uuid4())
    AuditEvent.objects.create(
        request_id=request_id,
        created_at=timezone.now(),
        device=device,
        device_name=device.name if device else "tv",
        kind="chat",
        model_requested="m",
        prompt_text="the words of a request the household chose to keep for a week",
    )
    close_audit(request_id, Result(Outcome.OK, tier="home", provider_name="home", redactions={"email": 1}))
    return AuditEvent.objects.get(request_id=request_id)


def test_a_backup_is_unreadable_without_its_passphrase(owner: Any, backup_dir: Path) -> None:
    provider = Provider(name="cloudy", tier="cloud", base_url="https://example.invalid/v1", model_names=["m"])
    provider.set_api_key("sk-backup-secret-123456")
    provider.save()
    seal_row()
    with pytest.raises(backups.BackupError, match="passphrase"):
        backups.make_backup()
    backups.set_passphrase(PASSPHRASE)
    made = backups.make_backup()
    blob = (backup_dir / made.name).read_bytes()
    assert b"sk-backup-secret" not in blob and b"cloudy" not in blob and b"owner" not in blob
    assert (backup_dir / made.name).stat().st_mode & 0o077 == 0
    with pytest.raises(backups.BackupError, match="passphrase does not open"):
        backups.open_backup(blob, "not-the-passphrase")
    document = backups.open_backup(blob, PASSPHRASE)
    assert "the words of a request" not in str(document), "prompt text is never backed up"


def test_a_weak_passphrase_is_refused(owner: Any) -> None:
    with pytest.raises(backups.BackupError):
        backups.set_passphrase("password")
    assert Household.objects.get().backup_key_encrypted == ""


def test_backups_run_on_schedule_and_only_the_newest_are_kept(owner: Any) -> None:
    backups.set_passphrase(PASSPHRASE)
    backups.set_schedule(every_hours=6, keep=2)
    assert backups.run_scheduled() is not None
    assert backups.run_scheduled() is None  # not due yet
    assert backups.run_scheduled(now=timezone.now() + timedelta(hours=7)) is not None
    backups.make_backup()
    assert len(backups.listing()) == 2
    backups.set_schedule(every_hours=0, keep=2)
    assert backups.run_scheduled(now=timezone.now() + timedelta(days=30)) is None


def test_a_wrong_passphrase_or_a_damaged_file_restores_nothing(owner: Any, backup_dir: Path) -> None:
    backups.set_passphrase(PASSPHRASE)
    blob = (backup_dir / backups.make_backup().name).read_bytes()
    rule_services.apply_preset("home-only", {"home"})
    rules = HouseholdRule.objects.count()
    for bad, passphrase in [(blob, "wrong-passphrase-here"), (blob[:-5] + b"xxxxx", PASSPHRASE), (b"PK\x03\x04zip", PASSPHRASE)]:
        with pytest.raises(backups.BackupError):
            backups.restore(bad, passphrase)
    assert HouseholdRule.objects.count() == rules and get_user_model().objects.filter(username="owner").exists()


def test_the_owner_backs_up_downloads_and_restores_from_the_backups_page(owner_client: Client) -> None:
    owner_client.post("/backups/passphrase/", {"passphrase": PASSPHRASE, "passphrase2": PASSPHRASE})
    assert owner_client.post("/backups/now/").status_code == 302
    [made] = backups.listing()
    download = owner_client.get(f"/backups/{made.name}")
    blob = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert download.status_code == 200 and blob.startswith(backups.MAGIC)
    assert owner_client.get("/backups/..%2Fsecret_key").status_code == 404
    rule_services.apply_preset("careful", {"home"})
    response = owner_client.post("/backups/restore/", {"file": SimpleUploadedFile("b.backup", blob), "passphrase": PASSPHRASE})
    assert b"The backup is restored" in response.content
    assert not HouseholdRule.objects.exists(), "the rules are the backup's again (it had none)"
    assert owner_client.get("/backups/").status_code == 302, "everyone signs in again"


def test_a_restore_brings_back_a_working_box(
    transactional_db: None, live: Live, make_device: Callable[..., PairedDevice], backup_dir: Path
) -> None:
    # The household as it was: owner, a device, a provider, rules, an audit log.
    Household.objects.create(pk=1, name="The Smiths", privacy="no_names")
    get_user_model().objects.create_user("owner", password=PASSWORD, is_staff=True, is_superuser=True)
    laptop = make_device()
    provider = Provider(name="trusted-eu", tier="trusted", base_url="https://example.invalid/v1", model_names=["eu"])
    provider.set_api_key("sk-restore-key-7890")
    provider.save()
    rule_services.apply_preset("household", {"home", "trusted"})
    rules = sorted(HouseholdRule.objects.values_list("name", flat=True))
    rows = [seal_row(laptop.device) for _ in range(3)]
    backups.set_passphrase(PASSPHRASE)
    blob = (backup_dir / backups.make_backup().name).read_bytes()

    # The box is lost: a fresh one has none of it.
    for model in (AuditEvent, ChainHead, HouseholdRule, Device, Household):
        model.objects.all().delete()
    Provider.objects.exclude(tier="home").delete()
    get_user_model().objects.all().delete()
    with httpx.Client(base_url=live.api, headers={"Authorization": f"Bearer {laptop.key}"}, timeout=30) as api:
        assert api.get("/models").status_code == 401

        # On the new box's first screen: the setup code, the file and its passphrase.
        response = Client().post(
            "/setup/restore/",
            {"code": setupcode.ensure_setup_code(), "file": SimpleUploadedFile("b.backup", blob), "passphrase": PASSPHRASE},
        )
        assert b"The backup is restored" in response.content

        assert api.get("/models").status_code == 200, "the device's key works again"
    assert Provider.objects.get(name="trusted-eu").api_key() == "sk-restore-key-7890"
    assert sorted(HouseholdRule.objects.values_list("name", flat=True)) == rules
    assert Household.objects.get().privacy == "no_names"
    assert list(AuditEvent.objects.order_by("chain_seq").values_list("row_hash", flat=True)) == [r.row_hash for r in rows]
    assert audit.verify().problem == ""
    assert Client().post("/login/", {"username": "owner", "password": PASSWORD}).status_code == 302
    # Backups go on with the same passphrase.
    assert backups.make_backup().size > 0


def test_the_first_screen_restores_only_with_the_setup_code(db: None, backup_dir: Path) -> None:
    response = Client().post(
        "/setup/restore/", {"code": "WRNG-CODE", "file": SimpleUploadedFile("b.backup", b"whatever"), "passphrase": PASSPHRASE}
    )
    assert b"not the setup code" in response.content
    assert not get_user_model().objects.exists()


def test_the_console_command_makes_and_restores_a_backup(owner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    backups.set_passphrase(PASSPHRASE)
    out = io.StringIO()
    call_command("backup", "make", stdout=out)
    path = Path(out.getvalue().strip())
    rule_services.apply_preset("careful", {"home"})
    monkeypatch.setattr("getpass.getpass", lambda prompt: "wrong-passphrase-here")
    with pytest.raises(CommandError, match="passphrase does not open"):
        call_command("backup", "restore", str(path))
    assert HouseholdRule.objects.exists()
    monkeypatch.setattr("getpass.getpass", lambda prompt: PASSPHRASE)
    call_command("backup", "restore", str(path), stdout=out)
    assert "restored: 0 devices" in out.getvalue() and not HouseholdRule.objects.exists()


def test_the_scheduled_backup_runs_on_the_real_worker(transactional_db: None, live: Live) -> None:
    from appliance.tasks import scheduled_backup

    Household.objects.create(pk=1, name="The Smiths")
    get_user_model().objects.create_user("owner", password=PASSWORD, is_staff=True, is_superuser=True)
    backups.set_passphrase(PASSPHRASE)
    folder = live.stack.data_dir / "backups"  # the worker's own data dir
    before = set(folder.glob("*.backup")) if folder.exists() else set()
    scheduled_backup.apply_async(queue="upstream")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not set(folder.glob("*.backup")) - before:
        time.sleep(0.2)
    [made] = set(folder.glob("*.backup")) - before
    assert backups.open_backup(made.read_bytes(), PASSPHRASE)["format"] == "hearth-backup"
    assert Household.objects.get().last_backup_at is not None
