"""The relay between a worker serving a request and the web process holding the client.

Each request has a Redis list the worker appends events to and the web process pops
from, so chunks reach the client one by one as they arrive. The list expires soon after
the request: answer text lives in Redis only in transit, and the appliance's Redis
never writes to disk.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Literal, TypedDict

import redis.asyncio as aioredis

from appliance.plumbing.redis import BROKEN, async_client

TTL_SECONDS = 600


class StartEvent(TypedDict):
    type: Literal["start"]
    provider: str
    tier: str
    explanation: str  # why this tier, in words; never a redacted value
    fallback: str  # why the providers planned before this one did not answer; empty when none failed


class ChunkEvent(TypedDict):
    """One OpenAI-shaped stream chunk, already serialised."""

    type: Literal["chunk"]
    data: str


class ResponseEvent(TypedDict):
    """A whole OpenAI-shaped response, already serialised."""

    type: Literal["response"]
    data: str


class ErrorEvent(TypedDict):
    type: Literal["error"]
    status: int
    message: str
    error_type: str
    code: str


class EndEvent(TypedDict):
    type: Literal["end"]


RelayEvent = StartEvent | ChunkEvent | ResponseEvent | ErrorEvent | EndEvent


def error(status: int, message: str, code: str, error_type: str = "upstream_error") -> ErrorEvent:
    """An error event: the client receives it in the OpenAI error shape."""
    return {"type": "error", "status": status, "message": message, "error_type": error_type, "code": code}


def broker_lost() -> ErrorEvent:
    """The error a client hears when Redis, which carries the answer, went away."""
    return error(
        503,
        "The answer was cut off: Hearth's message broker restarted. Try again in a few seconds.",
        "broker_unavailable",
        "service_unavailable",
    )


def out_key(request_id: str) -> str:
    return f"hearth:req:{request_id}:out"


def cancel_key(request_id: str) -> str:
    return f"hearth:req:{request_id}:cancel"


def lease_key(request_id: str) -> str:
    return f"hearth:req:{request_id}:lease"


def emitted_key(request_id: str) -> str:
    return f"hearth:req:{request_id}:emitted"


def taken_key(request_id: str) -> str:
    return f"hearth:req:{request_id}:taken"


def reached_key(request_id: str) -> str:
    """The provider a request's worker last called, "<tier> <name>", for its audit row."""
    return f"hearth:req:{request_id}:reached"


def done_key(request_id: str) -> str:
    return f"hearth:req:{request_id}:done"


def client() -> aioredis.Redis:
    """Return the Redis client of the running event loop."""
    return async_client()


async def publish(request_id: str, *events: RelayEvent, emitted: bool = False) -> None:
    """Append events to a request's relay (marking, with `emitted`, that the answer began)."""
    key = out_key(request_id)
    async with client().pipeline(transaction=False) as pipe:
        if emitted:
            pipe.set(emitted_key(request_id), 1, ex=TTL_SECONDS)
        pipe.rpush(key, *(json.dumps(e) for e in events))
        pipe.expire(key, TTL_SECONDS)
        await pipe.execute()


class Outbox:
    """A streamed answer's events on their way to the relay, in order.

    Each event is sent as soon as the worker's loop is free. Events put while a send is in
    flight (a burst the provider sent in one packet) go together in the next send: one
    round trip for all, still one event per chunk. Events given at creation wait for the
    first put (the start event goes with the first chunk), and that first send marks the
    answer begun, so a redelivered copy of the request does not start it again.
    """

    def __init__(self, request_id: str, *held: RelayEvent) -> None:
        self.request_id = request_id
        self._pending: list[RelayEvent] = list(held)
        self._begun = False
        self._sending: asyncio.Future[None] | None = None

    def put(self, *events: RelayEvent) -> None:
        self._pending.extend(events)
        if self._sending is None or self._sending.done():
            self._sending = asyncio.ensure_future(self._send())

    async def _send(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            await publish(self.request_id, *batch, emitted=not self._begun)
            self._begun = True

    async def drain(self) -> None:
        """Return once everything put so far is sent; raise what a send raised."""
        while self._sending is not None:
            sending = self._sending
            await sending
            if sending is self._sending:
                return

    def cancel(self) -> None:
        if self._sending is not None:
            self._sending.cancel()


async def events(
    request_id: str, idle_seconds: float, first_seconds: float | None = None, on_silence: Callable[[], Awaitable[None]] | None = None,
    heartbeat: Callable[[], Awaitable[RelayEvent | None]] | None = None, beat_seconds: float = 0.0,
) -> AsyncIterator[RelayEvent]:  # fmt: skip
    """Yield a request's events as they arrive; stop after `idle_seconds` of silence.

    `on_silence`: awaited once, should nothing come in the first `first_seconds`.
    `heartbeat`: awaited after every `beat_seconds` of silence; an event it returns (the
    worker was lost) is the last.
    """
    redis, key = client(), out_key(request_id)
    quiet = 0.0  # seconds of silence so far
    first = on_silence is not None and first_seconds is not None
    while True:
        wait = idle_seconds - quiet
        if first:
            wait = min(wait, (first_seconds or 0.0) - quiet)
        if heartbeat is not None and beat_seconds > 0:
            wait = min(wait, beat_seconds)
        wait = max(wait, 0.01)
        # BLMPOP (Redis 7): waits for the first event and takes whatever else is already
        # waiting in the same round trip, so a burst costs no extra trips and a lone chunk
        # no empty one.
        try:
            popped = await redis.blmpop(wait, 1, key, direction="LEFT", count=64)
        except BROKEN:
            yield broker_lost()  # Redis went away for longer than a retry covers
            return
        if popped is None:
            quiet += wait
            if first and quiet >= (first_seconds or 0.0) and on_silence is not None:
                first = False
                await on_silence()
                continue
            if quiet < idle_seconds:
                lost = await heartbeat() if heartbeat is not None else None
                if lost is not None:
                    yield lost
                    return
                continue
            yield {
                "type": "error",
                "status": 504,
                "message": "The request timed out waiting for a worker.",
                "error_type": "timeout",
                "code": "worker_timeout",
            }
            return
        quiet, first = 0.0, False
        for raw in popped[1]:
            yield json.loads(raw)  # type: ignore[arg-type]  # bytes: the client does not decode


RESTARTED = b"restarted"  # a cancel's reason: Redis restarted, and the answer's chunks with it


async def cancel(request_id: str, reason: bytes = b"1") -> None:
    """Tell the worker serving a request that its client went away (or, `reason`, why else to stop)."""
    async with client().pipeline(transaction=False) as pipe:
        pipe.set(cancel_key(request_id), reason, ex=TTL_SECONDS)
        pipe.delete(out_key(request_id))
        await pipe.execute()
