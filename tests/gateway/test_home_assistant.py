"""Home Assistant's conversation integrations that take a base URL set up and converse
against Hearth: their recorded request shapes (fixtures/ha_*.json) replayed on the box."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.capture import CaptureUpstream
from gateway.models import Provider
from tests.conftest import Live, PairedDevice
from tests.gateway.test_clients import accumulated

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = Path(__file__).parent / "fixtures"
LLAMA_CPP = json.loads((FIXTURES / "ha_llama_cpp.json").read_text())
EXTENDED = json.loads((FIXTURES / "ha_extended_openai_conversation.json").read_text())
OLLAMA = json.loads((FIXTURES / "ha_ollama.json").read_text())
TURN_ON = {"name": "HassTurnOn", "arguments": '{"name": "Kitchen Light", "domain": ["light"]}'}


def filled(value: Any, fill: dict[str, Any]) -> Any:
    """Return a recorded body with its placeholders ({call_id}, ...) replaced."""
    if isinstance(value, dict):
        return {k: filled(v, fill) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, fill) for v in value]
    if isinstance(value, str) and value in fill:
        return fill[value]
    return value


def replay(live: Live, exchange: dict[str, Any], key: str, **fill: Any) -> httpx.Response:
    headers = {name: value.replace("{key}", key) for name, value in exchange["headers"].items()}
    body = filled(exchange["json"], {"{" + k + "}": v for k, v in fill.items()})
    content = None if body is None else json.dumps(body).encode()
    return httpx.request(exchange["method"], live.url + exchange["path"], headers=headers, content=content, timeout=60)


def stream_chunks(response: httpx.Response) -> list[dict[str, Any]]:
    """Return the chunks of a streamed answer, checking it ends as OpenAI's do."""
    assert response.headers["content-type"].startswith("text/event-stream")
    data = [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]
    assert data[-1] == "[DONE]", data[-1]
    return [json.loads(d) for d in data[:-1]]


def home_engine_is(capture: CaptureUpstream) -> None:
    """Let the capture upstream stand in for the home engine, answering as it is told.

    At home, so that the turn goes there whatever screening makes of Home Assistant's long
    prompt, and the engine receives the body as the integration sent it.
    """
    Provider.objects.filter(name="home").update(base_url=capture.url)


# --- Home Assistant's llama.cpp integration ---------------------------------------------


def test_llama_cpp_integration_setup_lists_models_that_include_the_one_it_is_configured_with(live: Live, laptop: PairedDevice) -> None:
    response = replay(live, LLAMA_CPP["setup"][0], laptop.key)
    assert response.status_code == 200
    ids = [m["id"] for m in response.json()["data"]]
    assert LLAMA_CPP["setup"][1]["json"]["model"] in ids


def test_llama_cpp_integration_tool_calling_check_passes_on_the_home_engine(live: Live, laptop: PairedDevice) -> None:
    response = replay(live, LLAMA_CPP["setup"][1], laptop.key)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["object"] == "chat.completion" and answer["choices"][0]["message"]["role"] == "assistant"
    assert answer["usage"]["completion_tokens"] <= 3


def test_llama_cpp_integration_streamed_tool_calling_check_passes_on_the_home_engine(live: Live, laptop: PairedDevice) -> None:
    response = replay(live, LLAMA_CPP["setup"][2], laptop.key)
    assert response.status_code == 200, response.text
    chunks = stream_chunks(response)
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] in {"stop", "length", "tool_calls"}


def test_llama_cpp_integration_turn_with_the_intent_tools_is_answered_by_the_home_engine(live: Live, laptop: PairedDevice) -> None:
    response = replay(live, LLAMA_CPP["turn"][0], laptop.key)
    assert response.status_code == 200, response.text
    assert response.headers["x-hearth-tier"] == "home"
    # (llama-cpp-python's server sends no usage in streams, so none comes for stream_options here.)
    message = accumulated([c for c in stream_chunks(response) if c["choices"]])
    assert message.content or message.tool_calls


def test_llama_cpp_integration_turn_gets_the_intent_call_whole_and_then_the_answer(
    live: Live, make_device: Callable[..., PairedDevice], capture: CaptureUpstream
) -> None:
    speaker = make_device(category="speaker")
    home_engine_is(capture)
    capture.reset(tool_call=TURN_ON)
    response = replay(live, LLAMA_CPP["turn"][0], speaker.key)
    assert response.status_code == 200, response.text
    chunks = stream_chunks(response)
    message = accumulated([c for c in chunks if c["choices"]])
    [call] = message.tool_calls or []
    assert call.function.name == "HassTurnOn"
    assert json.loads(call.function.arguments) == {"name": "Kitchen Light", "domain": ["light"]}
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]] == ["tool_calls"]
    assert capture.requests[0].json()["tools"] == LLAMA_CPP["turn"][0]["json"]["tools"], "the intent tools reach the provider as sent"

    capture.reset()
    response = replay(
        live, LLAMA_CPP["turn"][1], speaker.key, call_id=call.id, call_name=call.function.name, call_arguments=call.function.arguments
    )
    assert response.status_code == 200, response.text
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in stream_chunks(response) if c["choices"])
    sent = capture.requests[0].json()["messages"]
    assert sent[2]["tool_calls"][0]["id"] == call.id and sent[2]["tool_calls"][0]["function"]["name"] == "HassTurnOn"
    assert sent[3]["role"] == "tool" and sent[3]["tool_call_id"] == call.id


# --- Extended OpenAI Conversation -------------------------------------------------------


def test_extended_openai_conversation_validates_its_key_with_models_list(live: Live, laptop: PairedDevice) -> None:
    response = replay(live, EXTENDED["setup"][0], laptop.key)
    assert response.status_code == 200
    assert "hearth-auto" in [m["id"] for m in response.json()["data"]]


def test_extended_openai_conversation_with_a_wrong_key_is_told_so_in_the_openai_shape(live: Live) -> None:
    response = replay(live, EXTENDED["setup"][0], "hk-not-a-key")
    assert response.status_code == 401  # the openai library raises AuthenticationError: the component shows "invalid auth"
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_extended_openai_conversation_turn_gets_its_service_call_and_then_the_answer(
    live: Live, make_device: Callable[..., PairedDevice], capture: CaptureUpstream
) -> None:
    speaker = make_device(category="speaker")
    home_engine_is(capture)
    arguments = {"list": [{"domain": "light", "service": "turn_on", "service_data": {"entity_id": "light.kitchen"}}]}
    capture.reset(tool_call={"name": "execute_services", "arguments": json.dumps(arguments)})
    response = replay(live, EXTENDED["turn"][0], speaker.key)
    assert response.status_code == 200, response.text
    choice = response.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    [call] = choice["message"]["tool_calls"]
    assert call["function"]["name"] == "execute_services" and json.loads(call["function"]["arguments"]) == arguments
    sent = capture.requests[0].json()
    assert sent["tool_choice"] == "auto" and sent["tools"] == EXTENDED["turn"][0]["json"]["tools"]

    capture.reset()
    response = replay(
        live,
        EXTENDED["turn"][1],
        speaker.key,
        call_id=call["id"],
        call_name=call["function"]["name"],
        call_arguments=call["function"]["arguments"],
    )
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == "Hello from the capture upstream."
    tool_message = capture.requests[0].json()["messages"][3]
    assert (tool_message["role"], tool_message["tool_call_id"]) == ("tool", call["id"])


def test_extended_openai_conversation_in_its_default_functions_mode_gets_a_function_call_and_then_the_answer(
    live: Live, make_device: Callable[..., PairedDevice], capture: CaptureUpstream
) -> None:
    """Without "Use Tools" it speaks OpenAI's legacy function calling: Hearth serves it as tools."""
    speaker = make_device(category="speaker")
    home_engine_is(capture)
    arguments = {"list": [{"domain": "light", "service": "turn_on", "service_data": {"entity_id": "light.kitchen"}}]}
    capture.reset(tool_call={"name": "execute_services", "arguments": json.dumps(arguments)})
    response = replay(live, EXTENDED["legacy_turn"][0], speaker.key)
    assert response.status_code == 200, response.text
    choice = response.json()["choices"][0]
    assert choice["finish_reason"] == "function_call"
    call = choice["message"]["function_call"]
    assert call["name"] == "execute_services" and json.loads(call["arguments"]) == arguments
    assert "tool_calls" not in choice["message"]
    sent = capture.requests[0].json()
    assert sent["tools"] == [{"type": "function", "function": EXTENDED["legacy_turn"][0]["json"]["functions"][0]}]
    assert sent["tool_choice"] == "auto" and "functions" not in sent and "function_call" not in sent

    capture.reset()
    response = replay(live, EXTENDED["legacy_turn"][1], speaker.key, call_name=call["name"], call_arguments=call["arguments"])
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == "Hello from the capture upstream."
    assistant, result = capture.requests[0].json()["messages"][2:]
    [tool_call] = assistant["tool_calls"]
    assert tool_call["function"]["name"] == "execute_services" and json.loads(tool_call["function"]["arguments"]) == arguments
    assert result["role"] == "tool" and result["tool_call_id"] == tool_call["id"]


# --- Home Assistant's Ollama integration (Ollama's own API) -------------------------------


def ndjson(response: httpx.Response) -> list[dict[str, Any]]:
    """Return the lines of an Ollama stream, checking it ends as Ollama's do."""
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in response.text.splitlines() if line]
    assert lines[-1]["done"] is True and all(not line["done"] for line in lines[:-1])
    return lines


def test_ollama_integration_setup_lists_the_models_the_device_may_use(live: Live, laptop: PairedDevice) -> None:
    response = replay(live, OLLAMA["setup"][0], laptop.key)
    assert response.status_code == 200
    names = [m["model"] for m in response.json()["models"]]
    assert names[0] == "hearth-auto" and "home" in names


def test_ollama_integration_with_a_wrong_key_gets_401(live: Live) -> None:
    response = replay(live, OLLAMA["setup"][0], "hk-not-a-key")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_ollama_integration_turn_gets_the_intent_call_whole_and_then_the_answer(
    live: Live, make_device: Callable[..., PairedDevice], capture: CaptureUpstream
) -> None:
    speaker = make_device(category="speaker")
    home_engine_is(capture)
    capture.reset(tool_call=TURN_ON)
    response = replay(live, OLLAMA["turn"][0], speaker.key)
    assert response.status_code == 200, response.text
    lines = ndjson(response)
    [call] = [c for line in lines for c in line["message"].get("tool_calls") or []]
    assert call == {"function": {"name": "HassTurnOn", "arguments": {"name": "Kitchen Light", "domain": ["light"]}}}
    sent = capture.requests[0].json()
    assert sent["tools"] == OLLAMA["turn"][0]["json"]["tools"] and sent["messages"][1] == {
        "role": "user",
        "content": "Turn on the kitchen light",
    }
    assert "keep_alive" not in sent and "options" not in sent and "num_ctx" not in sent, "Ollama's runner settings stay behind"

    capture.reset()
    response = replay(live, OLLAMA["turn"][1], speaker.key, call_name="HassTurnOn", call_arguments=call["function"]["arguments"])
    assert response.status_code == 200, response.text
    assert "".join(line["message"]["content"] for line in ndjson(response)) == "Hello from the capture upstream."
    assistant, result = capture.requests[0].json()["messages"][2:]
    [tool_call] = assistant["tool_calls"]
    assert tool_call["function"]["name"] == "HassTurnOn" and json.loads(tool_call["function"]["arguments"]) == call["function"]["arguments"]
    assert result["role"] == "tool" and result["tool_call_id"] == tool_call["id"]


def test_ollama_integration_chat_is_answered_by_the_home_engine_streamed_and_whole(live: Live, laptop: PairedDevice) -> None:
    ask = {"model": "hearth-auto:latest", "messages": [{"role": "user", "content": "Name a colour."}], "options": {"num_predict": 8}}
    headers = {"Authorization": f"Bearer {laptop.key}"}
    streamed = httpx.post(f"{live.url}/api/chat", json=ask, headers=headers, timeout=60)
    assert streamed.status_code == 200 and streamed.headers["x-hearth-tier"] == "home"
    lines = ndjson(streamed)
    assert "".join(line["message"]["content"] for line in lines).strip()
    assert lines[-1]["model"] == "hearth-auto:latest" and lines[-1]["done_reason"] in {"stop", "length"}
    whole = httpx.post(f"{live.url}/api/chat", json={**ask, "stream": False}, headers=headers, timeout=60)
    assert whole.status_code == 200
    assert whole.json()["done"] is True and whole.json()["message"]["content"]


def test_ollama_model_management_is_not_served(live: Live, laptop: PairedDevice) -> None:
    response = httpx.post(f"{live.url}/api/pull", json={"model": "llama3.2"}, headers={"Authorization": f"Bearer {laptop.key}"}, timeout=30)
    assert response.status_code == 404
    assert "not pulled" in response.json()["error"]["message"]
