"""Switching the served model on the running box while an answer streams: the answer finishes, then the engine switches."""

from __future__ import annotations

import time
from pathlib import Path

import openai
import pytest

from appliance import engine
from appliance.store import active
from tests.appliance.conftest import ROOMY, pulled_copy
from tests.appliance.engines import engine_argv, serving, until
from tests.conftest import Live, PairedDevice

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_answer_streaming_when_the_model_is_switched_finishes_before_the_engine_restarts(
    live: Live, laptop: PairedDevice, box_store: Path, tmp_path: Path
) -> None:
    entry, record = pulled_copy(tmp_path, f"switch-copy-{time.time_ns()}")
    active.choose(entry, entry.quantization(), ROOMY)
    until(lambda: serving(live, record.path), 120, "the box serves the copy from the store")
    before = engine_argv(live)

    client = openai.OpenAI(base_url=live.api, api_key=laptop.key)
    with client.chat.completions.with_streaming_response.create(
        model="hearth-auto", messages=[{"role": "user", "content": "Tell a long story about a lighthouse."}], max_tokens=160, stream=True
    ) as response:
        chunks = response.parse()
        first = next(iter(chunks))
        active.forget()  # switch back to the shipped model while the answer is being written
        rest = list(chunks)
        assert engine_argv(live) == before, "the engine still runs the copy while the answer streams"
    assert first.choices or rest
    assert rest[-1].choices[0].finish_reason in {"stop", "length"}, "the answer ends normally, not cut by the switch"
    until(lambda: serving(live, str(engine.bundled_model())), 120, "after the answer, the engine restarts on the shipped model")
