"""The store's disk use and removing old versions: on the hardware step and with `./hearth models rm`."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from appliance import hardware
from appliance.store import active, disk, fetch, integrity, progress, services
from appliance.store.catalogue import Entry, Quantization
from tests.appliance.store_server import Served, file_server

BODY = os.urandom(3 * 2**20 + 12345)


@pytest.fixture
def tiny(settings: Any, tmp_path: Path) -> Iterator[tuple[Entry, Quantization]]:
    """A small model added from a local hub and fetched into the store, verified."""
    settings.HEARTH_MODELS_DIR = tmp_path / "models"
    settings.HEARTH_MODELS_DISK_RESERVE_MIB = 1
    settings.HEARTH_HOME_MODEL = ""
    settings.HEARTH_HOME_ENGINE = "llamacpp"
    with file_server() as server:
        settings.HEARTH_HF_ENDPOINT = server.endpoint
        server.hub("family/tiny", "tiny.gguf", Served(BODY))
        services.add_remote("tiny", services.Remote("tiny.gguf", len(BODY), 1_000_000, 4096, 2, 1, 8, hf="family/tiny"))
        entry = hardware.catalogue().get("tiny")
        quantization = entry.quantization()
        fetch.pull(entry, quantization, None, say=lambda _: None)
        yield entry, quantization


def kept_row(page: str, model: str) -> str:
    return page.split(f'<tr data-kept="{model}"')[1].split("</tr>")[0]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("models", *args, stdout=out)
    return out.getvalue()


def test_the_store_page_shows_what_each_stored_version_takes_and_the_disk_left(tiny: Any, owner_client: Client) -> None:
    page = owner_client.get("/setup/hardware/").content.decode()
    row = kept_row(page, "tiny")
    assert "Tiny</strong> file" in row and "3 MiB" in row and "Remove" in row
    free = page.split('id="disk-free">')[1].split("</p>")[0]
    assert " free of " in free and "on the disk the store is on" in free and "the store takes 3 MiB" in free


def test_removing_a_version_not_served_frees_its_disk_and_it_is_no_longer_in_the_store(tiny: Any, owner_client: Client) -> None:
    entry, quantization = tiny
    folder = fetch.folder_for(entry, quantization)
    page = owner_client.post("/setup/hardware/models/remove/", {"model": "tiny", "quantization": "file"}).content.decode()
    assert 'id="store-message">Removed Tiny (file) from the store: 3 MiB freed.' in page
    assert 'data-kept="tiny"' not in page and "No model has been fetched into the store yet." in page
    assert fetch.installed(entry, quantization) is None and not folder.exists()
    assert not list(fetch.models_dir().rglob("*.gguf")), "no copy of the file is left anywhere in the store"


def test_removing_the_model_the_home_engine_serves_is_refused_in_words(tiny: Any, owner_client: Client) -> None:
    entry, quantization = tiny
    owner_client.post("/setup/hardware/models/serve/", {"model": "tiny"})
    page = owner_client.post("/setup/hardware/models/remove/", {"model": "tiny", "quantization": "file"}).content.decode()
    assert (
        'id="store-error">Tiny (file) is the model the home engine serves, so it stays: serve another model first, then remove it' in page
    )
    assert "served now: it stays" in kept_row(page, "tiny")
    record = fetch.installed(entry, quantization)
    assert record is not None and fetch.check(record, full=True) == [], "its files are whole, as before"


def test_removing_a_version_while_it_is_being_fetched_is_refused(tiny: Any, owner_client: Client) -> None:
    entry, quantization = tiny
    progress.Writer("tiny", "file")  # this process, alive: a pull that is running
    page = owner_client.post("/setup/hardware/models/remove/", {"model": "tiny", "quantization": "file"}).content.decode()
    assert 'id="store-error">Tiny (file) is being fetched: cancel the fetch first, then remove it' in page
    assert fetch.installed(entry, quantization) is not None


def test_a_removal_cut_short_by_a_crash_leaves_nothing_that_looks_whole(tiny: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    entry, quantization = tiny

    def power_cut() -> None:
        raise SystemExit("the box lost power after the rename")

    with monkeypatch.context() as m:
        m.setattr(disk, "_sweep", power_cut)
        with pytest.raises(SystemExit):
            disk.remove(entry, quantization, served="")
    assert fetch.installed(entry, quantization) is None, "the record left with its files, in one rename"
    assert integrity.verify_all(1e9, repair=False, say=lambda _: None) == [], "the daily check finds no half model"
    assert len(BODY) <= disk.usage(hardware.catalogue(), "").unfinished < len(BODY) + 4096  # the page counts it until it is gone
    with pytest.raises(fetch.FetchError, match="is not in the store; nothing was removed"):
        disk.remove(entry, quantization, served="")
    fetch.pull(entry, quantization, None, say=lambda _: None)
    disk.remove(entry, quantization, served="")
    assert disk.usage(hardware.catalogue(), "").unfinished == 0, "the next removal finished the one the crash cut"


def test_the_console_removes_a_version_by_name(tiny: Any) -> None:
    entry, quantization = tiny
    assert run("rm", "tiny") == "removed tiny file from the store: 3 MiB freed\n"
    assert fetch.installed(entry, quantization) is None


def test_the_console_refuses_to_remove_the_served_model(tiny: Any) -> None:
    entry, quantization = tiny
    active.choose(entry, quantization, hardware.budget(hardware.survey()))
    with pytest.raises(CommandError, match="is the model the home engine serves, so it stays"):
        run("rm", "tiny", "file")
    assert fetch.installed(entry, quantization) is not None


def test_the_console_asks_which_version_when_none_is_in_the_store(tiny: Any) -> None:
    with pytest.raises(CommandError, match=r"name the version of qwen2.5-3b-instruct to remove \(in the store: none\)"):
        run("rm", "qwen2.5-3b-instruct")


def test_the_store_page_marks_the_model_a_device_asked_for_with_its_fetch_button(tiny: Any, owner_client: Client) -> None:
    entry, quantization = tiny
    disk.remove(entry, quantization, served="")
    page = owner_client.get("/setup/hardware/?asked=tiny").content.decode()
    row = page.split('<tr data-model="tiny" class="asked" id="asked">')[1].split("</tr>")[0]
    assert "a device asked for it" in row and 'action="/setup/hardware/models/pull/"' in row and ">Fetch</button>" in row
    assert 'id="asked-note">A device asked for <strong>Tiny</strong>: it fits this box and is marked below' in page


def test_a_model_asked_for_that_does_not_fit_is_said_so_on_the_store_page(tiny: Any, owner_client: Client) -> None:
    page = owner_client.get("/setup/hardware/?asked=qwen2.5-32b-instruct").content.decode()
    assert "A device asked for <strong>Qwen2.5 32B Instruct</strong>, but it cannot be fetched for this box:" in page
    assert 'class="asked"' not in page
