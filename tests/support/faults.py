"""Verbs of the fault table (tests/faults): kill -9 a service of the session's box, restart it,
stop it for a while; each on the real process, the way a crash or an operator would."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from appliance.plumbing.stack import Service, Stack


def running(stack: Stack, name: str) -> Service:
    """Return the stack's live service of that name (the latest started)."""
    for service in reversed(stack.services):
        if service.name == name and service.process is not None and service.process.poll() is None:
            return service
    raise LookupError(f"no running service {name!r} in the stack")


def kill9(stack: Stack, name: str) -> Service:
    """SIGKILL a service's whole process group (a crash: no handler runs); return the dead service."""
    service = running(stack, name)
    assert service.process is not None
    os.killpg(service.process.pid, signal.SIGKILL)
    service.process.wait(10)
    return service


def start_again(stack: Stack, dead: Service) -> Service:
    """Start a stopped or killed service again with the same command and settings; wait until it is ready."""
    stack.services.remove(dead)
    return stack.start(Service(dead.name, dead.argv, dead.ready, dead.ready_seconds, env=dead.env))


def restart(stack: Stack, name: str) -> Service:
    """Stop a service as its unit would (SIGTERM, then SIGKILL after 10 s) and start it again."""
    service = running(stack, name)
    stack.stop(service)
    return start_again(stack, service)


@contextmanager
def stopped(stack: Stack, name: str) -> Iterator[Service]:
    """Keep a service stopped inside the block; start it again after, whatever happened."""
    service = running(stack, name)
    stack.stop(service)
    try:
        yield service
    finally:
        start_again(stack, service)


def wait_until(check: Callable[[], Any], timeout: float, every: float = 0.1) -> Any:
    """Poll until `check` returns something truthy; return it (or the last falsy value at the deadline)."""
    deadline = time.monotonic() + timeout
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(every)
    return value
