"""A real Mosquitto, with the password and ACL files Hearth writes, for the device tests."""

from __future__ import annotations

import json
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from django.conf import settings
from paho.mqtt.enums import CallbackAPIVersion

from appliance.plumbing.stack import ROOT, Stack
from tests.support.postgres import child_database_env

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@dataclass
class Broker:
    """The stack's Mosquitto; accounts come from devices.services, which writes its files."""

    stack: Stack
    port: int

    def client(self, username: str | None, password: str | None, client_id: str = "") -> mqtt.Client:
        """Return a connected MQTTv5 client, or raise ConnectionRefusedError."""
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id or secrets.token_hex(6), protocol=mqtt.MQTTv5)
        if username is not None:
            client.username_pw_set(username, password)
        result: dict[str, Any] = {}
        client.on_connect = lambda c, u, f, reason, p: result.setdefault("reason", reason)
        client.connect("127.0.0.1", self.port)
        client.loop_start()
        deadline = time.monotonic() + 5
        while "reason" not in result and time.monotonic() < deadline:
            time.sleep(0.02)
        if "reason" not in result or result["reason"].is_failure:
            client.loop_stop()
            raise ConnectionRefusedError(str(result.get("reason")))
        return client


@pytest.fixture(scope="session")
def mqtt_broker(stack: Stack) -> Iterator[Broker]:
    service = stack.start(stack.mosquitto())
    settings.HEARTH_MQTT_PORT = stack.ports.mqtt
    settings.HEARTH_MQTT_PASSWORD = stack.mqtt_password
    # devices.services.sync_broker writes the stack's files (replacing any test-made accounts).
    settings.HEARTH_MQTT_FILES_DIR = stack.data_dir
    yield Broker(stack, stack.ports.mqtt)
    stack.stop(service)


class Process:
    """A management command running as its own process, the way the box runs it."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_for_line(self, text: str, timeout: float = 30) -> None:
        """Wait until the process printed a line containing `text`."""
        if not wait_for(lambda: any(text in line for line in self.lines) or self.process.poll() is not None, timeout):
            raise TimeoutError(f"no line with {text!r}: {''.join(self.lines)}")
        assert any(text in line for line in self.lines), "".join(self.lines)

    def terminate(self, timeout: float = 10) -> tuple[int, str]:
        """Send SIGTERM; return the exit code and everything it printed."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout)
        self._reader.join(5)
        return code, "".join(self.lines)


@pytest.fixture
def run_command(stack: Stack, transactional_db: None) -> Iterator[Callable[..., Process]]:
    started: list[Process] = []

    def run(*argv: str, **env: str) -> Process:
        child = stack.child_env() | child_database_env() | {"HEARTH_LOG_LEVEL": "INFO"}
        child |= {"HEARTH_MQTT_PORT": str(stack.ports.mqtt)} | env
        proc = subprocess.Popen(
            [sys.executable, "manage.py", *argv], cwd=ROOT, env=child, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        started.append(Process(proc))
        return started[-1]

    yield run
    for p in started:
        if p.process.poll() is None:
            p.process.kill()
            p.process.wait()


def wait_for(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll until `check` returns something truthy; return it (or the last falsy value)."""
    deadline = time.monotonic() + timeout
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value
