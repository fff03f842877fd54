"""`./hearth models`: list, fit, add, pull with progress and use, from the console."""

from __future__ import annotations

import hashlib
import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from appliance import engine
from tests.appliance.store_server import FileServer, Served, file_server

BODY = os.urandom(2 * 2**20)


@pytest.fixture
def hub(settings: Any, tmp_path: Path) -> Iterator[FileServer]:
    settings.HEARTH_MODELS_DIR = tmp_path / "models"
    settings.HEARTH_MODELS_DISK_RESERVE_MIB = 1
    settings.HEARTH_HOME_MODEL = ""
    settings.HEARTH_HOME_ENGINE = "llamacpp"
    with file_server() as server:
        settings.HEARTH_HF_ENDPOINT = server.endpoint
        yield server


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("models", *args, stdout=out)
    return out.getvalue()


def test_the_list_shows_the_shipped_model_as_served_now(hub: FileServer) -> None:
    listing = run("list")
    shipped = next(line for line in listing.splitlines() if line.startswith("smollm2-135m-instruct"))
    assert "Apache-2.0" in shipped and "served now" in shipped
    assert "qwen2.5-32b-instruct" in listing and "not fetched" in listing


def test_fit_says_what_fits_this_box_and_what_it_recommends(hub: FileServer) -> None:
    said = run("fit")
    assert "This box gives a model" in said and "Recommended: " in said
    assert "SmolLM2 135M Instruct (Q4_1) fits" in said or "NVIDIA" in said


@pytest.mark.django_db  # serving it updates the home provider row the router reads
def test_a_model_added_from_the_hub_is_pulled_with_progress_and_then_served(hub: FileServer) -> None:
    hub.hub("family/tiny", "tiny.gguf", Served(BODY))
    added = run(
        "add", "tiny", "--hf", "family/tiny", "--file", "tiny.gguf", "--size", str(len(BODY)), "--parameters", "1000000",
        "--context-length", "4096", "--layers", "2", "--kv-heads", "1", "--head-dim", "8",
    )  # fmt: skip
    assert "sha256 (taken from the source at the pull)" in added
    pulled = run("pull", "tiny")
    assert "tiny.gguf: 2 MiB of 2 MiB (100 %)" in pulled and "MiB/s" in pulled and "s left" in pulled
    assert f"verified (sha256 {hashlib.sha256(BODY).hexdigest()[:12]}" in pulled and "checked against the source" in pulled
    used = run("use", "tiny")
    assert "serves tiny file now, with 4,096 tokens of context" in used
    assert Path(engine.model_path()).read_bytes() == BODY
    run("use", "--shipped")
    assert engine.model_path() == str(engine.bundled_model())


def test_pulling_a_model_the_box_cannot_load_is_refused_with_the_reason(hub: FileServer) -> None:
    with pytest.raises(CommandError, match=r"refused before any download: Qwen2.5 32B Instruct \(AWQ\) is an AWQ model"):
        run("pull", "qwen2.5-32b-instruct")
    assert hub.requests == []


def test_an_unknown_model_is_named_with_the_ones_there_are(hub: FileServer) -> None:
    with pytest.raises(CommandError, match="no model 'gpt-9' in the catalogue; known: smollm2-135m-instruct"):
        run("pull", "gpt-9")


def _pulled_tiny(hub: FileServer) -> Path:
    hub.hub("family/tiny", "tiny.gguf", Served(BODY))
    run(
        "add", "tiny", "--hf", "family/tiny", "--file", "tiny.gguf", "--size", str(len(BODY)), "--parameters", "1000000",
        "--context-length", "4096", "--layers", "2", "--kv-heads", "1", "--head-dim", "8",
    )  # fmt: skip
    run("pull", "tiny")
    return Path(settings.HEARTH_MODELS_DIR) / "tiny" / "file" / "tiny.gguf"


def test_verify_finds_a_damaged_stored_model_and_repair_fetches_it_again(hub: FileServer) -> None:
    stored = _pulled_tiny(hub)
    assert "tiny file: every file matches its sha256" in run("verify")
    stored.write_bytes(BODY[:-1] + b"\x00")
    with pytest.raises(CommandError, match="1 stored model damaged"):
        run("verify")
    repaired = run("verify", "--repair")
    assert "does not match its recorded sha256" in repaired and "fetching it again" in repaired
    assert stored.read_bytes() == BODY


def test_verify_reads_no_faster_than_its_rate(hub: FileServer) -> None:
    _pulled_tiny(hub)
    started = time.monotonic()
    run("verify", "--rate", "4")  # 2 MiB at 4 MB/s: at least half a second
    assert time.monotonic() - started >= 0.5


def test_the_daily_check_fetches_a_damaged_stored_model_again(hub: FileServer, caplog: pytest.LogCaptureFixture) -> None:
    from appliance import tasks

    stored = _pulled_tiny(hub)
    stored.write_bytes(BODY[:-1] + b"\x00")  # a bit gone bad on disk
    tasks.verify_models()  # what beat runs every day (HEARTH_MODELS_VERIFY_MB_S)
    assert stored.read_bytes() == BODY
    assert "1 damaged and fetched again" in caplog.text
