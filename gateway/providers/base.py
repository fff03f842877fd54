"""The small interface every provider adapter implements."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from django.conf import settings

from ..choices import Kind


@dataclass(frozen=True)
class ProviderConfig:
    """What a worker needs to call one provider. Built from the database row."""

    id: int
    name: str
    family: str
    tier: str
    base_url: str
    api_key: str
    models: tuple[str, ...]
    price_in_per_mtok: Decimal
    price_out_per_mtok: Decimal
    timeout: float  # seconds of silence before giving up on this provider
    makes: tuple[tuple[str, frozenset[str]], ...] = ()  # per model, the kinds it answers (its capabilities); left out: every kind

    def __repr__(self) -> str:  # never let the key reach a log line or a traceback
        return f"ProviderConfig(name={self.name!r}, tier={self.tier!r}, family={self.family!r})"

    def model_for(self, requested: str, kind: str = Kind.CHAT) -> str:
        """Return the model to ask this provider for: the one asked for, or else its first model that makes this
        kind of answer (an embedding request for hearth-auto gets its embeddings model, not its chat model)."""
        if self.tier == "home" and self.models:
            return self.models[0]  # one model, served as the engine's alias; the others are its names
        if requested in self.models:
            return requested
        makes = dict(self.makes)
        fitting = [m for m in self.models if not makes.get(m) or kind in makes[m]]
        return fitting[0] if fitting else self.models[0] if self.models else requested


class UpstreamError(Exception):
    """A provider could not answer. `retryable` failures may fail over to the next one."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status = status


def status_error(status: int) -> UpstreamError:
    """Return the error for a provider's HTTP status; its body is never passed on."""
    retryable = status == 429 or status >= 500 or status in (401, 403, 404, 408)
    return UpstreamError(f"the provider answered HTTP {status}", retryable=retryable, status=status)


def transport_error(exc: Exception) -> UpstreamError:
    """Return the error for a failed connection, naming its kind but never the URL."""
    if isinstance(exc, httpx.TimeoutException):
        what = "timed out"
    elif isinstance(exc, httpx.ConnectError):
        what = "refused the connection"
    else:
        what = "broke the connection"
    return UpstreamError(f"the provider {what}", retryable=True)


class Adapter(ABC):
    """One API family. Speaks OpenAI's shapes to the rest of Hearth."""

    def __init__(self, config: ProviderConfig, client: httpx.AsyncClient) -> None:
        self.config = config
        self.client = client

    def supports(self, kind: Kind) -> bool:
        return True

    @abstractmethod
    def stream(self, kind: Kind, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """Yield OpenAI-shaped stream chunks. Raises UpstreamError before the first one."""

    @abstractmethod
    async def call(self, kind: Kind, body: dict[str, Any]) -> dict[str, Any]:
        """Return an OpenAI-shaped response."""

    @abstractmethod
    async def list_models(self) -> list[str]:
        """Return the provider's models: the health probe, which costs nothing."""

    async def _send(self, path: str, payload: dict[str, Any] | None, headers: dict[str, str], stream: bool) -> httpx.Response:
        url = self.config.base_url.rstrip("/") + path
        timeout = httpx.Timeout(self.config.timeout, connect=settings.HEARTH_CONNECT_TIMEOUT)
        try:
            if payload is None:
                request = self.client.build_request("GET", url, headers=headers, timeout=timeout)
            else:
                request = self.client.build_request("POST", url, headers=headers, content=json.dumps(payload).encode(), timeout=timeout)
            response = await self.client.send(request, stream=stream)
        except httpx.HTTPError as exc:
            raise transport_error(exc) from None
        if response.status_code >= 400:
            await response.aclose()
            raise status_error(response.status_code)
        return response

    async def _json(self, response: httpx.Response) -> Any:
        try:
            return json.loads(await response.aread())
        except httpx.HTTPError as exc:
            raise transport_error(exc) from None
        except ValueError:
            raise UpstreamError("the provider answered with malformed JSON", retryable=True) from None


async def sse_events(response: httpx.Response) -> AsyncIterator[tuple[str, str]]:
    """Yield (event, data) pairs of a server-sent-events body."""
    event, data = "", list[str]()
    try:
        async for line in response.aiter_lines():
            if line == "":
                if data:
                    yield event, "\n".join(data)
                event, data = "", []
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif line.startswith("event:"):
                event = line[6:].strip()
        if data:
            yield event, "\n".join(data)
    except httpx.HTTPError as exc:
        raise transport_error(exc) from None
    finally:
        await response.aclose()
