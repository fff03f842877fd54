"""`manage.py home_engine`: start the home inference engine and keep it running."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

import redis
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from appliance import engine
from appliance.plumbing.redis import sync_client
from appliance.store import active
from gateway.models import Provider
from gateway.router import state_key

WATCH_SECONDS = 1.0  # how often the store's choice of model is looked at
DRAIN_SECONDS = 120.0  # a switch waits at most this long for the answers being written to finish


def in_flight() -> int:
    """Return how many requests the home engine answers now (the router's count; 0 when it cannot be read)."""
    try:
        home = Provider.objects.filter(tier="home").values_list("pk", flat=True).first()
        return 0 if home is None else max(int(sync_client().hget(state_key(home), "inflight") or 0), 0)
    except (redis.RedisError, DatabaseError):
        return 0


class Command(BaseCommand):
    help = "Run the home inference engine (vLLM or llama.cpp's server), restart it if it dies or the chosen model changes."

    def _wait(self, child: subprocess.Popen[bytes], seen: tuple[int, int] | None, stopping: Callable[[], bool]) -> int | None:
        """Wait for the engine to exit (its code), or stop it when the store's chosen model changes (None)."""
        while True:
            try:
                return child.wait(timeout=WATCH_SECONDS)
            except subprocess.TimeoutExpired:
                if stopping() or active.signature() == seen:
                    continue
            self._drain(child, stopping)
            child.terminate()
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            return None

    def _drain(self, child: subprocess.Popen[bytes], stopping: Callable[[], bool]) -> None:
        """Let the answers the engine is writing finish before it is stopped for a switch (at most DRAIN_SECONDS)."""
        deadline = time.monotonic() + DRAIN_SECONDS
        said = False
        while (busy := in_flight()) and time.monotonic() < deadline and child.poll() is None and not stopping():
            if not said:
                self.stdout.write(f"the chosen home model changed; waiting for {busy} answer(s) to finish first")
                said = True
            time.sleep(0.2)

    def _command_when_possible(self, stopping: Callable[[], bool]) -> list[str]:
        """Return the engine's command line, waiting while its model cannot be served (a damaged file, say), saying why."""
        said = ""
        while True:
            try:
                return engine.command()
            except engine.EngineUnavailable as exc:
                if str(exc) != said:
                    self.stderr.write(f"the home engine cannot start: {exc}")
                    said = str(exc)
                if stopping():
                    return []
                time.sleep(WATCH_SECONDS)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            argv = engine.command()
        except engine.EngineUnavailable as exc:
            raise CommandError(str(exc)) from exc
        stopping = False
        child: subprocess.Popen[bytes] | None = None

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True
            if child is not None and child.poll() is None:
                child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        backoff = 1.0
        while not stopping:
            self.stdout.write(f"starting the home engine: {argv[0]} ... ({' '.join(argv[1:3])})")
            started = time.monotonic()
            seen = active.signature()
            child = subprocess.Popen(argv)
            code = self._wait(child, seen, lambda: stopping)
            if stopping:
                break
            if code is None:  # the household chose another model in the store: start on it at once
                self.stdout.write("the chosen home model changed; restarting the home engine on it")
                backoff = 1.0
            else:
                # Restart with a growing pause, reset once the engine has run a while.
                backoff = 1.0 if time.monotonic() - started > 60 else min(backoff * 2, 60.0)
                self.stderr.write(f"the home engine exited with code {code}; restarting in {backoff:.0f} s")
                time.sleep(backoff)
            argv = self._command_when_possible(lambda: stopping)
        if child is not None:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
