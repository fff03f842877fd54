"""Switching the served model on the running box while an answer streams: the answer finishes, then the engine switches."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from appliance import engine
from appliance.store import active, catalogue, fetch, services
from appliance.store import fit as store_fit
from tests.conftest import Live, PairedDevice

pytestmark = pytest.mark.django_db(transaction=True)
ROOMY = store_fit.cpu_budget(32_768, 30_000)


def _until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def _engine_argv(live: Live) -> str:
    """Return the command line of the engine the running box's supervisor started last ('' while there is none)."""
    supervisor = next(s for s in live.stack.services if s.name == "home-engine").process
    assert supervisor is not None
    try:
        children = Path(f"/proc/{supervisor.pid}/task/{supervisor.pid}/children").read_text().split()
        return Path(f"/proc/{children[0]}/cmdline").read_bytes().decode(errors="replace") if children else ""
    except (FileNotFoundError, IndexError):
        return ""


def _serving(live: Live, path: str) -> bool:
    if path not in _engine_argv(live):
        return False
    try:
        return httpx.get(f"http://127.0.0.1:{live.stack.ports.engine}/v1/models", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def box_store(live: Live, settings: Any) -> Iterator[Path]:
    """The running box's own store (its web process and engine supervisor read it); back on the shipped model after."""
    settings.HEARTH_MODELS_DIR = live.stack.data_dir / "models"
    settings.HEARTH_MODELS_DISK_RESERVE_MIB = 1
    yield Path(settings.HEARTH_MODELS_DIR)
    active.forget()
    _until(lambda: _serving(live, str(engine.bundled_model())), 120, "the box serves the shipped model again")


def test_an_answer_streaming_when_the_model_is_switched_finishes_before_the_engine_restarts(
    live: Live, laptop: PairedDevice, box_store: Path, tmp_path: Path
) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    copy = stick / "smollm2-copy.gguf"
    shutil.copyfile(engine.bundled_model(), copy)
    name = f"switch-copy-{time.time_ns()}"
    services.add_local(name, copy)
    entry = catalogue.load().get(name)
    record = fetch.pull(entry, entry.quantization(), ROOMY, say=lambda _: None)
    active.choose(entry, entry.quantization(), ROOMY)
    _until(lambda: _serving(live, record.path), 120, "the box serves the copy from the store")
    before = _engine_argv(live)

    client = openai.OpenAI(base_url=live.api, api_key=laptop.key)
    with client.chat.completions.with_streaming_response.create(
        model="hearth-auto", messages=[{"role": "user", "content": "Tell a long story about a lighthouse."}], max_tokens=160, stream=True
    ) as response:
        chunks = response.parse()
        first = next(iter(chunks))
        active.forget()  # switch back to the shipped model while the answer is being written
        rest = list(chunks)
        assert _engine_argv(live) == before, "the engine still runs the copy while the answer streams"
    assert first.choices or rest
    assert rest[-1].choices[0].finish_reason in {"stop", "length"}, "the answer ends normally, not cut by the switch"
    _until(lambda: _serving(live, str(engine.bundled_model())), 120, "after the answer, the engine restarts on the shipped model")
