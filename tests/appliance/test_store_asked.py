"""A device asking for a model the box does not serve but the store can fetch: told so, and the owner told once a day."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from appliance.models import Household, Notice
from appliance.plumbing.redis import sync_client
from appliance.services import notices
from appliance.store import asked
from appliance.store.catalogue import load
from tests.conftest import PairedDevice

pytestmark = pytest.mark.django_db(transaction=True)

PROMPT = "what do the Ngatas keep in the blue safe"


def ask(client: httpx.Client, model: str) -> httpx.Response:
    return client.post("/chat/completions", json={"model": model, "messages": [{"role": "user", "content": PROMPT}], "max_tokens": 4})


@pytest.fixture
def household() -> Iterator[None]:
    Household.objects.create(pk=1, name="The Ngatas", time_zone="Pacific/Auckland", language="en")
    sync_client().delete(asked.ASKED_KEY)  # the session's Redis keeps asks from earlier tests
    yield
    sync_client().delete(asked.ASKED_KEY)  # nor may later tests' notices meet these asks


def test_a_device_asking_for_a_model_the_store_can_fetch_is_told_the_owner_can_add_it(
    household: None, laptop: PairedDevice, client_for: Callable[[PairedDevice], httpx.Client]
) -> None:
    answer = ask(client_for(laptop), "qwen2.5-3b-instruct")
    assert answer.status_code == 404
    error = answer.json()["error"]
    assert error["code"] == "model_not_found" and error["type"] == "invalid_request_error"
    assert error["message"] == (
        "The model 'qwen2.5-3b-instruct' does not exist or this device may not use it. "
        "The household's box can fetch it: ask the owner to add it on the store page."
    )


def test_the_served_model_answers_to_its_catalogue_name_as_well_as_to_the_engine_s_alias(
    household: None, laptop: PairedDevice, client_for: Callable[[PairedDevice], httpx.Client]
) -> None:
    answer = ask(client_for(laptop), "smollm2-135m-instruct")
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-hearth-tier"] == "home" and answer.json()["choices"][0]["message"]["content"] is not None


def test_a_model_the_store_does_not_know_gets_the_plain_model_not_found(
    household: None, laptop: PairedDevice, client_for: Callable[[PairedDevice], httpx.Client]
) -> None:
    answer = ask(client_for(laptop), "gpt-17-ultra")
    assert answer.json()["error"]["message"] == "The model 'gpt-17-ultra' does not exist or this device may not use it."
    assert sync_client().hgetall(asked.ASKED_KEY) == {}
    assert notices.check(chain=False) == []


def test_the_owner_is_told_once_a_day_which_device_asked_for_which_model_and_never_the_prompt(
    household: None, laptop: PairedDevice, client_for: Callable[[PairedDevice], httpx.Client]
) -> None:
    client = client_for(laptop)
    assert ask(client, "Qwen/Qwen2.5-3B-Instruct-GGUF").status_code == 404
    [told] = notices.check(chain=False)
    assert told.kind == "model_asked"
    assert told.title == f"Device {laptop.device.name} asked for model Qwen/Qwen2.5-3B-Instruct-GGUF, which the store can fetch"
    assert told.link == "/setup/hardware/?asked=qwen2.5-3b-instruct#store"
    assert ask(client, "qwen2.5-3b-instruct").status_code == 404
    assert notices.check(chain=False) == [], "the same model is told once a day, however often it is asked for"
    kept = [told.title, told.detail, *(v.decode() for v in sync_client().hgetall(asked.ASKED_KEY).values())]
    assert not any("blue safe" in text for text in kept), "neither the notice nor what the box noted holds the prompt"
    assert Notice.objects.count() == 1


def test_names_spelled_as_the_hub_or_ollama_spell_them_mean_the_catalogue_entry() -> None:
    models = load()
    names = [
        "qwen2.5-3b-instruct",
        "Qwen/Qwen2.5-3B-Instruct-GGUF",
        "qwen2.5:3b",
        "qwen2.5-32b-instruct",
        "gpt-4o",
        "nomic-embed-text-v1.5",
    ]
    found = {name: getattr(asked.match(models, name), "name", None) for name in names}
    assert found == {
        "qwen2.5-3b-instruct": "qwen2.5-3b-instruct",
        "Qwen/Qwen2.5-3B-Instruct-GGUF": "qwen2.5-3b-instruct",
        "qwen2.5:3b": "qwen2.5-3b-instruct",
        "qwen2.5-32b-instruct": "qwen2.5-32b-instruct",
        "gpt-4o": None,
        "nomic-embed-text-v1.5": "nomic-embed-text-v1.5",
    }
