"""The processes of a Hearth box, started the same way by `make run` and by the tests.

Redis, Mosquitto, the Celery workers and beat and the home engine, each on a private port
on loopback, and the web process where `web_host` says; their state under one folder.
"""

from __future__ import annotations

import getpass
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent  # appliance/plumbing/ -> the repository


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def http_ok(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310  (loopback only)
                return bool(response.status == 200)
        except OSError:
            return False

    return check


def which(name: str, *extra: str) -> str:
    """Return the path of a program, looking in sbin folders too."""
    found = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin", *extra]))
    if not found:
        raise RuntimeError(f"{name} is not installed; `make run` installs it")
    return found


@dataclass
class Ports:
    redis: int = field(default_factory=free_port)
    mqtt: int = field(default_factory=free_port)
    engine: int = field(default_factory=free_port)
    embeddings: int = field(default_factory=free_port)  # the home embeddings engine, once one is chosen
    web: int = field(default_factory=free_port)


@dataclass
class Service:
    name: str
    argv: list[str]
    ready: Callable[[], bool] | None = None
    ready_seconds: float = 60.0
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)  # on top of the stack's own


@dataclass
class Stack:
    """A set of processes started in order and stopped in reverse."""

    data_dir: Path
    ports: Ports
    env: dict[str, str] = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)
    log_dir: Path | None = None
    web_host: str = "127.0.0.1"  # where the web process listens; every other service stays on loopback

    def child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="appliance.settings",
            HEARTH_DATA_DIR=str(self.data_dir),
            REDIS_URL=self.redis_url,
            HEARTH_HOME_PORT=str(self.ports.engine),
            HEARTH_HOME_EMBEDDINGS_PORT=str(self.ports.embeddings),
            HEARTH_WEB_HOST=self.web_host,
            HEARTH_WEB_PORT=str(self.ports.web),
            HEARTH_MQTT_PORT=str(self.ports.mqtt),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.env)
        return env

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.ports.redis}/0"

    @property
    def web_url(self) -> str:
        """Return the web process's URL as this machine reaches it."""
        host = "127.0.0.1" if self.web_host in ("", "0.0.0.0", "::", "[::]") else self.web_host  # noqa: S104
        return f"http://{'[' + host + ']' if ':' in host else host}:{self.ports.web}"

    # --- the services ---------------------------------------------------------------
    def redis(self) -> Service:
        # No persistence: the broker carries prompts in transit and must never write them to disk.
        argv = [
            which("redis-server"),
            "--port",
            str(self.ports.redis),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.data_dir),
            "--protected-mode",
            "yes",
        ]
        return Service("redis", argv, lambda: port_open(self.ports.redis), 15)

    @property
    def mqtt_password(self) -> str:
        """Hearth's own broker password, in the data dir file that settings read too."""
        file = self.data_dir / "mqtt_password"
        if not file.exists():
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(32))
        return file.read_text().strip()

    def mosquitto(self) -> Service:
        from devices import broker

        conf, passwd, acl = self.data_dir / "mosquitto.conf", self.data_dir / "mosquitto.passwd", self.data_dir / "mosquitto.acl"
        if not passwd.exists() or passwd.stat().st_size == 0 or not acl.exists():
            # First start: Hearth's own account only; devices.services.sync_broker adds the devices' ones.
            user = os.environ.get("HEARTH_MQTT_USERNAME", "hearth")
            broker.write(broker.Accounts(user, {user: broker.password_hash(self.mqtt_password)}), passwd, acl)
        conf.write_text(
            f"listener {self.ports.mqtt} 127.0.0.1\nallow_anonymous false\npassword_file {passwd}\nacl_file {acl}\n"
            f"pid_file {self.data_dir / 'mosquitto.pid'}\npersistence false\nuser {getpass.getuser()}\n"
        )
        return Service("mosquitto", [which("mosquitto"), "-c", str(conf)], lambda: port_open(self.ports.mqtt), 15)

    def discovery(self) -> Service:
        """mDNS and MQTT discovery, and Hearth's own mDNS announcement."""
        return Service("discovery", [sys.executable, "manage.py", "discovery"])

    def mqtt_bridge(self) -> Service:
        """Chat requests of MQTT devices, through the same request path as HTTP."""
        return Service("mqtt-bridge", [sys.executable, "manage.py", "mqtt_bridge"])

    def worker(self, queue: str, pool: str, concurrency: int) -> Service:
        argv = [
            sys.executable, "-m", "celery", "-A", "appliance", "worker", "-Q", queue, "-P", pool,
            "-c", str(concurrency), "-n", f"{queue}-{self.ports.web}@%h", "-l", "warning",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        if queue != "classify":
            return Service(f"worker-{queue}", argv)
        # Screening is ready once the pool's process has loaded its models and says so in a
        # file (policies.tasks.warm_up): until then every request would wait or stay home.
        ready = self.data_dir / f"classify-{self.ports.web}.ready"
        return Service("worker-classify", argv, ready.exists, 120, env={"HEARTH_READY_FILE": str(ready)})

    def beat(self) -> Service:
        argv = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "appliance",
            "beat",
            "-l",
            "warning",
            "-s",
            str(self.data_dir / "celerybeat-schedule"),
        ]
        return Service("beat", argv)

    def engine(self) -> Service:
        argv = [sys.executable, "manage.py", "home_engine"]
        return Service("home-engine", argv, http_ok(f"http://127.0.0.1:{self.ports.engine}/v1/models"), 120)

    def web(self) -> Service:
        argv = [sys.executable, "manage.py", "serve", "--host", self.web_host, "--port", str(self.ports.web)]
        return Service("web", argv, http_ok(f"{self.web_url}/healthz"), 60)

    def workers(self) -> list[Service]:
        return [self.worker("classify", "prefork", 1), self.worker("home", "threads", 16), self.worker("upstream", "threads", 32)]

    # --- running them ---------------------------------------------------------------
    def start(self, service: Service) -> Service:
        out: Any = subprocess.DEVNULL
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{service.name}.log", "ab")  # noqa: SIM115  (lives as long as the process)
        if "HEARTH_READY_FILE" in service.env:
            Path(service.env["HEARTH_READY_FILE"]).unlink(missing_ok=True)  # a restart is ready anew
        service.process = subprocess.Popen(
            service.argv, cwd=ROOT, env=self.child_env() | service.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )  # type: ignore[arg-type]
        self.services.append(service)
        if service.ready is not None:
            deadline = time.monotonic() + service.ready_seconds
            while not service.ready():
                if service.process.poll() is not None:
                    raise RuntimeError(f"{service.name} exited with code {service.process.returncode} while starting")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{service.name} did not become ready in {service.ready_seconds:.0f} s")
                time.sleep(0.1)
        return service

    def stop(self, service: Service, timeout: float = 10.0) -> None:
        process = service.process
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for service in reversed(self.services):
            self.stop(service)
        self.services.clear()
