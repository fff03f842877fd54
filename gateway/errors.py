"""Errors returned to devices, in the OpenAI error shape."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from django.http import JsonResponse


@dataclass(frozen=True)
class ApiError(Exception):
    """An error a client sees: status, message, type and code as OpenAI names them."""

    status: int
    message: str
    type: str = "invalid_request_error"
    code: str | None = None
    param: str | None = None

    def body(self) -> dict[str, object]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    def response(self, headers: dict[str, str] | None = None) -> JsonResponse:
        return JsonResponse(self.body(), status=self.status, headers=headers)


def invalid(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, "invalid_request_error", code, param)


class ApiResponses:
    """Give every device API response an X-Request-Id, and errors Django made itself the OpenAI shape.

    The views answer in that shape themselves; this covers what reaches a device without a
    view (a request Django cannot parse, a crash outside one), which would otherwise be a page.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        replaced = False

        async def sending(message: dict[str, Any]) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                names = {name.lower(): value for name, value in headers}
                if b"x-request-id" not in names:
                    headers.append((b"x-request-id", str(uuid.uuid4()).encode()))
                status = int(message["status"])
                if status >= 400 and not names.get(b"content-type", b"").startswith(b"application/json"):
                    replaced = True
                    body = _error_body(status)
                    kept = [(n, v) for n, v in headers if n.lower() not in (b"content-type", b"content-length")]
                    kept += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
                    await send({**message, "headers": kept})
                    await send({"type": "http.response.body", "body": body})
                    return
                message = {**message, "headers": headers}
            elif replaced:
                return  # the page Django made in its place
            await send(message)

        await self.app(scope, receive, sending)


def _error_body(status: int) -> bytes:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    error_type = "server_error" if status >= 500 else "invalid_request_error"
    message = f"{status} {phrase}: the device API could not serve this request."
    return json.dumps({"error": {"message": message, "type": error_type, "param": None, "code": phrase.lower().replace(" ", "_")}}).encode()
