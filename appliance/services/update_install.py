"""Installing an update from the Updates page: a child process that outlives the page, its progress on disk.

The page starts `manage.py update install SOURCE --progress-file PATH` in a session of its
own; the child writes what it is doing to that JSON file, and the page reads it back every
few seconds. One install at a time: a lock file is held while one is checked and started.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Literal, TypedDict
from urllib.parse import urlparse

from django.conf import settings
from django.utils.translation import gettext as _

from .. import updates
from ..store.progress import alive

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"
State = Literal["starting", "running", "done", "failed"]
LINES_KEPT = 12


class InstallStatus(TypedDict):
    type: Literal["updates.install"]
    state: State
    source: str  # the URL or the bundle's file name (never a secret: the owner typed it)
    message: str  # the last thing the install said, in words
    lines: list[str]  # its last few lines
    version: str  # the version written, once it is
    pid: int
    started: float
    updated: float


class Busy(Exception):
    """An install is running already."""


def progress_file(box: updates.Box) -> Path:
    """Return where the install in progress keeps its state."""
    return box.update_dir / "install.json"


def incoming(box: updates.Box) -> Path:
    """Return the folder bundles are fetched or uploaded to (on the data partition)."""
    return box.update_dir / "incoming"


def write(path: Path, status: InstallStatus) -> None:
    """Replace the install's state on disk atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps({**status, "updated": time.time()}))
    temporary.replace(path)


def read(box: updates.Box) -> InstallStatus | None:
    """Return the last install's state, marked failed if its process died without saying so."""
    try:
        status: InstallStatus = json.loads(progress_file(box).read_text())
    except (OSError, ValueError):
        return None
    if status.get("state") in ("starting", "running") and not alive(int(status.get("pid", 0))):
        status["state"] = "failed"
        status["message"] = _("the install stopped before it finished (the box restarted?): start it again")
    return status


def running(box: updates.Box) -> bool:
    """Return whether an install is being done now."""
    status = read(box)
    return status is not None and status["state"] in ("starting", "running")


def _lock(box: updates.Box) -> int:
    box.update_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(box.update_dir / "install.lock", os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def start(source: str, box: updates.Box | None = None) -> None:
    """Start installing a bundle (a file in incoming/ or an http(s) URL) in a process of its own; refuse a second."""
    box = box or updates.Box.default()
    fd = _lock(box)
    try:
        if running(box):
            raise Busy(_("An update is being installed already: wait for it to finish."))
        shown = source if "://" in source else Path(source).name
        starting: InstallStatus = {
            "type": "updates.install", "state": "starting", "source": shown, "message": _("starting"), "lines": [],
            "version": "", "pid": os.getpid(), "started": time.time(), "updated": 0.0,
        }  # fmt: skip
        path = progress_file(box)
        write(path, starting)  # before the child starts, so its own first word is never overwritten
        # The child reads the same settings the page runs with, whatever the environment says.
        env = os.environ | {
            "HEARTH_UPDATE_DIR": str(box.update_dir),
            "HEARTH_RELEASE_FILE": str(box.release_file),
            "HEARTH_RAUC_CONF": str(box.rauc_conf),
            "HEARTH_KERNEL_CMDLINE": str(box.cmdline),
            "HEARTH_RAUC": box.rauc,
        }
        with (box.update_dir / "install.log").open("ab") as out:
            child = subprocess.Popen(
                [sys.executable, str(MANAGE), "update", "install", source, "--progress-file", str(path)],
                cwd=MANAGE.parent, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        now = read(box)
        if now is not None and now["state"] == "starting" and now["pid"] == os.getpid():
            write(path, {**starting, "pid": child.pid})  # the page follows the child: if it dies, the page says so
    finally:
        os.close(fd)


class Writer:
    """What the installing process calls: its words, kept on disk for the page."""

    def __init__(self, path: Path, source: str):
        self.path = path
        try:
            started = float(json.loads(path.read_text()).get("started") or time.time())
        except (OSError, ValueError):
            started = time.time()
        shown = source if "://" in source else Path(source).name
        self.status: InstallStatus = {
            "type": "updates.install", "state": "running", "source": shown, "message": "starting", "lines": [],
            "version": "", "pid": os.getpid(), "started": started, "updated": time.time(),
        }  # fmt: skip
        write(self.path, self.status)

    def say(self, message: str) -> None:
        self.status["message"] = message
        self.status["lines"] = [*self.status["lines"], message][-LINES_KEPT:]
        write(self.path, self.status)

    def end(self, state: State, message: str, version: str = "") -> None:
        self.status["state"], self.status["message"], self.status["version"] = state, message, version
        write(self.path, self.status)


def check_url(url: str) -> str:
    """Return the URL if the box may fetch a bundle from it, else raise ValueError with the reason."""
    url = url.strip()
    if not url:
        raise ValueError(_("Give the bundle's address."))
    if len(url) > 2000:
        raise ValueError(_("That address is longer than 2000 characters."))
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise ValueError(_("An address has no spaces or control characters."))
    try:
        parsed = urlparse(url)
        parsed.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError as exc:
        raise ValueError(_("That is not a web address.")) from exc
    if parsed.scheme not in ("http", "https"):
        raise ValueError(_("The address must start with http:// or https://."))
    if not parsed.hostname:
        raise ValueError(_("The address names no host."))
    return url


def reboot() -> None:
    """Restart the box now (HEARTH_REBOOT_COMMAND); raise UpdateError with the reason if it is refused."""
    try:
        done = subprocess.run(list(settings.HEARTH_REBOOT_COMMAND), capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise updates.UpdateError(_("The box could not be restarted: %(reason)s") % {"reason": exc}) from exc
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        raise updates.UpdateError(_("The box could not be restarted: %(reason)s") % {"reason": reason[0]})
