"""Anthropic's Messages API, translated to and from OpenAI's chat shapes.

The translation reads only what policies.segments screens (and the worker has redacted):
message text, tool calls' ids, names and arguments, tool results, tools' names,
descriptions and parameter schemas, the named tool choice, stop sequences. A field
Anthropic has no place for (message names, refusals, response_format) is left out.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

from ..choices import Kind
from .base import Adapter, UpstreamError, sse_events

VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 1024
STOP_REASONS = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls", "refusal": "content_filter"}


def _image_block(url: str) -> dict[str, Any]:
    if url.startswith("data:"):
        header, _, data = url.partition(",")
        media_type = header[5:].split(";")[0]
        return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}
    return {"type": "image", "source": {"type": "url", "url": url}}


def _blocks(content: Any) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    blocks = []
    for part in content:
        if part["type"] == "text":
            blocks.append({"type": "text", "text": part["text"]})
        elif part["type"] == "image_url":
            blocks.append(_image_block(part["image_url"]["url"]))
    return blocks


def _text(content: Any) -> str:
    return "\n".join(b["text"] for b in _blocks(content) if b["type"] == "text")


def to_messages_request(body: dict[str, Any]) -> dict[str, Any]:
    """Translate an OpenAI chat body to an Anthropic Messages body."""
    system: list[str] = []
    messages: list[dict[str, Any]] = []

    def append(role: str, blocks: list[dict[str, Any]]) -> None:
        if not blocks:
            return
        if messages and messages[-1]["role"] == role:  # Anthropic wants roles to alternate
            messages[-1]["content"].extend(blocks)
        else:
            messages.append({"role": role, "content": blocks})

    for message in body["messages"]:
        role = message["role"]
        if role in ("system", "developer"):
            system.append(_text(message.get("content")))
        elif role == "user":
            append("user", _blocks(message.get("content")))
        elif role == "assistant":
            blocks = _blocks(message.get("content"))
            for call in message.get("tool_calls") or []:
                raw = call["function"].get("arguments") or "{}"
                try:
                    arguments = json.loads(raw)
                except ValueError:
                    arguments = None
                if not isinstance(arguments, dict):  # Anthropic's tool_use input is an object
                    arguments = {"_raw": raw}
                blocks.append({"type": "tool_use", "id": call.get("id", ""), "name": call["function"]["name"], "input": arguments})
            append("assistant", blocks)
        elif role in ("tool", "function"):
            result = {"type": "tool_result", "tool_use_id": message.get("tool_call_id", ""), "content": _text(message.get("content"))}
            append("user", [result])

    out: dict[str, Any] = {
        "model": body["model"],
        "messages": messages,
        "max_tokens": body.get("max_tokens") or body.get("max_completion_tokens") or DEFAULT_MAX_TOKENS,
    }
    if system:
        out["system"] = "\n\n".join(s for s in system if s)
    if "temperature" in body:
        out["temperature"] = min(float(body["temperature"]), 1.0)  # Anthropic's range is 0..1
    if "top_p" in body:
        out["top_p"] = body["top_p"]
    stop = body.get("stop")
    if stop:
        out["stop_sequences"] = [stop] if isinstance(stop, str) else stop
    if body.get("tools"):
        out["tools"] = [
            {
                "name": t["function"]["name"],
                "description": t["function"].get("description", ""),
                "input_schema": t["function"].get("parameters") or {"type": "object", "properties": {}},
            }
            for t in body["tools"]
        ]
    choice = body.get("tool_choice")
    if choice == "auto":
        out["tool_choice"] = {"type": "auto"}
    elif choice == "required":
        out["tool_choice"] = {"type": "any"}
    elif choice == "none":
        out["tool_choice"] = {"type": "none"}
    elif isinstance(choice, dict):
        out["tool_choice"] = {"type": "tool", "name": choice["function"]["name"]}
    return out


def _usage(usage: dict[str, Any]) -> dict[str, int]:
    prompt = int(usage.get("input_tokens") or 0) + int(usage.get("cache_read_input_tokens") or 0)
    completion = int(usage.get("output_tokens") or 0)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def from_messages_response(data: dict[str, Any]) -> dict[str, Any]:
    """Translate an Anthropic Messages response to an OpenAI chat completion."""
    text, calls = [], []
    for block in data.get("content") or []:
        if block.get("type") == "text":
            text.append(block.get("text", ""))
        elif block.get("type") == "tool_use":
            calls.append(
                {
                    "id": block.get("id", ""),
                    "type": "function",
                    "function": {"name": block.get("name", ""), "arguments": json.dumps(block.get("input") or {})},
                }
            )
    message: dict[str, Any] = {"role": "assistant", "content": "".join(text) if text or not calls else None}
    if calls:
        message["tool_calls"] = calls
    return {
        "id": data.get("id", ""),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": data.get("model", ""),
        "choices": [{"index": 0, "message": message, "finish_reason": STOP_REASONS.get(data.get("stop_reason") or "", "stop")}],
        "usage": _usage(data.get("usage") or {}),
    }


class AnthropicAdapter(Adapter):
    def supports(self, kind: Kind) -> bool:
        return kind == Kind.CHAT

    def _headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", "x-api-key": self.config.api_key, "anthropic-version": VERSION}

    async def call(self, kind: Kind, body: dict[str, Any]) -> dict[str, Any]:
        response = await self._send("/messages", to_messages_request(body), self._headers(), stream=False)
        data = await self._json(response)
        if not isinstance(data, dict):
            raise UpstreamError("the provider answered with an unexpected shape", retryable=True)
        return from_messages_response(data)

    async def stream(self, kind: Kind, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        payload = {**to_messages_request(body), "stream": True}
        response = await self._send("/messages", payload, self._headers() | {"Accept": "text/event-stream"}, stream=True)
        created = int(time.time())
        ident, model = "", body["model"]
        usage: dict[str, Any] = {}
        tool_index: dict[int, int] = {}  # Anthropic block index -> OpenAI tool_calls index

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }

        async for event, data in sse_events(response):
            try:
                message = json.loads(data)
            except ValueError:
                raise UpstreamError("the provider sent a malformed stream", retryable=False) from None
            kind_ = message.get("type", event)
            if kind_ == "message_start":
                start = message.get("message") or {}
                ident, model = start.get("id", ""), start.get("model", model)
                usage.update(start.get("usage") or {})
                yield chunk({"role": "assistant", "content": ""})
            elif kind_ == "content_block_start":
                block = message.get("content_block") or {}
                if block.get("type") == "tool_use":
                    index = tool_index.setdefault(message.get("index", 0), len(tool_index))
                    call = {
                        "index": index,
                        "id": block.get("id", ""),
                        "type": "function",
                        "function": {"name": block.get("name", ""), "arguments": ""},
                    }
                    yield chunk({"tool_calls": [call]})
            elif kind_ == "content_block_delta":
                delta = message.get("delta") or {}
                if delta.get("type") == "text_delta":
                    yield chunk({"content": delta.get("text", "")})
                elif delta.get("type") == "input_json_delta":
                    index = tool_index.get(message.get("index", 0), 0)
                    yield chunk({"tool_calls": [{"index": index, "function": {"arguments": delta.get("partial_json", "")}}]})
            elif kind_ == "message_delta":
                usage.update(message.get("usage") or {})
                reason = (message.get("delta") or {}).get("stop_reason")
                if reason:
                    yield chunk({}, STOP_REASONS.get(reason, "stop"))
            elif kind_ == "error":
                raise UpstreamError("the provider reported an error mid-stream", retryable=False)
            elif kind_ == "message_stop":
                final = chunk({})
                final["choices"] = []
                final["usage"] = _usage(usage)
                yield final
                return
        raise UpstreamError("the provider's stream ended early", retryable=False)

    async def list_models(self) -> list[str]:
        response = await self._send("/models", None, self._headers(), stream=False)
        data = await self._json(response)
        return [m["id"] for m in data.get("data", []) if isinstance(m, dict) and "id" in m]
