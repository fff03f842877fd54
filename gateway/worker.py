"""Serving one request inside a worker: try the planned providers, relay the answer.

Runs on an event loop of the worker thread, so that a client going away cancels the
upstream call at once, even while the provider is silent.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import struct
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import httpx
from django.conf import settings
from django.db import OperationalError

from appliance.plumbing.redis import BROKEN
from policies.detectors import Span
from policies.redaction import Redactor, StreamRestorer
from policies.segments import rewritten

from . import handoff, relay
from .choices import Kind, Outcome
from .providers import ProviderConfig, UpstreamError, adapter_for
from .router import state_key
from .services import Result

log = logging.getLogger(__name__)
AUDIT_FULL = (
    "Hearth cannot write its audit log just now (its disk may be full), so the answer is held back; the request was recorded as sent."
)

FAIL_SECONDS = 30  # a provider that failed is tried last for this long
# Failures further apart than this, with nothing heard between (the probe looks every 30 s),
# are two outages: `down_since` starts again.
DOWN_GAP_SECONDS = 120
POLL_SECONDS = 0.25  # how often the worker looks for a cancelled request


class LeaseHeld(Exception):
    """Another worker is serving this request right now."""


@dataclass(frozen=True)
class Job:
    request_id: str
    kind: Kind
    model: str
    body: dict[str, Any]
    stream: bool
    include_usage: bool
    prompt_chars: int
    spans: tuple[tuple[int, str, int, int], ...] = field(default=())
    redact: frozenset[str] = frozenset()  # the kinds of spans the rules replace when leaving home
    blur_faces: bool = False
    explanation: str = ""
    # Seals the request's audit row; awaited before the client is told the answer is
    # complete, so that every answer a client saw end has its sealed row (a power cut).
    seal: Callable[[Result], Awaitable[None]] | None = None
    passed_over: str = ""  # the plan's first choice but for a passing state or the request's length, and why


def outbound(job: Job, tier: str, model: str) -> tuple[dict[str, Any], Redactor | None]:
    """Return the body as a provider of this tier may receive it, asking for `model`, and
    the redactor that made it (the simulator shows the owner the same).

    Nothing is redacted for the home tier. For any other, every span screening found of
    the kinds the rules redact becomes a placeholder; the map stays in this process.
    """
    body = {**job.body, "model": model}
    if tier == "home":
        return body, None
    if job.blur_faces:
        body = _blurred(body)
    spans = [s for s in job.spans if s[1] in job.redact]
    if not spans:
        return body, None
    by_segment: dict[int, list[Span]] = {}
    for segment, kind, start, end in spans:
        by_segment.setdefault(segment, []).append(Span(kind, start, end))
    current = 0
    redactor = Redactor(detector=lambda text, terms: by_segment.get(current, []))

    def redact(index: int, text: str) -> str:
        nonlocal current
        current = index
        return redactor.redact(text)

    return rewritten(job.kind, body, redact), redactor


def _blurred(body: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a chat body with faces blurred in every inline image."""
    from policies import images  # OpenCV: loaded by the first request that needs it

    messages = []
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, list):
            parts = []
            for part in content:
                url = (part.get("image_url") or {}).get("url", "") if part.get("type") == "image_url" else ""
                if url.startswith("data:"):
                    header, _, data = url.partition(",")
                    blurred = base64.b64encode(images.blur_faces(base64.b64decode(data))).decode()
                    part = {**part, "image_url": {**part["image_url"], "url": f"{header},{blurred}"}}
                parts.append(part)
            message = {**message, "content": parts}
        messages.append(message)
    return {**body, "messages": messages}


def restore_whole(response: dict[str, Any], redactor: Redactor) -> None:
    """Put the real values back into a whole answer."""
    for choice in response.get("choices") or []:
        message = choice.get("message") or {}
        if isinstance(message.get("content"), str):
            message["content"] = redactor.restore(message["content"])
        for call in message.get("tool_calls") or []:
            fn = call.get("function") or {}
            if isinstance(fn.get("arguments"), str):
                fn["arguments"] = redactor.restore(fn["arguments"], json_escape=True)
        if isinstance(choice.get("text"), str):
            choice["text"] = redactor.restore(choice["text"])


class StreamRestoration:
    """Put the real values back into a streamed answer, chunk by chunk."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self.text = redactor.stream_restorer()
        self.tools: dict[int, StreamRestorer] = {}

    def chunk(self, chunk: dict[str, Any]) -> None:
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta")
            target, key = (delta, "content") if isinstance(delta, dict) else (choice, "text")
            if isinstance(target.get(key), str):
                target[key] = self.text.feed(target[key])
            for call in (delta or {}).get("tool_calls") or [] if isinstance(delta, dict) else []:
                fn = call.get("function") or {}
                if isinstance(fn.get("arguments"), str):
                    restorer = self.tools.setdefault(call.get("index", 0), self.redactor.stream_restorer(json_escape=True))
                    fn["arguments"] = restorer.feed(fn["arguments"])
            if choice.get("finish_reason"):
                self._flush(choice, target, key)

    def _flush(self, choice: dict[str, Any], target: dict[str, Any], key: str) -> None:
        rest = self.text.flush()
        if rest:
            target[key] = (target.get(key) or "") + rest
        delta = choice.get("delta")
        if isinstance(delta, dict):
            for index, restorer in self.tools.items():
                tail = restorer.flush()
                if tail:
                    delta.setdefault("tool_calls", []).append({"index": index, "function": {"arguments": tail}})


def _upstream_body(body: dict[str, Any]) -> dict[str, Any]:
    """Return the body for the provider: embeddings are always asked for as floats."""
    return {k: v for k, v in body.items() if k != "encoding_format"}


def _pool(response: dict[str, Any]) -> None:
    """Mean-pool per-token embeddings into one vector per input.

    llama.cpp's server answers per token for a model without a pooling layer (the
    bundled chat model); every other engine already answers one vector per input.
    """
    for item in response.get("data") or []:
        vector = item.get("embedding")
        if isinstance(vector, list) and vector and isinstance(vector[0], list):
            item["embedding"] = [sum(column) / len(vector) for column in zip(*vector, strict=True)]


def _to_base64(response: dict[str, Any]) -> None:
    """Encode embeddings as OpenAI's base64 form: little-endian float32."""
    for item in response.get("data") or []:
        vector = item.get("embedding")
        if isinstance(vector, list) and vector:
            item["embedding"] = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


def http_client() -> httpx.AsyncClient:
    timeout = httpx.Timeout(60.0, connect=settings.HEARTH_CONNECT_TIMEOUT)  # each request sets its own
    # trust_env=False: no proxy or netrc setting of the host redirects a request.
    return httpx.AsyncClient(
        timeout=timeout, trust_env=False, follow_redirects=False, limits=httpx.Limits(max_connections=256, max_keepalive_connections=64)
    )


@dataclass(frozen=True)
class Lease:
    """This worker's hold on a request: only its holder serves it."""

    token: str
    emitted: bool  # an earlier holder had sent part of the answer to the client
    audited: bool = True  # its audit row is written (else: wait for word, gateway.handoff)
    cancelled: bool = False  # its client went away
    tier: str = ""  # the provider an earlier holder had called, if one had
    provider_name: str = ""


async def take(request_id: str, hold_seconds: float) -> Lease | None:
    """Take a request's lease for `hold_seconds`; None when it was already served.

    Raises LeaseHeld while another worker holds it: the lease only keeps a redelivered copy
    from serving a request twice. Renewed every third of HEARTH_LEASE_SECONDS while
    serving; a copy redelivered after this worker died takes over once it lapses. The same
    round trip asks whether the audit row is written and whether the client went away.
    """
    redis, token = relay.client(), uuid.uuid4().hex
    async with redis.pipeline(transaction=False) as pipe:
        pipe.exists(relay.done_key(request_id))
        pipe.set(relay.lease_key(request_id), token, nx=True, px=int(hold_seconds * 1000))
        pipe.exists(relay.emitted_key(request_id))
        pipe.get(handoff.audited_key(request_id))
        pipe.exists(relay.cancel_key(request_id))
        pipe.get(relay.reached_key(request_id))
        pipe.set(relay.taken_key(request_id), 1, ex=relay.TTL_SECONDS)  # its lease is its heartbeat from now on
        done, leased, emitted, audited, cancelled, reached, _ = await pipe.execute()
    if done:
        if leased:
            await redis.delete(relay.lease_key(request_id))
        return None
    if not leased:
        raise LeaseHeld
    tier, _, name = (reached or b"").decode().partition(" ")
    return Lease(token, bool(emitted), audited == handoff.AUDITED, bool(cancelled), tier, name)


async def release(request_id: str) -> None:
    """Mark a request served and give up its lease: a later delivery of it does nothing.

    Best effort: with Redis away, the lease lapses by itself and the done mark is lost with
    Redis's memory, together with any copy of the request that could be delivered again.
    """
    try:
        async with relay.client().pipeline(transaction=False) as pipe:
            pipe.set(relay.done_key(request_id), 1, ex=relay.TTL_SECONDS)
            pipe.delete(relay.lease_key(request_id))
            await pipe.execute()
    except BROKEN:
        log.warning("could not release request %s: Redis is unreachable", request_id)


async def tell(request_id: str, *events: relay.RelayEvent) -> None:
    """Tell the client what became of its request, if Redis, which carries it, is there."""
    try:
        await relay.publish(request_id, *events)
    except BROKEN:
        log.warning("could not tell the client of request %s what happened: Redis is unreachable", request_id)


async def serve(
    job: Job,
    providers: list[ProviderConfig],
    client: httpx.AsyncClient,
    lease: Lease,
    refusal: str = "",
    blocked: str = "",
    blocked_status: int = 403,
) -> Result:
    """Serve a request whose lease this worker holds (see take); the caller releases it."""
    rid = job.request_id
    reached: list[ProviderConfig] = []  # the providers called, as they are called
    try:
        if lease.emitted:
            # An earlier worker died after the client had part of the answer: saying so
            # is honest, starting again would repeat text.
            await relay.publish(
                rid, relay.error(502, "The answer was interrupted: the worker serving it stopped.", "worker_lost"), {"type": "end"}
            )
            return Result(
                Outcome.INTERRUPTED,
                reason="the worker serving the request stopped mid-answer",
                tier=lease.tier,
                provider_name=lease.provider_name,
            )
        if blocked:
            code, kind = ("rate_limit_exceeded", "rate_limit_error") if blocked_status == 429 else ("blocked_by_rule", "permission_error")
            await relay.publish(rid, relay.error(blocked_status, blocked, code, kind))
            return Result(Outcome.BLOCKED, reason=blocked[:300])
        if not providers:
            message = refusal or "No allowed provider is available for this request."
            await relay.publish(rid, relay.error(503, message, "no_provider", "service_unavailable"))
            return Result(Outcome.REFUSED, reason=message[:300])
        return await _watched(job, providers, client, lease.token, int(settings.HEARTH_LEASE_SECONDS * 1000), reached)
    except Exception as exc:
        if isinstance(exc, BROKEN):
            # Redis went away mid-answer: the answer's chunks went with it. The audit row
            # still says where the request went, and the worker goes on serving others.
            log.warning("request %s was cut off: Redis is unreachable (%s)", rid, type(exc).__name__)
            await tell(rid, relay.broker_lost(), {"type": "end"})
            return _at(Result(Outcome.INTERRUPTED, reason="Redis went away mid-answer; the answer was cut off"), reached)
        if isinstance(exc, OperationalError):
            # The answer's row could not be sealed (a full disk): no answer goes out that the
            # audit log does not hold; the opened row says it was sent.
            log.warning("request %s: its audit row could not be sealed (%s)", rid, type(exc).__name__)
            await tell(rid, relay.error(503, AUDIT_FULL, "audit_unavailable", "service_unavailable"), {"type": "end"})
            return _at(Result(Outcome.UPSTREAM_ERROR, reason="the audit row could not be sealed (disk full?)"), reached)
        log.exception("request %s failed inside the worker", rid)
        await tell(
            rid,
            relay.error(500, "Hearth hit an internal error while serving the request.", "server_error", "server_error"),
            {"type": "end"},
        )
        return _at(Result(Outcome.UPSTREAM_ERROR, reason="internal error in the worker"), reached)


async def _watched(
    job: Job, providers: list[ProviderConfig], client: httpx.AsyncClient, token: str, lease_ms: int, reached: list[ProviderConfig]
) -> Result:
    """Run the request while renewing the lease and watching for a cancel.

    The lease is the worker's heartbeat: the web process takes a request whose lease lapsed
    for lost (gateway.journey.heartbeat). Should this worker find its lease gone (it was
    too slow to renew it, and the request was given up), it stops too.
    """
    redis, rid = relay.client(), job.request_id
    work = asyncio.ensure_future(_attempt(job, providers, client, reached))
    renew_every = max(1, int(lease_ms / 3000 / POLL_SECONDS))
    tick = 0
    while not work.done():
        await asyncio.wait([work], timeout=POLL_SECONDS)
        if work.done():
            break
        tick += 1
        async with redis.pipeline(transaction=False) as pipe:
            pipe.get(relay.cancel_key(rid))
            if tick % renew_every == 0:
                pipe.set(relay.lease_key(rid), token, px=lease_ms, xx=True)
            out = await pipe.execute()
        cancelled, lost = out[0], len(out) > 1 and not out[1]
        if cancelled or lost:
            work.cancel()
            try:
                await work
            except asyncio.CancelledError:
                pass
            if cancelled == relay.RESTARTED:
                return _at(Result(Outcome.INTERRUPTED, reason="Redis restarted mid-answer; the answer was cut off"), reached)
            if cancelled:
                return _at(Result(Outcome.CANCELLED, reason="the client went away"), reached)
            return _at(Result(Outcome.INTERRUPTED, reason="the worker lost its lease (too slow to renew it)"), reached)
    return work.result()


def _fell_back(fallback: str) -> str:
    """What an answered request's audit row says when it was not the planned provider that answered."""
    return f"fell back: {fallback}"[:300] if fallback else ""


def _at(result: Result, reached: list[ProviderConfig]) -> Result:
    """The result with the provider last called, which the audit row must name (what left the house)."""
    return replace(result, tier=reached[-1].tier, provider_name=reached[-1].name) if reached else result


async def _note(
    provider: ProviderConfig,
    *,
    failed: bool = False,
    ttft_ms: float | None = None,
    inflight: int = 0,
    reached: str = "",
    answered: bool = False,
) -> None:
    """Note a provider's health and load (`reached`: the id of a request now calling it;
    `answered`: a health probe got an answer)."""
    key, now = state_key(provider.id), time.time()
    async with relay.client().pipeline(transaction=False) as pipe:
        if failed:
            # down_since: when this outage began (the owner is told when it lasts, appliance.services.notices).
            pipe.hget(key, "fail_until")
            pipe.hsetnx(key, "down_since", now)
            pipe.hset(key, "fail_until", now + FAIL_SECONDS)
        if ttft_ms is not None:
            pipe.hget(key, "ewma_ms")
        if inflight:
            pipe.hincrby(key, "inflight", inflight)
        pipe.expire(key, 3600)
        if reached:
            pipe.set(relay.reached_key(reached), f"{provider.tier} {provider.name}", ex=relay.TTL_SECONDS)
        if answered:  # the outage, if any, is over; fail_until stays the requests' own
            pipe.hset(key, "answered_at", now)
            pipe.hdel(key, "down_since")
        out = await pipe.execute()
    if failed and not out[1] and now - (float(out[0] or 0) - FAIL_SECONDS) > DOWN_GAP_SECONDS:
        await relay.client().hset(key, "down_since", now)  # nothing heard of it for a while: a new outage
    if ttft_ms is not None:
        previous = out[3 if failed else 0]
        ewma = ttft_ms if previous is None else 0.8 * float(previous) + 0.2 * ttft_ms
        async with relay.client().pipeline(transaction=False) as pipe:
            pipe.hset(key, mapping={"ewma_ms": ewma, "fail_until": 0, "answered_at": now})
            pipe.hdel(key, "down_since")  # it answers: the outage, if any, is over
            await pipe.execute()


async def _attempt(job: Job, providers: list[ProviderConfig], client: httpx.AsyncClient, reached: list[ProviderConfig]) -> Result:
    """Try the providers in order; fail over only before the first byte. `reached`: each
    provider called is added as it is called."""
    started = time.monotonic()
    reasons: list[str] = [job.passed_over] if job.passed_over else []
    for attempt, provider in enumerate(providers, start=1):
        adapter = adapter_for(provider, client)
        if not adapter.supports(job.kind):
            continue
        body, redactor = outbound(job, provider.tier, provider.model_for(job.model, job.kind))
        t0 = time.monotonic()
        # Counted as in flight while the call sets off, not before it: one round trip less
        # before the first byte. Awaited before any step that counts it down again.
        reached.append(provider)
        counted = asyncio.ensure_future(_note(provider, inflight=1, reached=job.request_id))
        try:
            if job.stream:
                stream = adapter.stream(job.kind, body).__aiter__()
                first = await asyncio.wait_for(stream.__anext__(), provider.timeout)
            else:
                whole = await adapter.call(job.kind, _upstream_body(body))
                if redactor is not None:
                    restore_whole(whole, redactor)
                if job.kind == Kind.EMBEDDING:
                    _pool(whole)
                    if body.get("encoding_format") == "base64":
                        _to_base64(whole)
        except (UpstreamError, TimeoutError, StopAsyncIteration) as exc:
            await counted
            await _note(provider, inflight=-1, failed=True)
            message = exc.message if isinstance(exc, UpstreamError) else "the provider sent nothing in time"
            reasons.append(f"{provider.name}: {message}")
            log.warning("provider %s failed before the first byte of request %s: %s", provider.name, job.request_id, message)
            if isinstance(exc, UpstreamError) and not exc.retryable:
                await relay.publish(
                    job.request_id, relay.error(502, f"The provider {provider.name} rejected the request ({message}).", "upstream_rejected")
                )
                return Result(
                    Outcome.REJECTED, reason="; ".join(reasons), attempts=attempt, tier=provider.tier, provider_name=provider.name
                )
            continue
        except BaseException:
            await counted
            await _note(provider, inflight=-1)
            raise
        ttft_ms = (time.monotonic() - t0) * 1000
        await counted
        try:
            fallback = "; ".join(reasons)  # the providers tried before, and why each did not answer
            start: relay.StartEvent = {
                "type": "start", "provider": provider.name, "tier": provider.tier, "explanation": job.explanation, "fallback": fallback,
            }  # fmt: skip
            redactions = redactor.counts() if redactor is not None else {}
            if not job.stream:
                usage = whole.get("usage") or {}
                result = _done(
                    job, provider, body["model"], attempt, ttft_ms, started, usage.get("prompt_tokens"), usage.get("completion_tokens")
                )
                result = replace(result, redactions=redactions, reason=_fell_back(fallback))
                if job.seal is not None:
                    await job.seal(result)
                await relay.publish(job.request_id, start, {"type": "response", "data": json.dumps(whole)}, {"type": "end"})
                return result
            restoration = StreamRestoration(redactor) if redactor is not None else None
            return await _relay_stream(
                job, provider, body["model"], attempt, ttft_ms, started, start, first, stream, restoration, redactions, _fell_back(fallback)
            )
        finally:
            # Out of flight, and how long the first byte took: one note once the answer is
            # through, so that nothing but the answer itself happens before the client has it.
            await _note(provider, inflight=-1, ttft_ms=ttft_ms)
    await relay.publish(
        job.request_id,
        relay.error(503, "No allowed provider could answer: " + "; ".join(reasons), "no_provider_available", "service_unavailable"),
    )
    return Result(Outcome.UPSTREAM_ERROR, reason="; ".join(reasons) or "no provider supports this request", attempts=len(providers))


async def _relay_stream(
    job: Job, provider: ProviderConfig, model: str, attempt: int, ttft_ms: float, started: float,
    start: relay.StartEvent, first: dict[str, Any], rest: AsyncIterator[dict[str, Any]], restoration: StreamRestoration | None,
    redactions: dict[str, int], fell_back: str = "",
) -> Result:  # fmt: skip
    usage: dict[str, Any] = {}
    pieces = 0
    outbox = relay.Outbox(job.request_id, start)  # the start event goes with the first chunk

    def forward(chunk: dict[str, Any]) -> None:
        nonlocal pieces, usage
        if chunk.get("usage"):
            usage = chunk["usage"]
        if not chunk.get("choices"):
            if not (job.include_usage and usage):
                return  # a usage-only chunk the client did not ask for
        else:
            pieces += 1
            if not job.include_usage:
                chunk.pop("usage", None)
            if restoration is not None:
                restoration.chunk(chunk)
        outbox.put({"type": "chunk", "data": json.dumps(chunk)})

    try:
        forward(first)
        async for chunk in rest:
            forward(chunk)
    except (UpstreamError, TimeoutError) as exc:
        message = exc.message if isinstance(exc, UpstreamError) else "the provider stalled"
        log.warning("provider %s failed mid-answer of request %s: %s", provider.name, job.request_id, message)
        outbox.put(relay.error(502, f"The answer was interrupted: {message}.", "upstream_interrupted"), {"type": "end"})
        await outbox.drain()
        failed = _done(job, provider, model, attempt, ttft_ms, started, None, pieces, Outcome.FAILED_MIDSTREAM, message)
        return replace(failed, redactions=redactions)
    except asyncio.CancelledError:
        outbox.cancel()  # the client went away: nobody reads the rest
        raise
    finally:
        aclose = getattr(rest, "aclose", None)
        if aclose is not None:
            await aclose()  # close the provider's connection now, even when cancelled
    result = _done(job, provider, model, attempt, ttft_ms, started, usage.get("prompt_tokens"), usage.get("completion_tokens") or pieces)
    result = replace(result, redactions=redactions, reason=fell_back)
    if job.seal is not None:
        await outbox.drain()  # every chunk out, then the row sealed, then the end
        await job.seal(result)
    outbox.put({"type": "end"})
    await outbox.drain()
    return result


def _done(
    job: Job, provider: ProviderConfig, model: str, attempt: int, ttft_ms: float, started: float,
    prompt_tokens: int | None, completion_tokens: int | None, outcome: Outcome = Outcome.OK, reason: str = "",
) -> Result:  # fmt: skip
    if prompt_tokens is None:
        prompt_tokens = max(1, job.prompt_chars // 4)  # an estimate when the provider gave none
    cost = (Decimal(prompt_tokens) * provider.price_in_per_mtok + Decimal(completion_tokens or 0) * provider.price_out_per_mtok) / Decimal(
        1_000_000
    )
    return Result(
        outcome, reason=reason, tier=provider.tier, provider_name=provider.name, model_used=model,
        attempts=attempt, ttft_ms=int(ttft_ms), total_ms=int((time.monotonic() - started) * 1000),
        prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, cost=cost,
    )  # fmt: skip
