"""Limits at the edge of the web process: what a client may send and how slowly.

uvicorn's httptools protocol keeps every byte of a request's head however large, counts no
headers, and gives a client that connected, or began a request, all the time it wants: one
device (or anything else on the home network) could hold the web process's memory and
connections with trickled headers. `EdgeProtocol` bounds the head's size, its header count
and the time it takes, answering in the OpenAI error shape and closing the connection; the
body's pace is bounded at the ASGI level (`BodyLimit`), where the body is read.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

from django.conf import settings
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

log = logging.getLogger(__name__)


def error_body(message: str, code: str, error_type: str = "invalid_request_error") -> bytes:
    """Return an error in the OpenAI error shape, as bytes."""
    return json.dumps({"error": {"message": message, "type": error_type, "param": None, "code": code}}).encode()


class EdgeProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with bounds on each request's head and on the connections served."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # uvicorn's own concurrency check answers in plain text; this one answers in the API's shape.
        self.max_connections: int | None = self.limit_concurrency or None
        self.limit_concurrency = None
        self.head_open = True  # reading a request's line and headers (or waiting for the first)
        self.head_bytes = 0  # bytes received while the head is open
        self.head_size = 0  # the head's line and headers as parsed so far
        self.head_fields = 0
        self.refusal: tuple[int, bytes] | None = None
        self.head_timer: asyncio.TimerHandle | None = None

    # --- the head's clock --------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_clock()
        super().connection_lost(exc)

    def _start_head_clock(self) -> None:
        if self.head_timer is None:
            self.head_timer = self.loop.call_later(settings.HEARTH_HEAD_SECONDS, self._head_too_slow)

    def _stop_head_clock(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_too_slow(self) -> None:
        self.head_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self._start_head_clock()  # a pipelined head waits for our answer, not the client
            return
        if self.head_bytes == 0 and self.head_size == 0:
            self.transport.close()  # connected and never asked: nothing to answer
            return
        seconds = settings.HEARTH_HEAD_SECONDS
        self._refuse(408, error_body(f"The request's headers did not arrive within {seconds:g} s.", "request_timeout"))

    # --- the head's size -----------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self.refusal is not None or self.transport.is_closing():
            return
        super().data_received(data)
        if self.refusal is None and self.head_open:
            # Counted after parsing, so a chunk that completes a head and carries its body is
            # not counted; one that leaves a head incomplete is, whole.
            self.head_bytes += len(data)
            if self.head_bytes > settings.HEARTH_MAX_HEAD_BYTES:
                self._too_large()
        if self.refusal is not None:
            self._refuse(*self.refusal)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.head_open, self.head_size, self.head_fields = True, 0, 0
        self._start_head_clock()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self.head_size += len(url)
        if self.head_size > settings.HEARTH_MAX_HEAD_BYTES:
            self._too_large()

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        self.head_fields += 1
        self.head_size += len(name) + len(value) + 4
        if self.head_fields > settings.HEARTH_MAX_HEADERS:
            limit = settings.HEARTH_MAX_HEADERS
            self.refusal = self.refusal or (431, error_body(f"A request may carry at most {limit} headers.", "too_many_headers"))
        elif self.head_size > settings.HEARTH_MAX_HEAD_BYTES:
            self._too_large()

    def _too_large(self) -> None:
        limit = settings.HEARTH_MAX_HEAD_BYTES
        message = f"The request's line and headers are larger than {limit} bytes."
        self.refusal = self.refusal or (431, error_body(message, "headers_too_large"))

    def on_headers_complete(self) -> None:
        self._stop_head_clock()
        self.head_open, self.head_bytes = False, 0
        if self.refusal is not None:
            return  # answered once the parser returns; the app never sees it
        app = self.app
        if self.max_connections is not None and (len(self.connections) >= self.max_connections or len(self.tasks) >= self.max_connections):
            log.warning("refused a request: %d connections are open, the most served at once", len(self.connections))
            self.app = busy  # type: ignore[assignment]
        try:
            super().on_headers_complete()
        finally:
            self.app = app

    def on_body(self, body: bytes) -> None:
        if self.refusal is None:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self.refusal is None:
            super().on_message_complete()

    def _refuse(self, status: int, body: bytes) -> None:
        self.refusal = (status, body)
        self._stop_head_clock()
        if self.transport.is_closing():
            return
        head = [
            STATUS_LINE[status],
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n",
            b"x-request-id: " + str(uuid.uuid4()).encode() + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


async def busy(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answer that the web process serves as many connections as it may."""
    body = error_body("Hearth is serving as many connections as it may; try again shortly.", "too_many_connections", "server_error")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", b"1"),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _NoClientAddresses(logging.Filter):
    """Drop uvicorn's lines that begin with a client's address (websocket accepted, refused, closed)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith("%s - "))


def log_config() -> dict[str, Any]:
    """Return uvicorn's logging configuration without client addresses.

    With the access log off, uvicorn still writes a line with the client's address and port
    for every websocket (the dashboard's live figures): which device was where, and when,
    is the household's business, not a log's.
    """
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = json.loads(json.dumps(LOGGING_CONFIG))
    config["filters"] = {"no_client_addresses": {"()": _NoClientAddresses}}
    for handler in config["handlers"].values():
        handler["filters"] = ["no_client_addresses"]
    return config
