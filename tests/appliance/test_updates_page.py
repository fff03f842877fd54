"""The Updates page: what the owner sees of the slots, installing a bundle from it, restarting, going back."""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.db.migrations import RunSQL
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.test.utils import override_settings

from appliance import updates
from appliance.models import Household
from appliance.updates import Box, Pending, State

# A stand-in for RAUC: `info` prints the bundle's manifest (a bundle here is its manifest as
# JSON) or refuses one whose signature is "bad"; `install` writes the slot in steps, waiting
# for a file when the bundle says so; `status mark-active` is written down.
FAKE_RAUC = """#!{python}
import json, pathlib, sys, time
here = pathlib.Path({here!r})
args = sys.argv[1:]
with (here / "rauc-calls").open("a") as calls:
    calls.write(" ".join(a for a in args if not a.startswith("--")) + "\\n")
if args[0] == "info":
    manifest = json.loads(pathlib.Path(args[-1]).read_text() or "{{}}")
    if manifest.get("signature") == "bad":
        print("rauc-Message: something", file=sys.stderr)
        print("signature verification failed: certificate signature failure", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(manifest))
elif args[0] == "install":
    manifest = json.loads(pathlib.Path(args[-1]).read_text())
    for pct in (0, 40, 80):
        print(f"{{pct}}% Copying image to rootfs.1", flush=True)
    deadline = time.time() + 60
    while manifest.get("hold") and not (here / "go").exists() and time.time() < deadline:
        time.sleep(0.1)
    print("100% Installing done.", flush=True)
elif args[:2] == ["status", "mark-active"]:
    print("marked slot rootfs as active")
"""


@pytest.fixture
def box(tmp_path: Path) -> Iterator[Box]:
    """A box booted from slot B running 1.1 (slot A holds 1.0), its files and a fake RAUC in tmp_path."""
    (tmp_path / "release").write_text("VERSION=1.1\nBUILD_DATE=2026-12-01T10:00:00+00:00\nPROFILE=cpu\n")
    (tmp_path / "cmdline").write_text("BOOT_IMAGE=/vmlinuz root=PARTLABEL=hearth-root-b rauc.slot=b rw\n")
    (tmp_path / "system.conf").write_text("[system]\ncompatible=hearth-cpu\nbootloader=custom\n")
    rauc = tmp_path / "rauc"
    rauc.write_text(FAKE_RAUC.format(python=sys.executable, here=str(tmp_path)))
    rauc.chmod(0o755)
    reboot = tmp_path / "reboot"
    reboot.write_text(f"#!/bin/sh\necho rebooted > {tmp_path / 'rebooted'}\n")
    reboot.chmod(0o755)
    with override_settings(
        HEARTH_UPDATE_DIR=tmp_path / "updates",
        HEARTH_RELEASE_FILE=tmp_path / "release",
        HEARTH_RAUC_CONF=tmp_path / "system.conf",
        HEARTH_KERNEL_CMDLINE=tmp_path / "cmdline",
        HEARTH_RAUC=str(rauc),
        HEARTH_REBOOT_COMMAND=[str(reboot)],
    ):
        the_box = Box.default()
        updates.save_state(the_box, State(slots={"a": {"version": "1.0", "build_date": "2026-11-01"}, "b": {"version": "1.1"}}))
        yield the_box


@pytest.fixture
def www(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A real web server on a free port serving a folder: where the owner's bundles are fetched from."""
    folder = tmp_path / "www"
    folder.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def bundle(version: str = "1.2", **extra: Any) -> bytes:
    return json.dumps({"compatible": "hearth-cpu", "version": version, "build": "2026-12-02", **extra}).encode()


def follow(client: Client, until: str, timeout: float = 90) -> str:
    """Poll the progress fragment as the page does until it reaches a state; return the last fragment."""
    deadline = time.monotonic() + timeout
    while True:
        fragment = client.get("/updates/progress/").content.decode()
        if f'data-state="{until}"' in fragment or time.monotonic() > deadline:
            return fragment
        time.sleep(0.3)


def test_the_page_shows_the_running_version_its_slot_the_other_slot_and_the_history_in_the_households_zone(
    box: Box, owner_client: Client
) -> None:
    Household.objects.filter(pk=1).update(time_zone="Europe/Berlin")
    updates.record(box, "installed", "1.1", "b", "restart to finish", "written in 40 s from 1.0")
    updates.record(box, "marked-good", "1.1", "b", "good", "health check passed after its first start")
    page = owner_client.get("/updates/").content.decode()
    assert "Hearth 1.1, built 2026-12-01 11:00 CET" in page
    assert "Running from slot B." in page and "Slot A holds Hearth 1.0." in page
    history = page.split('id="history"')[1]
    assert history.index("Kept: healthy") < history.index("Installed")  # newest first
    assert "health check passed after its first start" in history and "CET" in history


def test_a_box_that_does_not_boot_from_a_b_slots_says_so_and_offers_no_install(box: Box, owner_client: Client) -> None:
    box.cmdline.write_text("BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro\n")
    page = owner_client.get("/updates/").content.decode()
    assert "does not boot from A/B slots" in page
    assert 'id="url-form"' not in page and 'id="upload-form"' not in page and 'id="rollback"' not in page


def test_an_install_from_a_url_runs_in_a_child_and_its_progress_reaches_the_page_until_restart_to_finish(
    box: Box, owner_client: Client, www: tuple[Path, str]
) -> None:
    folder, base = www
    (folder / "hearth-1.2-cpu.raucb").write_bytes(bundle("1.2"))
    response = owner_client.post("/updates/install/", {"url": f"{base}/hearth-1.2-cpu.raucb"})
    assert response.status_code == 302
    fragment = follow(owner_client, "done")
    assert "Hearth 1.2 is written to the other slot: restart to finish." in fragment
    assert 'id="restart-now"' in fragment
    page = owner_client.get("/updates/").content.decode()
    assert "Hearth 1.2 is in slot A: restart to finish." in page
    assert list((box.update_dir / "incoming").glob("*.raucb")) == []  # the fetched bundle's space is freed


def test_the_progress_fragment_polls_and_shows_rauc_s_words_while_the_install_runs(
    box: Box, owner_client: Client, www: tuple[Path, str], tmp_path: Path
) -> None:
    folder, base = www
    (folder / "held.raucb").write_bytes(bundle("1.2", hold=True))
    owner_client.post("/updates/install/", {"url": f"{base}/held.raucb"})
    try:
        deadline = time.monotonic() + 90
        fragment = ""
        while "80% Copying image to rootfs.1" not in fragment and time.monotonic() < deadline:
            fragment = owner_client.get("/updates/progress/").content.decode()
            time.sleep(0.3)
        assert 'hx-trigger="every 2s"' in fragment and "80% Copying image to rootfs.1" in fragment
    finally:
        (tmp_path / "go").touch()
    assert 'hx-trigger="every 2s"' not in follow(owner_client, "done")


def test_a_second_install_while_one_runs_is_refused(box: Box, owner_client: Client, www: tuple[Path, str], tmp_path: Path) -> None:
    folder, base = www
    (folder / "held.raucb").write_bytes(bundle("1.2", hold=True))
    (folder / "other.raucb").write_bytes(bundle("1.3"))
    assert owner_client.post("/updates/install/", {"url": f"{base}/held.raucb"}).status_code == 302
    try:
        page = owner_client.post("/updates/install/", {"url": f"{base}/other.raucb"}).content.decode()
        assert "An update is being installed already: wait for it to finish." in page
        upload = SimpleUploadedFile("other.raucb", bundle("1.3"))
        page = owner_client.post("/updates/upload/", {"bundle": upload}).content.decode()
        assert "An update is being installed already" in page
    finally:
        (tmp_path / "go").touch()
    assert "Hearth 1.2 is written" in follow(owner_client, "done")
    assert updates.load_state(box).slots["a"]["version"] == "1.2"


def test_a_bundle_with_a_bad_signature_is_refused_with_the_reason_and_nothing_is_written(
    box: Box, owner_client: Client, www: tuple[Path, str], tmp_path: Path
) -> None:
    folder, base = www
    (folder / "forged.raucb").write_bytes(bundle("6.6.6", signature="bad"))
    owner_client.post("/updates/install/", {"url": f"{base}/forged.raucb"})
    fragment = follow(owner_client, "failed")
    assert "refused: signature verification failed: certificate signature failure" in fragment
    assert [line.split()[0] for line in (tmp_path / "rauc-calls").read_text().splitlines()] == ["info"]
    assert updates.load_state(box).slots["a"]["version"] == "1.0"
    assert updates.history(box)[0]["event"] == "refused"
    assert "Refused" in owner_client.get("/updates/").content.decode()


def test_a_bundle_for_another_kind_of_box_is_refused_with_the_reason(box: Box, owner_client: Client, www: tuple[Path, str]) -> None:
    folder, base = www
    (folder / "gpu.raucb").write_bytes(json.dumps({"compatible": "hearth-gpu", "version": "1.2"}).encode())
    owner_client.post("/updates/install/", {"url": f"{base}/gpu.raucb"})
    assert "the bundle is for &#x27;hearth-gpu&#x27;, this box is &#x27;hearth-cpu&#x27;" in follow(owner_client, "failed")


def test_an_uploaded_bundle_is_installed_from_the_data_partition(box: Box, owner_client: Client, tmp_path: Path) -> None:
    upload = SimpleUploadedFile("hearth-1.2-cpu.raucb", bundle("1.2"))
    assert owner_client.post("/updates/upload/", {"bundle": upload}).status_code == 302
    assert "Hearth 1.2 is written to the other slot" in follow(owner_client, "done")
    installed_from = (tmp_path / "rauc-calls").read_text().splitlines()[-1]
    assert installed_from == f"install {box.update_dir / 'incoming' / 'hearth-1.2-cpu.raucb'}"  # on the data partition
    assert updates.load_state(box).slots["a"]["version"] == "1.2"


@pytest.mark.parametrize(("name", "content", "error"), [
    ("notes.txt", b"hello", "notes.txt is not an update bundle: choose a .raucb file."),
    ("empty.raucb", b"", "The submitted file is empty."),
])  # fmt: skip
def test_an_upload_that_is_not_a_bundle_gets_a_form_error_and_writes_nothing(
    box: Box, owner_client: Client, tmp_path: Path, name: str, content: bytes, error: str
) -> None:
    page = owner_client.post("/updates/upload/", {"bundle": SimpleUploadedFile(name, content)}).content.decode()
    assert error in page
    incoming = box.update_dir / "incoming"
    assert not incoming.exists() or list(incoming.iterdir()) == []
    assert not (tmp_path / "rauc-calls").exists() and not (box.update_dir / "install.json").exists()


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://example.org/hearth.raucb", "must start with http:// or https://"),
        ("file:///etc/passwd", "must start with http:// or https://"),
        ("javascript:alert(1)", "must start with http:// or https://"),
        ("http://example.org/" + "a" * 5000, "at most 2000 characters"),
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("http:///bundle.raucb", "names no host"),
        ("http://example.org/a b.raucb", "no spaces or control characters"),
        ("http://example.org:port/x.raucb", "not a web address"),
        ("https://example.org/\x00.raucb", "Null characters are not allowed."),
    ],
)
def test_a_bad_bundle_address_gets_a_form_error_and_starts_nothing(box: Box, owner_client: Client, url: str, error: str) -> None:
    response = owner_client.post("/updates/install/", {"url": url})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not (box.update_dir / "install.json").exists()


def test_restart_now_runs_the_reboot_command(box: Box, owner_client: Client, tmp_path: Path) -> None:
    page = owner_client.post("/updates/restart/").content.decode()
    assert (tmp_path / "rebooted").read_text() == "rebooted\n"
    assert "The box is restarting." in page


def test_a_refused_restart_says_why(box: Box, owner_client: Client, tmp_path: Path) -> None:
    (tmp_path / "reboot").write_text("#!/bin/sh\necho 'Access denied' >&2\nexit 1\n")
    page = owner_client.post("/updates/restart/").content.decode()
    assert "The box could not be restarted: Access denied" in page


@pytest.fixture
def remigrate(transactional_db: None) -> Iterator[None]:
    """Leave the test database migrated as it was, whatever a rollback reversed."""
    yield
    call_command("migrate", verbosity=0, interactive=False)


def _previous_state_before_household_terms(box: Box) -> None:
    previous = updates.applied_migrations()
    assert previous["policies"] == "0002_household_terms"
    previous["policies"] = "0001_initial"  # the version in slot A did not have the household's terms yet
    state = updates.load_state(box)
    state.slots["a"]["migrations"] = previous
    updates.save_state(box, state)


def test_rolling_back_first_asks_and_names_the_migrations_it_will_reverse(box: Box, owner_client: Client, remigrate: None) -> None:
    _previous_state_before_household_terms(box)
    page = owner_client.post("/updates/rollback/").content.decode()
    assert "Go back to Hearth 1.0 in slot A?" in page and "<code>policies.0002_household_terms</code>" in page
    assert ("policies", "0002_household_terms") in MigrationRecorder(connection).applied_migrations()
    assert updates.load_state(box).pending is None


def test_rolling_back_reverses_the_newer_versions_migrations_then_switches_slots(
    box: Box, owner_client: Client, tmp_path: Path, remigrate: None
) -> None:
    _previous_state_before_household_terms(box)
    response = owner_client.post("/updates/rollback/", {"confirm": "yes"})
    assert response.status_code == 302
    assert ("policies", "0002_household_terms") not in MigrationRecorder(connection).applied_migrations()
    assert ("policies", "0001_initial") in MigrationRecorder(connection).applied_migrations()
    assert "status mark-active other" in (tmp_path / "rauc-calls").read_text()
    newest = updates.history(box)[0]
    assert newest["event"] == "rollback-requested" and "migrations reversed: policies.0002_household_terms" in newest["detail"]
    page = owner_client.get("/updates/?done=rollback").content.decode()
    assert "Hearth 1.0 is in slot A: restart to finish." in page and 'id="restart-now"' in page


def test_a_migration_that_cannot_be_reversed_refuses_the_rollback_and_switches_nothing(
    box: Box, owner_client: Client, tmp_path: Path, remigrate: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _previous_state_before_household_terms(box)
    newer = importlib.import_module("policies.migrations.0002_household_terms")
    monkeypatch.setattr(newer.Migration, "operations", [RunSQL("SELECT 1")])  # a data migration with no way back
    page = owner_client.post("/updates/rollback/", {"confirm": "yes"}).content.decode()
    assert "the migration policies.0002_household_terms cannot be reversed" in page
    assert ("policies", "0002_household_terms") in MigrationRecorder(connection).applied_migrations()
    assert not (tmp_path / "rauc-calls").exists()
    assert updates.load_state(box).pending is None


def test_going_back_to_a_version_recorded_before_migrations_were_kept_leaves_the_database_and_says_so(
    box: Box, owner_client: Client, remigrate: None
) -> None:
    owner_client.post("/updates/rollback/", {"confirm": "yes"})
    assert ("policies", "0002_household_terms") in MigrationRecorder(connection).applied_migrations()
    assert "no record of its database state" in updates.history(box)[0]["detail"]


def test_the_first_start_of_a_new_version_records_the_old_versions_migrations(box: Box, db: None) -> None:
    state = updates.load_state(box)
    state.pending = Pending("b", "1.1", "a", "1.0", "2026-12-01T01:00:00+00:00")
    updates.save_state(box, state)
    updates.on_boot("b", "b", box)
    recorded = updates.load_state(box).slots["a"]["migrations"]
    assert recorded["policies"] == "0002_household_terms" and recorded["gateway"] == "0009_routing_limits"


def test_members_may_not_see_or_use_the_updates_page(box: Box, member_client: Client, tmp_path: Path) -> None:
    assert member_client.get("/updates/").status_code == 403
    for path in ("/updates/progress/",):
        assert member_client.get(path).status_code == 403
    for path in ("/updates/install/", "/updates/upload/", "/updates/restart/", "/updates/rollback/"):
        assert member_client.post(path, {"url": "http://example.org/x.raucb", "confirm": "yes"}).status_code == 403
    assert not (tmp_path / "rebooted").exists() and not (tmp_path / "rauc-calls").exists()


def test_a_bundle_larger_than_other_request_bodies_is_uploaded_through_the_edge_to_the_data_partition(
    box: Box, transactional_db: None, tmp_path: Path
) -> None:
    from appliance.asgi import application  # here: importing it rewires Django's request signals for the session

    Household.objects.create(pk=1, name="The Smiths")
    owner = get_user_model().objects.create_user("owner", password="x", is_superuser=True, is_staff=True)
    signed_in = Client()
    signed_in.force_login(owner)
    cookies = {"sessionid": signed_in.cookies["sessionid"].value, "csrftoken": "a" * 32}
    large = bundle("1.2") + b" " * (20 * 1024 * 1024)  # past HEARTH_MAX_BODY_BYTES (16 MiB)

    async def post(path: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost", cookies=cookies) as http:
            files = {"bundle": ("hearth-1.2-cpu.raucb", large, "application/octet-stream")}
            return await http.post(
                path, data={"csrfmiddlewaretoken": "a" * 32}, files=files, headers={"Referer": "http://localhost/updates/"}
            )

    assert asyncio.run(post("/backups/restore/")).status_code == 413  # every other page keeps the edge's limit
    response = asyncio.run(post("/updates/upload/"))
    assert response.status_code == 302, response.text[:300]
    assert "Hearth 1.2 is written to the other slot" in follow(signed_in, "done")


def test_an_install_while_a_new_version_is_still_on_trial_is_refused_with_the_reason(
    box: Box, owner_client: Client, www: tuple[Path, str]
) -> None:
    folder, base = www
    (folder / "hearth-1.2-cpu.raucb").write_bytes(bundle("1.2"))
    state = updates.load_state(box)
    state.pending = Pending("b", "1.1", "a", "1.0", "2026-12-01T01:00:00+00:00", started_at="2026-12-01T01:05:00+00:00")
    updates.save_state(box, state)
    assert "Hearth 1.1 is on trial since" in owner_client.get("/updates/").content.decode()
    owner_client.post("/updates/install/", {"url": f"{base}/hearth-1.2-cpu.raucb"})
    assert "1.1 is still on trial in slot b: wait for its health check" in follow(owner_client, "failed")
    assert updates.load_state(box).slots["a"]["version"] == "1.0"
