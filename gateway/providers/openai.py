"""OpenAI-compatible APIs: vLLM, llama.cpp's server, Ollama, OpenAI, Mistral, Groq, ..."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from ..choices import Kind
from .base import Adapter, UpstreamError, sse_events

PATHS = {Kind.CHAT: "/chat/completions", Kind.COMPLETION: "/completions", Kind.EMBEDDING: "/embeddings"}


class OpenAIAdapter(Adapter):
    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        return headers

    async def stream(self, kind: Kind, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        # Usage is always asked for, so that streamed requests are counted and costed.
        payload = {**body, "stream": True, "stream_options": {"include_usage": True}}
        response = await self._send(PATHS[kind], payload, self._headers() | {"Accept": "text/event-stream"}, stream=True)
        finished = False
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
                yield chunk
        if not finished:
            # The connection ended with neither [DONE] nor a finish reason: cut short.
            raise UpstreamError("the provider's stream ended early", retryable=False)

    async def call(self, kind: Kind, body: dict[str, Any]) -> dict[str, Any]:
        response = await self._send(
            PATHS[kind], {**body, "stream": False} if kind != Kind.EMBEDDING else body, self._headers(), stream=False
        )
        data = await self._json(response)
        if not isinstance(data, dict):
            raise UpstreamError("the provider answered with an unexpected shape", retryable=True)
        return data

    async def list_models(self) -> list[str]:
        response = await self._send("/models", None, self._headers(), stream=False)
        data = await self._json(response)
        return [m["id"] for m in data.get("data", []) if isinstance(m, dict) and "id" in m]
