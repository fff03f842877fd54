"""`manage.py runstack`: run the whole box on this machine until Ctrl-C (what `make run` does)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.core.management.base import BaseCommand

from appliance import console
from appliance.plumbing.stack import Ports, Stack
from devices.discovery.announce import base_url


class Command(BaseCommand):
    help = "Start Redis, Mosquitto, the workers, beat, the home engine and the web server."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        data = Path(settings.DATA_DIR)
        ports = Ports(
            redis=urlparse(settings.REDIS_URL).port or 6390,
            mqtt=int(os.environ.get("HEARTH_MQTT_PORT", 1884)),
            engine=settings.HEARTH_HOME_PORT,
            embeddings=settings.HEARTH_HOME_EMBEDDINGS_PORT,
            web=settings.HEARTH_WEB_PORT,
        )
        stack = Stack(data, ports, log_dir=data / "logs", web_host=settings.HEARTH_WEB_HOST)

        def interrupted(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, interrupted)
        try:
            self.stdout.write("starting Redis and Mosquitto …")
            stack.start(stack.redis())
            stack.start(stack.mosquitto())
            self.stdout.write("preparing the database …")
            subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=stack.child_env(), check=True)
            self.stdout.write("starting the home engine (loading the model) …")
            stack.start(stack.engine())
            self.stdout.write("starting the workers and beat …")
            for service in stack.workers():
                stack.start(service)
            stack.start(stack.beat())
            stack.start(stack.web())
            self.stdout.write("starting discovery (mDNS, MQTT) and the MQTT bridge …")
            stack.start(stack.discovery())
            stack.start(stack.mqtt_bridge())
            self.stdout.write(self.style.SUCCESS(f"Hearth is running  (logs in {data / 'logs'}; Ctrl-C stops it)"))
            for line in console.banner(stack.web_host, ports.web):
                self.stdout.write(self.style.SUCCESS(f"  {line}"))
            self.stdout.write(f"  devices call {base_url()}/v1 with a key from: ./hearth device add NAME --category laptop")
            self.stdout.write(f"  the admin is at {base_url()}/admin/ once the box is claimed")
            while True:
                for service in stack.services:
                    if service.process is not None and service.process.poll() is not None:
                        raise RuntimeError(
                            f"{service.name} stopped unexpectedly (code {service.process.returncode}); see {data / 'logs' / service.name}.log"
                        )
                time.sleep(1)
        except KeyboardInterrupt:
            self.stdout.write("\nstopping …")
        finally:
            # A second Ctrl-C or SIGTERM while stopping would leave the rest running: stop them all.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            stack.stop_all()
        self.stdout.write("stopped.")
