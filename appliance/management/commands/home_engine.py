"""`manage.py home_engine`: start the home inference engine and keep it running."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from appliance import engine
from appliance.store import active

WATCH_SECONDS = 1.0  # how often the store's choice of model is looked at


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
            child.terminate()
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            return None

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
