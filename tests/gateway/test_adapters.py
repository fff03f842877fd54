"""The provider adapters and the outbound request builder, in process: what goes on the wire
(httpx's MockTransport records it) and what comes back."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway.choices import Kind
from gateway.providers import ProviderConfig, UpstreamError, adapter_for
from gateway.worker import Job, outbound

CHAT = {"model": "m", "messages": [{"role": "user", "content": "Mail maria.lopez@example.org today"}], "max_tokens": 5}


def config(family: str) -> ProviderConfig:
    return ProviderConfig(1, "far", family, "cloud", "https://api.example.test/v1", "sk-test-0001", ("m",), Decimal(1), Decimal(2), 5.0)


def run(family: str, answer: Callable[[httpx.Request], httpx.Response], work: Callable[[Any], Any]) -> tuple[Any, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return answer(request)

    async def go() -> Any:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await work(adapter_for(config(family), client))

    return asyncio.run(go()), sent


def sse(*events: str) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content="".join(f"data: {e}\n\n" for e in events).encode())


async def collect(stream: Any) -> list[dict[str, Any]]:
    return [chunk async for chunk in stream]


def test_openai_whole_answer_is_asked_at_chat_completions_with_the_key_as_bearer() -> None:
    whole = {"choices": [{"message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}]}
    result, sent = run("openai", lambda r: httpx.Response(200, json=whole), lambda a: a.call(Kind.CHAT, CHAT))
    assert result == whole
    [request] = sent
    assert str(request.url) == "https://api.example.test/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test-0001"
    assert json.loads(request.content)["stream"] is False


def test_openai_stream_asks_for_usage_and_yields_each_chunk() -> None:
    chunks: list[dict[str, Any]] = [{"choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}]} for w in ("a", "b")]
    chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    answer = sse(*(json.dumps(c) for c in chunks), "[DONE]")
    result, sent = run("openai", lambda r: answer, lambda a: collect(a.stream(Kind.CHAT, CHAT)))
    assert [c["choices"][0]["delta"].get("content") for c in result] == ["a", "b", None]
    assert json.loads(sent[0].content)["stream_options"] == {"include_usage": True}


def test_openai_stream_cut_short_is_an_error_not_a_short_answer() -> None:
    answer = sse(json.dumps({"choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": None}]}))
    with pytest.raises(UpstreamError, match="ended early"):
        run("openai", lambda r: answer, lambda a: collect(a.stream(Kind.CHAT, CHAT)))


# A bad request would be bad anywhere; a refused key, a busy or a broken provider is that provider's.
@pytest.mark.parametrize(("status", "retryable"), [(429, True), (503, True), (401, True), (400, False), (422, False)])
def test_a_provider_error_status_says_whether_the_next_provider_may_be_tried(status: int, retryable: bool) -> None:
    with pytest.raises(UpstreamError) as raised:
        run("openai", lambda r: httpx.Response(status, json={"error": {"message": "no"}}), lambda a: a.call(Kind.CHAT, CHAT))
    assert raised.value.retryable is retryable


def test_anthropic_gets_its_messages_api_and_its_events_come_back_as_openai_chunks() -> None:
    events = [
        {"type": "message_start", "message": {"id": "msg_1", "model": "claude", "usage": {"input_tokens": 7}}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 1}},
        {"type": "message_stop"},
    ]
    result, sent = run("anthropic", lambda r: sse(*(json.dumps(e) for e in events)), lambda a: collect(a.stream(Kind.CHAT, CHAT)))
    [request] = sent
    assert str(request.url) == "https://api.example.test/v1/messages"
    assert request.headers["x-api-key"] == "sk-test-0001" and "authorization" not in request.headers
    body = json.loads(request.content)
    assert body["messages"] == [{"role": "user", "content": [{"type": "text", "text": CHAT["messages"][0]["content"]}]}]  # type: ignore[index]
    assert [c["choices"][0]["delta"] for c in result[:2]] == [{"role": "assistant", "content": ""}, {"content": "Hi"}]
    assert result[2]["choices"][0]["finish_reason"] == "stop"
    assert result[3]["usage"] == {"prompt_tokens": 7, "completion_tokens": 1, "total_tokens": 8}


def job(redact: frozenset[str]) -> Job:
    text = CHAT["messages"][0]["content"]  # type: ignore[index]
    start = text.index("maria")
    return Job("r", Kind.CHAT, "m", CHAT, False, False, 40, ((0, "EMAIL", start, start + len("maria.lopez@example.org")),), redact=redact)


def test_the_outbound_body_replaces_the_kinds_the_rules_redact_when_it_leaves_home() -> None:
    body, redactor = outbound(job(frozenset({"EMAIL"})), "cloud", "far-model")
    assert body["model"] == "far-model"
    assert body["messages"][0]["content"] == "Mail <EMAIL_1> today"
    assert redactor is not None and redactor.restore("to <EMAIL_1>") == "to maria.lopez@example.org"


def test_the_outbound_body_keeps_what_the_rules_keep_and_everything_at_home() -> None:
    kept, none = outbound(job(frozenset()), "cloud", "far-model")
    assert kept["messages"][0]["content"] == CHAT["messages"][0]["content"] and none is None  # type: ignore[index]
    home, none = outbound(job(frozenset({"EMAIL"})), "home", "small")
    assert home["messages"][0]["content"] == CHAT["messages"][0]["content"] and none is None  # type: ignore[index]
