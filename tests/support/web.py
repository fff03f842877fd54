"""A web process of its own beside the test session's box, with settings of its own (short
edge timers, a capped database), sharing the session's Redis, database and workers."""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from appliance.plumbing.stack import Service, Stack, free_port, http_ok
from tests.support.postgres import child_database_env


@dataclass
class Web:
    """A running web process: its URL, port and log file."""

    url: str
    port: int
    service: Service
    log: str

    def log_text(self) -> str:
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()


@contextmanager
def web_process(stack: Stack, name: str, **env: str) -> Iterator[Web]:
    """Run `manage.py serve` on a free port with these settings on top of the stack's; stop it after."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port)]
    service = Service(name, argv, http_ok(f"{url}/healthz"), 60, env=child_database_env() | env)
    assert stack.log_dir is not None
    stack.start(service)
    try:
        yield Web(url, port, service, str(stack.log_dir / f"{name}.log"))
    finally:
        stack.stop(service)


def raw_exchange(port: int, parts: list[bytes], pause: float = 0.0, timeout: float = 10.0) -> bytes:
    """Send parts over one connection (pausing between them) and return all the server sent until it closed.

    A server that refuses midway may close before every part is sent: sending stops there and
    what it answered is still read.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        for part in parts:
            try:
                s.sendall(part)
            except OSError:
                break
            if pause:
                time.sleep(pause)
        return read_until_closed(s, timeout)


def read_until_closed(s: socket.socket, timeout: float = 10.0) -> bytes:
    """Return what the server sends until it closes the connection (or the timeout)."""
    s.settimeout(timeout)
    received = b""
    try:
        while chunk := s.recv(65536):
            received += chunk
    except TimeoutError:
        received += b"<still open>"
    except ConnectionResetError:
        pass
    return received
