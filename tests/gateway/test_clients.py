"""What real clients hit: streamed tool calls as clients accumulate them, tool_choice
"required", images, unknown paths and request ids."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletionChunk, ChatCompletionMessage

from gateway.capture import CaptureUpstream
from gateway.choices import Kind
from gateway.models import AuditEvent, Provider
from gateway.providers import ProviderConfig
from gateway.providers.openai import OpenAIAdapter
from tests.conftest import Live, PairedDevice, audited

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = Path(__file__).parent / "fixtures"
LLAMA_CPP = json.loads((FIXTURES / "llama_cpp_tool_call_stream.json").read_text())
ENGINE = ProviderConfig(1, "home", "openai", "home", "http://engine.test/v1", "", ("home",), Decimal(0), Decimal(0), 5.0)
PIXEL = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="  # 1x1


def sse(chunks: list[dict[str, Any]]) -> str:
    return "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-9",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def through_adapter(stream: str, body: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Stream an engine's answer through the OpenAI adapter; return what it yields and what it sent."""
    sent: dict[str, Any] = {}

    def engine(request: httpx.Request) -> httpx.Response:
        sent.update(json.loads(request.content))
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=stream.encode())

    async def run() -> list[dict[str, Any]]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(engine)) as client:
            return [c async for c in OpenAIAdapter(ENGINE, client).stream(Kind.CHAT, body or LLAMA_CPP["request"])]

    return asyncio.run(run()), sent


def accumulated(chunks: list[dict[str, Any]]) -> ChatCompletionMessage:
    """Return the message the openai library accumulates from stream chunks (it concatenates every string)."""
    state: ChatCompletionStreamState[None] = ChatCompletionStreamState()
    for c in chunks:
        state.handle_chunk(ChatCompletionChunk.model_validate(c))
    return state.current_completion_snapshot.choices[0].message  # type: ignore[return-value]


def llama_cpp_chunks() -> list[dict[str, Any]]:
    return [json.loads(line[6:]) for line in LLAMA_CPP["response_sse"].splitlines() if line.startswith("data: {")]


# --- the stream translation, in process ------------------------------------------------


def test_the_recorded_llama_cpp_stream_accumulates_to_a_repeated_name_without_hearth() -> None:
    """The recording shows the bug: a client reading the engine directly gets a wrong name."""
    message = accumulated(llama_cpp_chunks())
    assert message.tool_calls and message.tool_calls[0].function.name.startswith("HassTurnOnHassTurnOn")


def test_a_tool_call_streamed_by_llama_cpp_accumulates_to_its_exact_name_and_arguments() -> None:
    chunks, _ = through_adapter(LLAMA_CPP["response_sse"])
    message = accumulated(chunks)
    [call] = message.tool_calls or []
    assert call.function.name == "HassTurnOn"
    assert call.id == llama_cpp_chunks()[1]["choices"][0]["delta"]["tool_calls"][0]["id"]
    assert call.type == "function"
    assert json.loads(call.function.arguments) == {"name": "Kitchen Light", "domain": ["light"]}
    assert message.function_call is None, "the legacy duplicate is gone, so it cannot accumulate either"


def test_only_the_first_delta_of_a_tool_call_carries_its_id_type_and_name() -> None:
    chunks, _ = through_adapter(LLAMA_CPP["response_sse"])
    deltas = [call for c in chunks for call in c["choices"][0]["delta"].get("tool_calls") or []]
    first, rest = deltas[0], deltas[1:]
    assert {"id", "type"} <= set(first) and first["function"]["name"] == "HassTurnOn"
    assert rest, "the arguments came in fragments"
    assert all(set(d) == {"index", "function"} and set(d["function"]) == {"arguments"} for d in rest)
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_a_stream_shaped_as_openai_sends_it_passes_unchanged() -> None:
    original = [
        chunk({"role": "assistant", "content": None}),
        chunk({"tool_calls": [{"index": 0, "id": "call_a", "type": "function", "function": {"name": "HassTurnOn", "arguments": ""}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"name": "Kit'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": 'chen Light"}'}}]}),
        chunk({"tool_calls": [{"index": 1, "id": "call_b", "type": "function", "function": {"name": "HassTurnOff", "arguments": ""}}]}),
        chunk({"tool_calls": [{"index": 1, "function": {"arguments": '{"area": "Hall"}'}}]}),
        chunk({}, "tool_calls"),
    ]
    chunks, _ = through_adapter(sse(original))
    assert chunks == original


def test_parallel_tool_calls_repeated_in_every_chunk_each_keep_their_own_name() -> None:
    def both(args_a: str, args_b: str) -> dict[str, Any]:
        return chunk(
            {
                "tool_calls": [
                    {"index": 0, "id": "call_a", "type": "function", "function": {"name": "HassTurnOn", "arguments": args_a}},
                    {"index": 1, "id": "call_b", "type": "function", "function": {"name": "HassTurnOff", "arguments": args_b}},
                ]
            }
        )

    chunks, _ = through_adapter(sse([both('{"name":', '{"area":'), both(' "Kitchen Light"}', ' "Hall"}'), chunk({}, "tool_calls")]))
    calls = accumulated(chunks).tool_calls or []
    assert [(c.id, c.function.name, json.loads(c.function.arguments)) for c in calls] == [
        ("call_a", "HassTurnOn", {"name": "Kitchen Light"}),
        ("call_b", "HassTurnOff", {"area": "Hall"}),
    ]


def test_a_name_a_provider_sends_in_pieces_reaches_the_client_whole() -> None:
    pieces = [
        chunk({"tool_calls": [{"index": 0, "id": "call_a", "type": "function", "function": {"name": "HassTurn"}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"name": "On", "arguments": "{}"}}]}),
        chunk({}, "tool_calls"),
    ]
    chunks, _ = through_adapter(sse(pieces))
    [call] = accumulated(chunks).tool_calls or []
    assert call.function.name == "HassTurnOn"


def test_tool_choice_required_with_one_tool_is_sent_as_that_named_tool() -> None:
    body = {**LLAMA_CPP["request"], "tool_choice": "required"}
    _, sent = through_adapter(LLAMA_CPP["response_sse"], body)
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "HassTurnOn"}}


def test_tool_choice_required_with_several_tools_is_sent_as_required() -> None:
    tools = [LLAMA_CPP["request"]["tools"][0], {"type": "function", "function": {"name": "HassTurnOff", "parameters": {"type": "object"}}}]
    _, sent = through_adapter(LLAMA_CPP["response_sse"], {**LLAMA_CPP["request"], "tools": tools, "tool_choice": "required"})
    assert sent["tool_choice"] == "required"


# --- on the running box ----------------------------------------------------------------

LIGHT_TOOL = {
    "type": "function",
    "function": {
        "name": "HassTurnOn",
        "description": "Turns on a device.",
        # An enum keeps the tiny home model's constrained answer short and certain to be whole.
        "parameters": {"type": "object", "properties": {"name": {"type": "string", "enum": ["Kitchen Light"]}}, "required": ["name"]},
    },
}
FAN_TOOL = {
    "type": "function",
    "function": {"name": "HassTurnOff", "parameters": {"type": "object", "properties": {"name": {"type": "string"}}}},
}


def test_openai_client_accumulates_a_tool_call_streamed_by_the_home_engine_to_its_exact_name(live: Live, laptop: PairedDevice) -> None:
    client = openai.OpenAI(base_url=live.api, api_key=laptop.key)
    stream = client.chat.completions.create(
        model="hearth-auto",
        messages=[{"role": "user", "content": "Turn on the kitchen light."}],
        tools=[LIGHT_TOOL],  # type: ignore[list-item]
        tool_choice="required",
        max_tokens=40,
        stream=True,
    )
    chunks = [c.model_dump(exclude_unset=True) for c in stream]
    message = accumulated(chunks)
    [call] = message.tool_calls or []
    assert call.function.name == "HassTurnOn"
    assert json.loads(call.function.arguments) == {"name": "Kitchen Light"}
    assert call.id and call.type == "function"
    assert [c["choices"][0]["finish_reason"] for c in chunks if c.get("choices") and c["choices"][0].get("finish_reason")] == ["tool_calls"]


def test_tool_choice_required_among_several_tools_is_refused_where_the_home_engine_cannot_force_it(
    live: Live, laptop: PairedDevice
) -> None:
    response = httpx.post(
        f"{live.api}/chat/completions",
        json={
            "model": "hearth-auto",
            "messages": [{"role": "user", "content": "lights"}],
            "tools": [LIGHT_TOOL, FAN_TOOL],
            "tool_choice": "required",
        },
        headers={"Authorization": f"Bearer {laptop.key}"},
        timeout=30,
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "tool_choice_not_supported" and error["type"] == "invalid_request_error"
    assert "tool_choice 'required' cannot be honoured" in error["message"] and "home" in error["message"]


def test_tool_choice_required_goes_to_a_provider_that_honours_it(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud", quality=1)  # ranked below home, yet the only one able to honour it
    capture.reset(tool_call={"name": "HassTurnOff", "arguments": '{"name": "Hall Fan"}'})
    client = openai.OpenAI(base_url=live.api, api_key=phone.key)
    answer = client.chat.completions.with_raw_response.create(
        model="hearth-auto",
        messages=[{"role": "user", "content": "fan off"}],
        tools=[LIGHT_TOOL, FAN_TOOL],  # type: ignore[list-item]
        tool_choice="required",
    )
    assert answer.headers["x-hearth-provider"] == "cloudy"
    assert answer.parse().choices[0].message.tool_calls[0].function.name == "HassTurnOff"  # type: ignore[index,union-attr]
    assert capture.requests[0].json()["tool_choice"] == "required"


def image_request(model: str = "hearth-auto") -> dict[str, Any]:
    content = [{"type": "text", "text": "What is in this picture?"}, {"type": "image_url", "image_url": {"url": PIXEL}}]
    return {"model": model, "messages": [{"role": "user", "content": content}], "max_tokens": 5}


def test_an_image_for_a_home_only_device_is_refused_at_once_saying_the_home_model_cannot_see_images(
    live: Live, laptop: PairedDevice
) -> None:
    started = time.monotonic()
    response = httpx.post(
        f"{live.api}/chat/completions", json=image_request(), headers={"Authorization": f"Bearer {laptop.key}"}, timeout=30
    )
    assert time.monotonic() - started < 5, "refused before anything is tried, not after a provider failed"
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "images_not_supported"
    assert "The home model cannot see images" in error["message"]
    assert "HTTP 500" not in error["message"]
    assert response.headers["x-request-id"]
    assert AuditEvent.objects.count() == 0, "nothing was sent anywhere"


def test_an_image_goes_to_an_allowed_provider_whose_model_takes_images(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = make_device(max_tier="cloud")
    blind = make_provider("blind-cloud", "cloud", quality=10)
    blind.takes_images = False
    blind.save()
    make_provider("seeing-cloud", "cloud", quality=2)
    response = httpx.post(
        f"{live.api}/chat/completions", json=image_request(), headers={"Authorization": f"Bearer {phone.key}"}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert response.headers["x-hearth-provider"] == "seeing-cloud"
    [sent] = capture.requests
    assert sent.json()["messages"][0]["content"][1]["type"] == "image_url"
    [event] = audited(phone.device)
    assert event.provider_name == "seeing-cloud" and event.outcome == "ok"


def test_an_image_for_a_model_that_cannot_see_is_refused_naming_that(live: Live, laptop: PairedDevice) -> None:
    response = httpx.post(
        f"{live.api}/chat/completions", json=image_request("home"), headers={"Authorization": f"Bearer {laptop.key}"}, timeout=30
    )
    assert response.status_code == 400
    assert "cannot see images" in response.json()["error"]["message"]


ODD_PATHS = [
    "/v1/",
    "/v1/responses",
    "/v1/chat/completion",
    "/v1/chat/completions/extra",
    "/v1/%2e%2e/%2e%2e/etc/passwd",
    "/v1/%00",
    "/v1/%ff%fe",
    "/v1/caf%C3%A9/%E2%98%83",
    "/v1/<script>alert(1)</script>",
    "/v1/a%20b;c=d",
    "/v1/" + "x" * 6000,
    "/v1//double//slashes",
]


@pytest.mark.parametrize("path", ODD_PATHS, ids=lambda p: p[:40])
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_an_unknown_path_under_v1_answers_404_in_the_openai_error_shape(live: Live, path: str, method: str) -> None:
    response = httpx.request(method, live.url + path, content=b"{}", headers={"Content-Type": "application/json"}, timeout=30)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "code"} and error["type"] == "invalid_request_error"
    assert error["code"] == "unknown_url"
    assert len(error["message"]) < 600, "a long path is not echoed back whole"
    assert response.headers["x-request-id"]


def test_a_head_request_to_an_unknown_path_gets_a_404_with_a_request_id(live: Live) -> None:
    response = httpx.head(f"{live.api}/nothing-here", timeout=30)
    assert response.status_code == 404
    assert response.headers["x-request-id"]


def test_every_response_carries_a_request_id_and_a_served_one_is_its_audit_row(live: Live, laptop: PairedDevice) -> None:
    key = {"Authorization": f"Bearer {laptop.key}"}
    ask = {"model": "hearth-auto", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}
    answers = {
        "no key (401)": httpx.post(f"{live.api}/chat/completions", json=ask, timeout=30),
        "bad body (400)": httpx.post(f"{live.api}/chat/completions", content=b"{", headers=key, timeout=30),
        "unknown model (404)": httpx.post(f"{live.api}/chat/completions", json={**ask, "model": "nope"}, headers=key, timeout=30),
        "wrong method (405)": httpx.get(f"{live.api}/chat/completions", headers=key, timeout=30),
        "too large (413)": httpx.post(f"{live.api}/chat/completions", content=b"x" * (17 * 1024 * 1024), headers=key, timeout=60),
        "models (200)": httpx.get(f"{live.api}/models", headers=key, timeout=30),
    }
    ids = {name: r.headers.get("x-request-id") for name, r in answers.items()}
    assert all(ids.values()), ids
    assert len(set(ids.values())) == len(ids), "each response has its own id"
    assert all(r.json()["error"]["message"] for name, r in answers.items() if "200" not in name)
    served = httpx.post(f"{live.api}/chat/completions", json=ask, headers=key, timeout=60)
    assert served.status_code == 200
    [event] = audited(laptop.device)
    assert served.headers["x-request-id"] == str(event.request_id)


def test_an_error_after_routing_carries_the_audit_rows_request_id(live: Live, laptop: PairedDevice) -> None:
    Provider.objects.filter(name="home").update(base_url="http://127.0.0.1:9/v1")  # nothing listens there
    response = httpx.post(
        f"{live.api}/chat/completions",
        json={"model": "hearth-auto", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 3},
        headers={"Authorization": f"Bearer {laptop.key}"},
        timeout=60,
    )
    assert response.status_code == 503
    [event] = audited(laptop.device)
    assert response.headers["x-request-id"] == str(event.request_id)


def test_v1_without_a_slash_answers_404_in_the_openai_error_shape(live: Live) -> None:
    response = httpx.get(live.url + "/v1", timeout=30)
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert response.headers["x-request-id"]


def test_a_page_django_makes_for_the_device_api_becomes_an_openai_error_with_a_request_id() -> None:
    from gateway.errors import ApiResponses

    async def crashing_page(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/html"), (b"content-length", b"21")]})
        await send({"type": "http.response.body", "body": b"<h1>Server Error</h1>"})

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(ApiResponses(crashing_page)({"type": "http", "path": "/v1/models"}, None, send))
    start, body = sent
    headers = dict(start["headers"])
    assert start["status"] == 500 and headers[b"content-type"] == b"application/json" and headers[b"x-request-id"]
    assert int(headers[b"content-length"]) == len(body["body"])
    assert json.loads(body["body"])["error"]["type"] == "server_error"


def test_a_legacy_function_call_streamed_from_llama_cpp_accumulates_to_its_exact_name() -> None:
    from gateway import functions

    chunks, _ = through_adapter(LLAMA_CPP["response_sse"])
    legacy = [json.loads(functions.stream_chunk(json.dumps(c))) for c in chunks]
    message = accumulated(legacy)
    assert message.function_call is not None and message.function_call.name == "HassTurnOn"
    assert json.loads(message.function_call.arguments) == {"name": "Kitchen Light", "domain": ["light"]}
    assert legacy[-1]["choices"][0]["finish_reason"] == "function_call"


def test_a_request_with_both_functions_and_tools_is_refused_in_the_openai_shape() -> None:
    from gateway import functions
    from gateway.errors import ApiError

    with pytest.raises(ApiError) as refused:
        functions.to_tools({"model": "m", "messages": [], "functions": [], "tools": []})
    assert refused.value.status == 400 and refused.value.param == "functions"
