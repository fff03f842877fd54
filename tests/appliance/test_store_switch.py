"""Switching the served model: a pulled, verified model is chosen, the engine starts on it, and refuses a changed file."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from appliance import engine, hardware
from appliance.plumbing.stack import free_port
from appliance.store import active, catalogue, fetch
from tests.appliance.conftest import ROOMY, pulled_copy
from tests.appliance.engines import until

ROOT = Path(__file__).resolve().parents[2]


def test_a_chosen_model_is_what_the_engine_starts_at_the_context_the_fit_chose(store: Path) -> None:
    entry, record = pulled_copy(store, "copy-a")
    active.choose(entry, entry.quantization(), ROOMY)
    argv = engine.command()
    assert argv[argv.index("--model") + 1] == record.path and Path(record.path).is_relative_to(store / "models")
    assert argv[argv.index("--n_ctx") + 1] == "8192"
    assert engine.served().file == "copy-a.gguf"


def test_the_engine_refuses_a_model_file_changed_after_it_was_verified(store: Path) -> None:
    entry, record = pulled_copy(store, "copy-a")
    active.choose(entry, entry.quantization(), ROOMY)
    with open(record.path, "r+b") as f:  # same size, one byte different: only the hash can tell
        f.seek(50_000_000)
        byte = f.read(1)
        f.seek(50_000_000)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(engine.EngineUnavailable, match=r"does not match its recorded sha256.*will not start it"):
        engine.command()


def test_a_model_that_is_not_in_the_store_cannot_be_chosen(store: Path) -> None:
    entry = catalogue.load().get("qwen2.5-3b-instruct")
    with pytest.raises(fetch.FetchError, match=re.escape("not in the store: run `./hearth models pull qwen2.5-3b-instruct` first")):
        active.choose(entry, entry.quantization("Q4_K_M"), ROOMY)
    assert engine.model_path() == str(engine.bundled_model())


def test_a_checkpoint_for_vllm_is_refused_by_the_llama_cpp_engine_in_words(store: Path, settings: Any) -> None:
    entry, _ = pulled_copy(store, "copy-a")
    active.choose(entry, entry.quantization(), ROOMY)
    settings.HEARTH_HOME_ENGINE = "vllm"
    with pytest.raises(engine.EngineUnavailable, match="is not one vLLM on the GPU loads"):
        engine.model_path()


def test_going_back_to_the_shipped_model_serves_it_again(store: Path) -> None:
    entry, _ = pulled_copy(store, "copy-a")
    active.choose(entry, entry.quantization(), ROOMY)
    active.forget()
    assert engine.model_path() == str(engine.bundled_model())
    assert hardware.known(engine.served().file) is not None


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def test_the_engine_restarts_on_the_new_model_when_the_household_switches(store: Path, settings: Any) -> None:
    first, first_record = pulled_copy(store, "copy-a")
    second, second_record = pulled_copy(store, "copy-b")
    active.choose(first, first.quantization(), ROOMY)
    port = free_port()
    env = os.environ | {"HEARTH_MODELS_DIR": str(settings.HEARTH_MODELS_DIR), "HEARTH_HOME_PORT": str(port), "HEARTH_HOME_MODEL": ""}
    supervisor = subprocess.Popen(
        [sys.executable, "manage.py", "home_engine"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, start_new_session=True
    )
    try:

        def serving(path: str) -> bool:
            children = _children(supervisor.pid)
            if not children or path not in Path(f"/proc/{children[0]}/cmdline").read_bytes().decode(errors="replace"):
                return False
            try:
                return httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1.0).status_code == 200
            except httpx.HTTPError:
                return False

        until(lambda: serving(first_record.path), 60, "the engine answers on the first model")
        before = _children(supervisor.pid)
        active.choose(second, second.quantization(), ROOMY)
        until(lambda: serving(second_record.path), 60, "the engine answers on the second model")
        assert _children(supervisor.pid) != before, "a new engine process, on the new file"
    finally:
        os.killpg(supervisor.pid, signal.SIGTERM)
        supervisor.wait(timeout=30)


def test_a_refused_model_is_said_refused_until_a_pull_fetches_it_again(store: Path) -> None:
    entry, record = pulled_copy(store, "copy-a")
    active.choose(entry, entry.quantization(), ROOMY)
    with open(record.path, "r+b") as f:
        f.seek(1000)
        f.write(b"\x00" * 16)
    with pytest.raises(engine.EngineUnavailable):
        engine.command()
    with pytest.raises(engine.EngineUnavailable, match="does not match its record"):
        engine.model_path()  # what the pages ask: the engine's refusal, without hashing again
    said: list[str] = []
    fetch.pull(entry, entry.quantization(), ROOMY, say=said.append)
    assert any("is damaged" in line and "fetching it again" in line for line in said)
    argv = engine.command()
    assert argv[argv.index("--model") + 1] == record.path and engine.model_path() == record.path
