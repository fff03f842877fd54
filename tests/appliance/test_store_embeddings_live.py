"""A home embeddings model on the running box: chosen in the store, its own engine started, devices' embeddings
sent to it by name or as hearth-auto, chat refused by it in words, and stopped again from the store."""

from __future__ import annotations

import time
from pathlib import Path

import openai
import pytest

from appliance import engine
from appliance.store import active, services
from gateway.models import AuditEvent
from tests.appliance.conftest import ROOMY, pulled_copy
from tests.appliance.engines import engine_argv, serving, until
from tests.conftest import Live, PairedDevice

pytestmark = pytest.mark.django_db(transaction=True)


def _went_to(request_count: int) -> list[str]:
    """Return the providers of the box's embedding requests so far, once the audit log holds this many."""
    until(lambda: AuditEvent.objects.filter(kind="embedding").exclude(outcome="pending").count() >= request_count, 30, "the audit rows")
    return list(AuditEvent.objects.filter(kind="embedding").order_by("created_at").values_list("provider_name", flat=True))


def test_an_embeddings_model_chosen_in_the_store_answers_the_households_embeddings_on_its_own_engine(
    live: Live, laptop: PairedDevice, box_store: Path, tmp_path: Path
) -> None:
    # llama.cpp pools any model's states into an embedding, so a copy of the shipped model serves as one
    entry, record = pulled_copy(tmp_path, f"embed-copy-{time.time_ns()}", embeddings=True)
    name = entry.name
    services.serve(entry, entry.quantization(), ROOMY, active.EMBEDDINGS)
    embeddings_port = live.stack.ports.embeddings
    until(lambda: serving(live, record.path, embeddings_port), 120, "the embeddings engine serves the copy")
    assert serving(live, str(engine.bundled_model())), "the chat engine keeps its own model"

    client = openai.OpenAI(base_url=live.api, api_key=laptop.key)
    assert name in {m.id for m in client.models.list()}
    named = client.embeddings.create(model=name, input="Turn on the kitchen light")
    auto = client.embeddings.create(model="hearth-auto", input="Turn on the kitchen light")
    assert len(named.data[0].embedding) == len(auto.data[0].embedding) > 100
    assert _went_to(2) == ["home-embeddings", "home-embeddings"]

    with pytest.raises(openai.BadRequestError, match=f"The model '{name}' makes no chat or completions") as refused:
        client.chat.completions.create(model=name, messages=[{"role": "user", "content": "Hello"}], max_tokens=4)
    assert refused.value.code == "model_not_supported"
    chat = client.chat.completions.create(model="hearth-auto", messages=[{"role": "user", "content": "Hello"}], max_tokens=4)
    assert chat.choices[0].message.content is not None, "chat still goes to the chat model"

    services.stop_embeddings()
    until(lambda: not engine_argv(live, embeddings_port), 60, "the embeddings engine stops")
    assert name not in {m.id for m in client.models.list()}
    again = client.embeddings.create(model="hearth-auto", input="Turn on the kitchen light")
    assert len(again.data[0].embedding) == len(auto.data[0].embedding)
    assert _went_to(3)[-1] == "home", "the chat model makes the embeddings again"
