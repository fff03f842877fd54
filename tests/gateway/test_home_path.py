"""A paired device asks; the home engine (llama.cpp with SmolLM2) answers through Hearth."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest
from django.conf import settings

from tests.conftest import Live, PairedDevice, audited

pytestmark = pytest.mark.django_db(transaction=True)


def test_openai_client_streams_an_answer_from_the_home_engine(live: Live, laptop: PairedDevice) -> None:
    client = openai.OpenAI(base_url=live.api, api_key=laptop.key)
    with client.chat.completions.with_streaming_response.create(
        model="hearth-auto", messages=[{"role": "user", "content": "Name a colour."}], max_tokens=12, stream=True
    ) as response:
        assert response.headers["x-hearth-tier"] == "home"
        assert response.headers["x-hearth-provider"] == "home"
        chunks = list(response.parse())
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len(chunks) > 2, "the answer arrives in pieces, not at once"
    assert text.strip()
    assert chunks[-1].choices[0].finish_reason in {"stop", "length"}


def test_openai_client_gets_a_whole_answer_and_usage(live: Live, laptop: PairedDevice) -> None:
    client = openai.OpenAI(base_url=live.api, api_key=laptop.key)
    completion = client.chat.completions.create(
        model="hearth-auto",
        messages=[
            {"role": "system", "content": "Answer briefly."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Name a fruit."},
        ],
        max_tokens=10,
        temperature=0.2,
        stop=["\n\n"],
    )
    assert completion.choices[0].message.content
    assert completion.usage is not None and completion.usage.completion_tokens > 0


def test_the_request_is_audited_with_tier_and_timings_but_no_text(live: Live, laptop: PairedDevice) -> None:
    client = openai.OpenAI(base_url=live.api, api_key=laptop.key)
    marker = "Zanzibar-marmalade-4711"
    client.chat.completions.create(model="hearth-auto", messages=[{"role": "user", "content": f"Repeat: {marker}"}], max_tokens=8)
    [event] = audited(laptop.device)
    assert (event.outcome, event.tier, event.provider_name, event.kind) == ("ok", "home", "home", "chat")
    assert event.ttft_ms is not None and event.total_ms is not None and event.total_ms >= event.ttft_ms
    assert event.completion_tokens and event.prompt_tokens
    assert event.chain_seq is not None and event.row_hash
    # Nothing of the prompt is stored anywhere in the database files.
    db = Path(str(settings.DATABASES["default"]["NAME"]))
    stored = b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists())
    assert marker.encode() not in stored


def test_text_completions_and_embeddings_work_on_the_home_engine(live: Live, laptop: PairedDevice) -> None:
    client = openai.OpenAI(base_url=live.api, api_key=laptop.key)
    completion = client.completions.create(model="hearth-auto", prompt="The sky is", max_tokens=5)
    assert completion.choices[0].text
    streamed = list(client.completions.create(model="hearth-auto", prompt="One, two,", max_tokens=5, stream=True))
    assert any(c.choices and c.choices[0].text for c in streamed)
    embedding = client.embeddings.create(model="hearth-auto", input=["kitchen lights", "garden"])
    assert len(embedding.data) == 2 and len(embedding.data[0].embedding) > 8


def test_models_lists_auto_and_only_what_the_device_may_use(live: Live, laptop: PairedDevice, make_provider) -> None:  # type: ignore[no-untyped-def]
    make_provider("cloudy", "cloud")
    client = openai.OpenAI(base_url=live.api, api_key=laptop.key)
    names = [m.id for m in client.models.list()]
    assert names[0] == "hearth-auto"
    assert "home" in names
    assert "cloudy-model" not in names, "a home-only device must not see cloud models"
