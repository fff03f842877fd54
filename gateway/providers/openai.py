"""OpenAI-compatible APIs: vLLM, llama.cpp's server, Ollama, OpenAI, Mistral, Groq, ..."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from ..choices import Kind
from .base import Adapter, UpstreamError, sse_events

PATHS = {Kind.CHAT: "/chat/completions", Kind.COMPLETION: "/completions", Kind.EMBEDDING: "/embeddings"}


def outbound_body(body: dict[str, Any]) -> dict[str, Any]:
    """Return the body as an OpenAI-compatible provider receives it.

    `tool_choice: "required"` with a single tool means "call this tool": sent as the named
    choice, which every engine honours (llama.cpp's server ignores "required" but
    constrains its output to a named tool's schema).
    """
    tools = body.get("tools") or []
    if body.get("tool_choice") == "required" and len(tools) == 1:
        return {**body, "tool_choice": {"type": "function", "function": {"name": tools[0]["function"]["name"]}}}
    return body


class ToolCallDeltas:
    """Make streamed tool calls look as OpenAI sends them, whatever the engine sent.

    OpenAI sends a call's id, type and function name once, in the call's first delta, then
    only argument fragments; clients (the openai library, LangChain, Home Assistant)
    concatenate every field they receive. llama.cpp's server repeats id, type and name in
    every chunk, and adds the legacy `function_call` beside `tool_calls`, so a client
    accumulated a tool named `HassTurnOnHassTurnOn…`.
    """

    def __init__(self) -> None:
        self._calls: dict[tuple[int, int], dict[str, str]] = {}  # (choice, call index) -> id and name so far

    def tidy(self, chunk: dict[str, Any]) -> None:
        """Rewrite one chunk in place."""
        for position, choice in enumerate(chunk.get("choices") or []):
            delta = choice.get("delta") if isinstance(choice, dict) else None
            if not isinstance(delta, dict):
                continue
            calls = delta.get("tool_calls")
            if "function_call" in delta and (calls or delta["function_call"] is None):
                # Hearth accepts no `functions`: a legacy function_call only ever repeats a tool call.
                del delta["function_call"]
            if calls is None and "tool_calls" in delta:
                del delta["tool_calls"]
            if not isinstance(calls, list):
                continue
            choice_index = choice.get("index", position)
            for order, call in enumerate(calls):
                if isinstance(call, dict):
                    self._tidy_call(choice_index, order, call)

    def _tidy_call(self, choice_index: int, order: int, call: dict[str, Any]) -> None:
        index = call.setdefault("index", order)
        fn = call.get("function")
        name = fn.get("name") if isinstance(fn, dict) else None
        seen = self._calls.get((choice_index, index))
        if seen is None:
            self._calls[(choice_index, index)] = {"id": call.get("id") or "", "name": name or ""}
            if call.get("id"):
                call.setdefault("type", "function")
            return
        if call.get("id") and not seen["id"]:
            seen["id"] = call["id"]
            call.setdefault("type", "function")
        else:
            call.pop("id", None)
            call.pop("type", None)
        if isinstance(fn, dict) and "name" in fn:
            if not name or name == seen["name"]:
                del fn["name"]  # a repeat, or nothing: the client has the name already
            else:
                seen["name"] += name  # a name sent in pieces, as a provider may: pass each piece once


class OpenAIAdapter(Adapter):
    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        return headers

    async def stream(self, kind: Kind, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        # Usage is always asked for, so that streamed requests are counted and costed.
        payload = {**outbound_body(body), "stream": True, "stream_options": {"include_usage": True}}
        response = await self._send(PATHS[kind], payload, self._headers() | {"Accept": "text/event-stream"}, stream=True)
        finished = False
        tool_calls = ToolCallDeltas()
        async for _event, data in sse_events(response):
            if data.strip() == "[DONE]":
                return
            try:
                chunk = json.loads(data)
            except ValueError:
                raise UpstreamError("the provider sent a malformed stream", retryable=False) from None
            if isinstance(chunk, dict) and "error" in chunk:
                raise UpstreamError("the provider reported an error mid-stream", retryable=False)
            if isinstance(chunk, dict):
                finished = finished or any(c.get("finish_reason") for c in chunk.get("choices") or [] if isinstance(c, dict))
                tool_calls.tidy(chunk)
                yield chunk
        if not finished:
            # The connection ended with neither [DONE] nor a finish reason: cut short.
            raise UpstreamError("the provider's stream ended early", retryable=False)

    async def call(self, kind: Kind, body: dict[str, Any]) -> dict[str, Any]:
        response = await self._send(
            PATHS[kind], {**outbound_body(body), "stream": False} if kind != Kind.EMBEDDING else body, self._headers(), stream=False
        )
        data = await self._json(response)
        if not isinstance(data, dict):
            raise UpstreamError("the provider answered with an unexpected shape", retryable=True)
        return data

    async def list_models(self) -> list[str]:
        response = await self._send("/models", None, self._headers(), stream=False)
        data = await self._json(response)
        return [m["id"] for m in data.get("data", []) if isinstance(m, dict) and "id" in m]
