"""The pairing endpoint: unauthenticated, so small, rate-limited and strict.

POST {pairing path} {"name": ..., "kind": ...} opens a request and returns a pairing id
and a short code; POST {pairing path}/collect {"pairing_id": ...} returns the key once
the owner approved, exactly once. Errors in the OpenAI error shape.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import services
from .discovery.announce import base_url
from .discovery.parse import text
from .kinds import index

MAX_BODY = 2048


def _error(status: int, message: str, code: str) -> JsonResponse:
    return JsonResponse({"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}}, status=status)


def _json(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    if request.method != "POST":
        return _error(405, "Use POST.", "method_not_allowed")
    length = request.headers.get("Content-Length", "")
    if not length.isdigit() or int(length) > MAX_BODY:
        return _error(413, f"The request body must be at most {MAX_BODY} bytes.", "request_too_large")
    try:
        data = json.loads(request.body)
    except ValueError:
        return _error(400, "The request body is not valid JSON.", "invalid_json")
    return data if isinstance(data, dict) else _error(400, "The request body must be a JSON object.", "invalid_json")


@csrf_exempt
def start(request: HttpRequest) -> JsonResponse:
    data = _json(request)
    if isinstance(data, JsonResponse):
        return data
    name = text(data.get("name"))
    if not name:
        return _error(400, "'name' is required: what the owner will see.", "invalid_name")
    kind = data.get("kind", "generic")
    manifest = index().kinds.get(kind) if isinstance(kind, str) else None
    if manifest is None:
        return _error(400, f"'kind' must be one of {', '.join(sorted(index().kinds))}.", "invalid_kind")
    try:
        started = services.start_pairing(name, manifest.category, request.META.get("REMOTE_ADDR"))
    except services.PairingRefused as exc:
        return _error(exc.status, exc.message, exc.code)
    body = {"pairing_id": started.pairing_id, "code": started.code, "expires_in": int(services.PAIRING_TTL.total_seconds())}
    return JsonResponse(body, status=201)


@csrf_exempt
def collect(request: HttpRequest) -> JsonResponse:
    data = _json(request)
    if isinstance(data, JsonResponse):
        return data
    pairing_id = data.get("pairing_id")
    if not isinstance(pairing_id, str) or not pairing_id:
        return _error(400, "'pairing_id' is required.", "invalid_pairing_id")
    try:
        issued = services.collect_key(pairing_id)
    except services.PairingRefused as exc:
        return _error(exc.status, exc.message, exc.code)
    response = JsonResponse({"key": issued.key, "device": issued.device.name, "api_base": f"{base_url()}/v1"})
    response["Cache-Control"] = "no-store"
    return response
