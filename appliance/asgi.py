"""ASGI entry point of the web process."""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appliance.settings")

django_application = get_asgi_application()

from django.conf import settings  # noqa: E402  (after the app is set up)

from appliance.edge import error_body  # noqa: E402


class BodyLimit:
    """Refuse a request body over the limit before it is read into memory or onto disk, or one sent too slowly.

    A client that stops sending its body, or trickles it, would hold a connection and the
    request's memory for as long as it likes: each part must come within
    HEARTH_BODY_IDLE_SECONDS and the whole body within HEARTH_BODY_SECONDS.
    """

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, seconds = self.limit, settings.HEARTH_BODY_SECONDS
        if scope.get("path") == "/updates/upload/":  # an update bundle (the owner's, checked by the view): larger and slower
            limit, seconds = settings.HEARTH_MAX_BUNDLE_BYTES, settings.HEARTH_BUNDLE_UPLOAD_SECONDS
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                return await self._refuse(send, 413, f"The request body is larger than {limit} bytes.", "request_too_large")
        seen, complete = 0, False
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds

        async def limited() -> dict[str, Any]:
            nonlocal seen, complete
            if complete:  # past the body only the disconnect is awaited, for as long as the answer takes
                return await receive()  # type: ignore[no-any-return]
            try:
                async with asyncio.timeout(min(settings.HEARTH_BODY_IDLE_SECONDS, deadline - loop.time())):
                    message: dict[str, Any] = await receive()
            except TimeoutError:
                raise _TooSlow from None
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(send, 413, f"The request body is larger than {limit} bytes.", "request_too_large")
        except _TooSlow:
            message = (
                f"The request body did not arrive in time (each part within {settings.HEARTH_BODY_IDLE_SECONDS:g} s,"
                f" all of it within {seconds:g} s)."
            )
            await self._refuse(send, 408, message, "request_timeout")

    async def _refuse(self, send: Any, status: int, message: str, code: str) -> None:
        body = error_body(message, code)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", str(uuid.uuid4()).encode()),
            (b"connection", b"close"),  # the rest of the body is not read
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


class RetryAfter:
    """Tell a device when to try again after a 503 that does not say so (OpenAI's clients wait as told)."""

    SECONDS = b"5"

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] == 503:
                headers = list(message.get("headers") or [])
                if not any(name.lower() == b"retry-after" for name, _ in headers):
                    message = {**message, "headers": [*headers, (b"retry-after", self.SECONDS)]}
            await send(message)

        await self.app(scope, receive, sending)


from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402
from django.core.handlers.asgi import ASGIHandler  # noqa: E402
from django.core.handlers.exception import convert_exception_to_response  # noqa: E402
from django.core.signals import request_started  # noqa: E402
from django.db import close_old_connections, reset_queries  # noqa: E402

from appliance.routing import websocket_urlpatterns  # noqa: E402
from gateway.errors import ApiResponses  # noqa: E402


class DeviceApiHandler(ASGIHandler):
    """The device API (/v1/) without the pages' middleware.

    Devices authenticate with keys, not cookies, so sessions, CSRF, sign-in and messages
    have nothing to do there; and Django runs each of those middleware's hooks in the one
    thread it shares between all requests, so a burst of device requests would queue there.
    The API's views turn every error into the OpenAI error shape themselves.
    """

    def load_middleware(self, is_async: bool = False) -> None:
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        self._middleware_chain = convert_exception_to_response(self._get_response_async)  # type: ignore[attr-defined]  # (not in the stubs)


def _page_requests_only() -> None:
    """Leave Django's per-request database housekeeping to the pages' handler.

    Django sends request_started before every request, and its receivers (close old
    connections, reset the query log) are plain functions, which it runs in the one thread
    it shares between all requests: each device request would wait for that thread before
    its view starts. The device API's database work runs in threads of its own that those
    receivers never touch, so for it they are only a wait.
    """
    for signal, receiver in ((request_started, reset_queries), (request_started, close_old_connections)):
        signal.disconnect(receiver)
        signal.connect(receiver, sender=ASGIHandler)


_page_requests_only()


class ByPath:
    """Send the device API (OpenAI's at /v1/, Ollama's at /api/) to its own handler and everything else to the pages'."""

    def __init__(self, api: Any, pages: Any) -> None:
        self.api, self.pages = api, pages

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope["path"] if scope["type"] == "http" else ""
        app = self.api if path.startswith(("/v1/", "/api/")) or path == "/v1" else self.pages
        await app(scope, receive, send)


application = ProtocolTypeRouter(
    {
        # Static files (the pages' CSS and scripts) are served by the web process itself: no separate server on the box.
        "http": BodyLimit(
            ByPath(RetryAfter(ApiResponses(DeviceApiHandler())), ASGIStaticFilesHandler(django_application)), settings.HEARTH_MAX_BODY_BYTES
        ),
        # Same-origin only (the Host check again), and only for a signed-in session.
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
