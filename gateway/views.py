"""The OpenAI-compatible API for devices: parse, call one service, respond."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

from appliance.plumbing.redis import BROKEN
from appliance.store import asked
from devices.models import Device
from devices.services import authenticate

from . import functions, journey, ollama, relay, router, schema
from .choices import Kind
from .envelope import Envelope
from .errors import ApiError
from .relay import RelayEvent

log = logging.getLogger(__name__)

Validator = Callable[[Mapping[str, Any]], schema.ApiRequest]


def api_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """Authenticate the device and turn every failure into the OpenAI error shape."""

    @csrf_exempt
    async def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse | StreamingHttpResponse:
        response: HttpResponse | StreamingHttpResponse
        try:
            device = await _device(request)
            response = await view(request, device, *args, **kwargs)
        except ApiError as exc:
            response = exc.response()
        except BROKEN:
            # Redis is restarting (or gone): the box cannot take requests for a moment.
            log.warning("Redis is unreachable; answering 503 (%s)", request.path[:200])
            response = ApiError(
                503, "Hearth is restarting a service; try again in a few seconds.", "service_unavailable", "broker_unavailable"
            ).response()
            response["Retry-After"] = "5"
        except Exception:
            request_id = new_request_id()
            log.exception("unexpected error serving %s (request %s)", request.path[:200], request_id)
            response = ApiError(500, "Hearth hit an internal error; the request was not served.", "server_error").response()
            response["X-Request-Id"] = request_id
        # Every answer carries an id a user can quote; a served request's is its audit row's.
        response.setdefault("X-Request-Id", new_request_id())
        return response

    return wrapped


def new_request_id() -> str:
    """Return an id for a response that opened no audit row (errors before routing)."""
    return str(uuid.uuid4())


ENDPOINTS = (
    "/v1/models, /v1/chat/completions, /v1/completions and /v1/embeddings, and Ollama's /api/tags and /api/chat"
    " (models are chosen on the box, not pulled through the API)"
)


@csrf_exempt
async def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Answer a path under /v1/ that Hearth does not serve, as OpenAI does: 404 in its error shape."""
    path = request.path if len(request.path) <= 200 else request.path[:200] + "…"
    message = f"Invalid URL ({(request.method or '')[:20]} {path}): Hearth serves {ENDPOINTS}."
    response = ApiError(404, message, "invalid_request_error", "unknown_url").response()
    response["X-Request-Id"] = new_request_id()
    return response


async def _device(request: HttpRequest) -> Device:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(401, "Missing device key: send it as 'Authorization: Bearer <key>'.", "invalid_request_error", "missing_api_key")
    device = await authenticate(key.strip())
    if device is None:
        raise ApiError(401, "Incorrect device key, or the key was revoked.", "invalid_request_error", "invalid_api_key")
    return device


def _method(request: HttpRequest, method: str) -> None:
    if request.method != method:
        raise ApiError(405, f"Use {method} for {request.path}.", "invalid_request_error", "method_not_allowed")


@api_view
async def models(request: HttpRequest, device: Device) -> HttpResponse:
    _method(request, "GET")
    # Every model the device may ask for, whatever kind of answer it makes: an embeddings-only
    # model is listed too, as OpenAI lists its own (Ollama's /api/tags below lists chat models).
    candidates = await router.providers()
    usable = [c for c in candidates if any(router.allowed([c], device.max_tier, kind) for kind in Kind)]
    created = int(time.time())
    data = [{"id": name, "object": "model", "created": created, "owned_by": "hearth"} for name in router.models_for(usable)]
    return JsonResponse({"object": "list", "data": data})


@api_view
async def chat_completions(request: HttpRequest, device: Device) -> HttpResponse | StreamingHttpResponse:
    return await _serve(request, device, schema.chat_request)


@api_view
async def completions(request: HttpRequest, device: Device) -> HttpResponse | StreamingHttpResponse:
    return await _serve(request, device, schema.completion_request)


@api_view
async def embeddings(request: HttpRequest, device: Device) -> HttpResponse | StreamingHttpResponse:
    return await _serve(request, device, schema.embedding_request)


def _body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RequestDataTooBig:
        raise ApiError(
            413, f"The request body is larger than {settings.HEARTH_MAX_BODY_BYTES} bytes.", "invalid_request_error", "request_too_large"
        ) from None


async def _serve(request: HttpRequest, device: Device, validate: Validator) -> HttpResponse | StreamingHttpResponse:
    _method(request, "POST")
    data = schema.parse_json(_body(request))
    legacy = validate is schema.chat_request and functions.is_legacy(data)
    api = validate(functions.to_tools(data) if legacy else data)
    envelope = await _submit(device, api)
    try:
        return await _answer(envelope, api, legacy)
    except ApiError as exc:
        return exc.response({"X-Request-Id": envelope.request_id})  # the audit row's id, errors included


async def _submit(device: Device, api: schema.ApiRequest) -> Envelope:
    try:
        return await journey.submit(device, api)
    except router.NoRoute as exc:
        message = exc.message
        if exc.code == "model_not_found":  # the store may know it: the device is told the owner can add it
            message += await sync_to_async(asked.told, thread_sensitive=False)(device.name, api.model)
        raise ApiError(exc.status, message, "service_unavailable" if exc.status == 503 else "invalid_request_error", exc.code) from None


async def _started(envelope: Envelope) -> tuple[AsyncIterator[RelayEvent], dict[str, str]]:
    """Wait for the worker to start the answer; return the rest of its events and the headers."""
    request_id = envelope.request_id
    events = journey.answer(envelope)
    try:
        first = await anext(events)
    except asyncio.CancelledError:
        await relay.cancel(request_id)
        raise
    if first["type"] == "error":
        raise ApiError(first["status"], first["message"], first["error_type"], first["code"])
    if first["type"] != "start":
        raise ApiError(500, "The worker's answer was out of order.", "server_error")
    headers = {
        "X-Request-Id": request_id,
        "X-Hearth-Tier": first["tier"],
        "X-Hearth-Provider": first["provider"],
        "X-Hearth-Explanation": header_text(first["explanation"]),
    }
    if first.get("fallback"):
        headers["X-Hearth-Fallback"] = header_text(first["fallback"])  # the providers that did not answer first, and why
    return events, headers


async def _answer(envelope: Envelope, api: schema.ApiRequest, legacy: bool) -> HttpResponse | StreamingHttpResponse:
    """Relay the worker's answer; `legacy`: in the legacy function-calling shape the request used."""
    events, headers = await _started(envelope)
    if not api.stream:
        return await _whole(events, headers, legacy)
    return _streaming(_sse(envelope.request_id, events, legacy), "text/event-stream", headers)


def _streaming(body: AsyncIterator[bytes], content_type: str, headers: dict[str, str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(body, content_type=content_type, headers=headers)
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def header_text(text: str) -> str:
    """Return text fit for an HTTP header: ASCII, non-ASCII characters percent-encoded."""
    return quote(text[:500], safe=" !\"#$&'()*+,-./:;<=>?@[]^_`{|}~")


async def _whole(events: AsyncIterator[RelayEvent], headers: dict[str, str], legacy: bool) -> HttpResponse:
    async for event in events:
        if event["type"] == "response":
            data = functions.whole_answer(event["data"]) if legacy else event["data"]
            return HttpResponse(data, content_type="application/json", headers=headers)
        if event["type"] == "error":
            raise ApiError(event["status"], event["message"], event["error_type"], event["code"])
    raise ApiError(502, "The worker ended without an answer.", "upstream_error")


async def _sse(request_id: str, events: AsyncIterator[RelayEvent], legacy: bool) -> AsyncIterator[bytes]:
    finished = False
    try:
        async for event in events:
            if event["type"] == "chunk":
                data = functions.stream_chunk(event["data"]) if legacy else event["data"]
                yield b"data: " + data.encode() + b"\n\n"
            elif event["type"] == "error":
                error = {"error": {"message": event["message"], "type": event["error_type"], "code": event["code"]}}
                yield b"data: " + json.dumps(error).encode() + b"\n\n"
                finished = True
                return
            elif event["type"] == "end":
                yield b"data: [DONE]\n\n"
                finished = True
                return
    finally:
        if not finished:
            # The client went away (or we did): stop the worker's upstream call.
            await asyncio.shield(relay.cancel(request_id))


# --- Ollama's chat API (Home Assistant's Ollama integration) ------------------------------


@api_view
async def ollama_tags(request: HttpRequest, device: Device) -> HttpResponse:
    _method(request, "GET")
    usable = router.allowed(await router.providers(), device.max_tier, Kind.CHAT)
    return JsonResponse(ollama.tags(router.models_for(usable)))


@api_view
async def ollama_chat(request: HttpRequest, device: Device) -> HttpResponse | StreamingHttpResponse:
    _method(request, "POST")
    data = schema.parse_json(_body(request))
    body, stream = ollama.to_openai(data)
    api = schema.chat_request(body)
    model = str(data.get("model"))
    envelope = await _submit(device, api)
    request_id = envelope.request_id
    try:
        events, headers = await _started(envelope)
        if stream:
            return _streaming(_ndjson(request_id, events, ollama.StreamTranslation(model)), "application/x-ndjson", headers)
        started = time.monotonic()
        async for event in events:
            if event["type"] == "response":
                return JsonResponse(ollama.whole(event["data"], model, started), headers=headers)
            if event["type"] == "error":
                raise ApiError(event["status"], event["message"], event["error_type"], event["code"])
        raise ApiError(502, "The worker ended without an answer.", "upstream_error")
    except ApiError as exc:
        return exc.response({"X-Request-Id": request_id})


async def _ndjson(request_id: str, events: AsyncIterator[RelayEvent], translation: ollama.StreamTranslation) -> AsyncIterator[bytes]:
    finished = False
    try:
        async for event in events:
            if event["type"] == "chunk":
                for line in translation.chunk(event["data"]):
                    yield json.dumps(line).encode() + b"\n"
            elif event["type"] == "error":
                yield json.dumps({"error": event["message"]}).encode() + b"\n"  # as Ollama ends a failed stream
                finished = True
                return
            elif event["type"] == "end":
                for line in translation.end():
                    yield json.dumps(line).encode() + b"\n"
                finished = True
                return
    finally:
        if not finished:
            await asyncio.shield(relay.cancel(request_id))
