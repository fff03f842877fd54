"""`manage.py home_engine`: start the home inference engine and keep it running.

One engine for the chat model, always; a second for the embeddings model, while the household
has chosen one in the store. Each restarts on its own when it dies or its model changes.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

import redis
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from appliance import engine
from appliance.plumbing.redis import sync_client
from appliance.store import active
from gateway.models import Provider
from gateway.router import state_key
from gateway.services import home_provider_name

WATCH_SECONDS = 1.0  # how often the store's choice of model is looked at
DRAIN_SECONDS = 120.0  # a switch waits at most this long for the answers being written to finish


def in_flight(role: str = active.CHAT) -> int:
    """Return how many requests the home engine of a role answers now (the router's count; 0 when it cannot be read)."""
    try:
        home = Provider.objects.filter(name=home_provider_name(role)).values_list("pk", flat=True).first()
        return 0 if home is None else max(int(sync_client().hget(state_key(home), "inflight") or 0), 0)
    except (redis.RedisError, DatabaseError):
        return 0


class Command(BaseCommand):
    help = (
        "Run the home inference engine (vLLM or llama.cpp's server), and the embeddings engine once one is chosen; "
        "restart either if it dies or its chosen model changes."
    )

    def _say(self, role: str, message: str, error: bool = False) -> None:
        out = self.stderr if error else self.stdout
        out.write(message if role == active.CHAT else f"embeddings: {message}")

    def _wait(self, role: str, child: subprocess.Popen[bytes], seen: tuple[int, int] | None, stopping: Callable[[], bool]) -> int | None:
        """Wait for the engine to exit (its code), or stop it when the store's chosen model changes (None)."""
        while True:
            try:
                return child.wait(timeout=WATCH_SECONDS)
            except subprocess.TimeoutExpired:
                if stopping() or active.signature(role) == seen:
                    continue
            self._drain(role, child, stopping)
            child.terminate()
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            return None

    def _drain(self, role: str, child: subprocess.Popen[bytes], stopping: Callable[[], bool]) -> None:
        """Let the answers the engine is writing finish before it is stopped for a switch (at most DRAIN_SECONDS)."""
        deadline = time.monotonic() + DRAIN_SECONDS
        said = False
        while (busy := in_flight(role)) and time.monotonic() < deadline and child.poll() is None and not stopping():
            if not said:
                self._say(role, f"the chosen home model changed; waiting for {busy} answer(s) to finish first")
                said = True
            time.sleep(0.2)

    def _command_when_possible(self, role: str, stopping: Callable[[], bool]) -> list[str]:
        """Return the engine's command line, waiting while its model cannot be served (a damaged file, say, or
        no embeddings model chosen), saying why; [] once stopping."""
        said = ""
        while not stopping():
            if not engine.wanted(role):
                said = ""  # nothing chosen for this role: nothing to run, nothing to say
                time.sleep(WATCH_SECONDS)
                continue
            try:
                return engine.command(role=role)
            except engine.EngineUnavailable as exc:
                if str(exc) != said:
                    self._say(role, f"the home engine cannot start: {exc}", error=True)
                    said = str(exc)
                time.sleep(WATCH_SECONDS)
        return []

    def _supervise(self, role: str, argv: list[str], stop: threading.Event, children: dict[str, subprocess.Popen[bytes]]) -> None:
        """Run one role's engine until stopped: start it, restart it when it dies or its model changes."""
        stopping = stop.is_set
        backoff = 1.0
        argv = argv or self._command_when_possible(role, stopping)
        while argv and not stopping():
            self._say(role, f"starting the home engine: {argv[0]} ... ({' '.join(argv[1:3])})")
            started = time.monotonic()
            seen = active.signature(role)
            child = children[role] = subprocess.Popen(argv)
            if stopping():  # a signal came between the check and the start
                child.terminate()
            code = self._wait(role, child, seen, stopping)
            if stopping():
                break
            if code is None:  # the household chose another model in the store: start on it at once
                self._say(role, "the chosen home model changed; restarting the home engine on it")
                backoff = 1.0
            else:
                # Restart with a growing pause, reset once the engine has run a while.
                backoff = 1.0 if time.monotonic() - started > 60 else min(backoff * 2, 60.0)
                self._say(role, f"the home engine exited with code {code}; restarting in {backoff:.0f} s", error=True)
                stop.wait(backoff)  # a stop during the pause ends it at once
            close_old_connections()
            argv = self._command_when_possible(role, stopping)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            argv = engine.command()
        except engine.EngineUnavailable as exc:
            raise CommandError(str(exc)) from exc
        stopping = threading.Event()
        children: dict[str, subprocess.Popen[bytes]] = {}

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.set()
            for child in list(children.values()):
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        embeddings = threading.Thread(
            target=self._supervise, args=(active.EMBEDDINGS, [], stopping, children), name="embeddings-engine", daemon=True
        )
        embeddings.start()
        self._supervise(active.CHAT, argv, stopping, children)
        embeddings.join(timeout=40)
        for child in children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
