"""`manage.py home_engine`: start the home inference engine and keep it running."""

from __future__ import annotations

import signal
import subprocess
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from appliance import engine


class Command(BaseCommand):
    help = "Run the home inference engine (vLLM or llama.cpp's server) and restart it if it dies."

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
            child = subprocess.Popen(argv)
            code = child.wait()
            if stopping:
                break
            # Restart with a growing pause, reset once the engine has run a while.
            backoff = 1.0 if time.monotonic() - started > 60 else min(backoff * 2, 60.0)
            self.stderr.write(f"the home engine exited with code {code}; restarting in {backoff:.0f} s")
            time.sleep(backoff)
        if child is not None:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
