"""Limits at the edge of the web process: oversized and too many headers, slow clients
(slowloris, trickled bodies), too many connections; and no client addresses in its log."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.test import Client
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from appliance.plumbing.stack import Stack
from tests.support.web import Web, raw_exchange, read_until_closed, web_process

HEAD = b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer nope\r\n"
MAX_CONNECTIONS = 30


@pytest.fixture(scope="module")
def edge(stack: Stack, django_db_setup: None) -> Iterator[Web]:
    """A web process with the edge's timers short, so a slow client is cut in about a second."""
    timers = {"HEARTH_HEAD_SECONDS": "1", "HEARTH_BODY_IDLE_SECONDS": "1", "HEARTH_BODY_SECONDS": "2.5"}
    with web_process(stack, "web-edge", HEARTH_MAX_CONNECTIONS=str(MAX_CONNECTIONS), **timers) as web:
        yield web


def answer(raw: bytes) -> tuple[int, dict[str, str], Any]:
    """Return the status, headers and JSON body of the one HTTP answer in raw."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, json.loads(body)


def still_serving(web: Web) -> bool:
    return httpx.get(f"{web.url}/healthz", timeout=5).status_code == 200


def test_a_megabyte_of_headers_is_refused_with_431_in_the_openai_shape_and_the_socket_closed(edge: Web) -> None:
    big = b"X-Filler: " + b"a" * (1024 * 1024) + b"\r\n"
    raw = raw_exchange(edge.port, [HEAD, *(big[i : i + 16384] for i in range(0, len(big), 16384)), b"\r\n"])
    status, headers, body = answer(raw)
    assert status == 431 and body["error"]["code"] == "headers_too_large" and headers["connection"] == "close"
    assert still_serving(edge)


def test_a_thousand_headers_are_refused_with_431(edge: Web) -> None:
    many = b"".join(b"X-H-%d: v\r\n" % i for i in range(1000))
    status, _, body = answer(raw_exchange(edge.port, [HEAD + many + b"Content-Length: 2\r\n\r\n{}"]))
    assert status == 431 and body["error"]["code"] == "too_many_headers"
    assert still_serving(edge)


def test_a_client_that_trickles_its_headers_is_answered_408_and_cut_off(edge: Web) -> None:
    started = time.monotonic()
    raw = raw_exchange(edge.port, [HEAD, *(b"X-Slow-%d: v\r\n" % i for i in range(30))], pause=0.2)
    took = time.monotonic() - started
    status, _, body = answer(raw)
    assert status == 408 and body["error"]["code"] == "request_timeout" and took < 3


def test_a_client_that_connects_and_says_nothing_is_disconnected(edge: Web) -> None:
    with socket.create_connection(("127.0.0.1", edge.port)) as s:
        started = time.monotonic()
        assert read_until_closed(s, timeout=5) == b""
        assert time.monotonic() - started < 3


def test_a_body_that_stops_coming_is_answered_408(edge: Web) -> None:
    raw = raw_exchange(edge.port, [HEAD + b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n", b'{"model":'])
    status, headers, body = answer(raw)
    assert status == 408 and body["error"]["code"] == "request_timeout" and headers["connection"] == "close"


def test_a_body_trickled_byte_by_byte_is_cut_at_the_whole_body_deadline(edge: Web) -> None:
    started = time.monotonic()
    head = HEAD + b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    raw = raw_exchange(edge.port, [head, *(b" " for _ in range(20))], pause=0.4)  # each byte within the idle limit
    took = time.monotonic() - started
    status, _, body = answer(raw)
    assert status == 408 and body["error"]["code"] == "request_timeout" and 2 < took < 5


def test_a_normal_request_is_answered_while_slow_clients_hold_connections(edge: Web) -> None:
    slow = [socket.create_connection(("127.0.0.1", edge.port)) for _ in range(MAX_CONNECTIONS // 2)]
    try:
        for s in slow:
            s.sendall(HEAD)
        started = time.monotonic()
        assert still_serving(edge) and time.monotonic() - started < 1  # before the edge cuts them (HEARTH_HEAD_SECONDS)
    finally:
        for s in slow:
            s.close()


def test_past_the_connection_limit_a_request_gets_503_with_retry_after_until_slow_clients_are_cut(edge: Web) -> None:
    slow = [socket.create_connection(("127.0.0.1", edge.port)) for _ in range(MAX_CONNECTIONS)]
    try:
        for s in slow:
            s.sendall(HEAD)
        time.sleep(0.2)
        refused = httpx.get(f"{edge.url}/healthz", timeout=5)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
        assert refused.json()["error"]["code"] == "too_many_connections"
        time.sleep(1.5)  # the edge cuts the slow ones at their head deadline
        assert still_serving(edge)
    finally:
        for s in slow:
            s.close()


@pytest.mark.django_db(transaction=True)
def test_the_web_log_names_no_client_address_after_websocket_connections(edge: Web, owner: Any) -> None:
    before = len(edge.log_text())
    signed_in = Client()
    signed_in.force_login(owner)
    url = edge.url.replace("http://", "ws://") + "/ws/dashboard/"
    cookie = {"Cookie": f"sessionid={signed_in.cookies['sessionid'].value}"}
    with connect(url, origin=Origin(edge.url), additional_headers=cookie) as ws:
        port = ws.socket.getsockname()[1]
        ws.recv(timeout=10)  # the figures: the consumer accepted
    with pytest.raises(InvalidStatus):  # not signed in: refused, which uvicorn logs too
        connect(url, origin=Origin(edge.url)).close()
    time.sleep(0.5)
    written = edge.log_text()[before:]
    assert "Uvicorn running on" in edge.log_text()  # the file is the web process's own log
    assert f":{port}" not in written and "127.0.0.1:" not in written and '"WebSocket' not in written, written
