"""The running box's home engines, seen from a test: which model each runs, and whether it answers."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.conftest import Live


def until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def engine_argv(live: Live, port: int = 0) -> str:
    """Return the command line of the engine the running box's supervisor runs on a port (the chat engine's by
    default; '' while there is none). The supervisor's threads each start one engine."""
    port = port or live.stack.ports.engine
    supervisor = next(s for s in live.stack.services if s.name == "home-engine").process
    assert supervisor is not None
    for task in Path(f"/proc/{supervisor.pid}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except FileNotFoundError:
            continue  # a thread that has just ended
        for child in children:
            try:
                argv = Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace")
            except FileNotFoundError:
                continue
            if f"\0--port\0{port}\0" in argv:
                return argv
    return ""


def serving(live: Live, path: str, port: int = 0) -> bool:
    """Say whether the engine on a port runs this model file and answers."""
    port = port or live.stack.ports.engine
    if path not in engine_argv(live, port):
        return False
    try:
        return httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False
