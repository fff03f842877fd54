"""Every string of a request that leaves the house is screened: request bodies built from the
API's shapes, with personal data in every string a client chooses (message content of every
role, names, tool definitions and their schemas, tool calls and results, response formats,
stop sequences, prompts, embedding inputs), sent through the real path to a cloud provider
of each API family. The capture upstream must never receive a raw value, and the answer
the device gets back must be exactly what it would have been without the placeholders."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway import schema
from gateway.capture import CaptureUpstream
from gateway.models import Provider
from gateway.providers.anthropic import to_messages_request
from policies.redaction import Redactor
from policies.segments import rewritten, segments
from tests.conftest import Live, PairedDevice
from tests.support import bodies
from tests.support.served import wait_for_cloud

# Values the detectors find on their own, whatever surrounds them.
VALUES = {
    "EMAIL": "maria.lopez@example.org",
    "PHONE": "+44 20 7946 0958",
    "CARD": "4111 1111 1111 1111",
    "IBAN": "DE89 3704 0044 0532 0130 00",
    "NATIONAL_ID": "536-90-4399",
}
PERSONAL = st.builds(
    lambda word, value: f"{word} {value}", st.sampled_from(["about", "note:", "ask", "re", "for"]), st.sampled_from(list(VALUES.values()))
)
# Screening has a time budget per request: bodies stay small enough to be screened in it
# on a loaded test machine (a body that is not stays home, which the tests would count as
# a failure of the cloud path, not as a pass).
MAX_SEGMENTS = 14
END_TO_END = settings(
    max_examples=18,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


def _leaks(raw: bytes) -> list[str]:
    text = raw.decode("utf-8", "replace")
    squeezed = "".join(text.split())
    return [kind for kind, value in VALUES.items() if value in text or "".join(value.split()) in squeezed]


def _small(kind: str, validate: Callable[[dict[str, Any]], schema.ApiRequest]) -> Callable[[dict[str, Any]], bool]:
    return lambda body: len(segments(kind, validate(body).body)) <= MAX_SEGMENTS


def _expected(body: dict[str, Any]) -> str:
    """What the capture upstream echoes: the last user message (the prompt, for completions)."""
    if "messages" in body:
        return str(body["messages"][-1]["content"])
    prompt = body["prompt"]
    return prompt[0] if isinstance(prompt, list) else str(prompt)


def _answer(response: httpx.Response, stream: bool) -> str:
    if not stream:
        choice = response.json()["choices"][0]
        return str(choice["message"]["content"] if "message" in choice else choice["text"])
    text = []
    for line in response.text.splitlines():
        if line.startswith("data: ") and line != "data: [DONE]":
            for choice in json.loads(line[6:]).get("choices") or []:
                text.append((choice.get("delta") or {}).get("content") or choice.get("text") or "")
    return "".join(text)


def _cloud(live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], family: str) -> PairedDevice:
    phone = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud", family=family)
    wait_for_cloud(live.api, phone.key)
    return phone


def _send(live: Live, phone: PairedDevice, path: str, body: dict[str, Any]) -> httpx.Response:
    response = httpx.post(f"{live.api}{path}", json=body, headers={"Authorization": f"Bearer {phone.key}"}, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["x-hearth-tier"] == "cloud", "the request was screened in time and went to the cloud"
    return response


def _check_chat(live: Live, phone: PairedDevice, capture: CaptureUpstream, body: dict[str, Any], stream: bool, piece: int) -> None:
    capture.reset(echo=piece)
    response = _send(live, phone, "/chat/completions", {**body, "model": "cloudy-model", "stream": stream})
    assert capture.requests, "the provider was called"
    assert _leaks(capture.all_bytes()) == []
    assert _answer(response, stream) == _expected(body), "the device gets the real values back, exactly"


chats = bodies.chat_bodies(PERSONAL).filter(_small("chat", schema.chat_request))


@pytest.mark.django_db(transaction=True)
def test_no_string_of_a_chat_request_reaches_an_openai_style_provider_unscreened(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = _cloud(live, make_device, make_provider, "openai")

    @END_TO_END
    @given(body=chats, stream=st.booleans(), piece=st.integers(1, 7))
    def check(body: dict[str, Any], stream: bool, piece: int) -> None:
        _check_chat(live, phone, capture, body, stream, piece)

    check()


@pytest.mark.django_db(transaction=True)
def test_no_string_of_a_chat_request_reaches_an_anthropic_provider_unscreened(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = _cloud(live, make_device, make_provider, "anthropic")

    @END_TO_END
    @given(body=chats, stream=st.booleans(), piece=st.integers(1, 7))
    def check(body: dict[str, Any], stream: bool, piece: int) -> None:
        _check_chat(live, phone, capture, body, stream, piece)

    check()


@pytest.mark.django_db(transaction=True)
def test_no_prompt_or_embedding_input_reaches_a_provider_unscreened(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = _cloud(live, make_device, make_provider, "openai")
    completions = bodies.completion_bodies(PERSONAL).filter(_small("completion", schema.completion_request))
    embeddings = bodies.embedding_bodies(PERSONAL).filter(_small("embedding", schema.embedding_request))

    @END_TO_END
    @given(body=completions, stream=st.booleans(), piece=st.integers(1, 7))
    def completion(body: dict[str, Any], stream: bool, piece: int) -> None:
        capture.reset(echo=piece)
        response = _send(live, phone, "/completions", {**body, "model": "cloudy-model", "stream": stream})
        assert _leaks(capture.all_bytes()) == []
        assert _answer(response, stream) == _expected(body)

    @END_TO_END
    @given(body=embeddings)
    def embedding(body: dict[str, Any]) -> None:
        capture.reset()
        response = _send(live, phone, "/embeddings", {**body, "model": "cloudy-model"})
        assert _leaks(capture.all_bytes()) == []
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        assert len(response.json()["data"]) == len(inputs)

    completion()
    embedding()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", [{"role": "user"}, ["user", "system"]])
def test_a_role_given_as_an_object_or_a_list_gets_a_400_in_the_openai_shape(live: Live, laptop: PairedDevice, role: Any) -> None:
    response = httpx.post(
        f"{live.api}/chat/completions",
        json={"model": "hearth-auto", "messages": [{"role": role, "content": "hi"}]},
        headers={"Authorization": f"Bearer {laptop.key}"},
        timeout=30,
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == "messages[0].role" and error["message"]


# --- in process: what each adapter would send, redacted as the worker redacts ------------


def _redacted(body: dict[str, Any]) -> dict[str, Any]:
    """Redact a forwarded chat body as the worker does: spans found per segment, one map."""
    redactor = Redactor()
    return rewritten("chat", body, lambda i, text: redactor.redact(text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(bodies.chat_bodies(PERSONAL))
def test_neither_adapter_is_handed_a_raw_value_after_redaction(body: dict[str, Any]) -> None:
    outbound = {**_redacted(schema.chat_request(body).body), "model": "cloudy-model"}
    assert _leaks(json.dumps(outbound).encode()) == [], "the OpenAI-style body"
    assert _leaks(json.dumps(to_messages_request(outbound)).encode()) == [], "the Anthropic translation"
