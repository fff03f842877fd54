"""A pull's state on disk, written by the pulling process and read by the pages: it outlives both."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Literal, TypedDict

from .fetch import Progress, models_dir

State = Literal["starting", "running", "done", "failed", "cancelled"]


class PullStatus(TypedDict):
    type: Literal["store.pull"]
    model: str  # entry name
    quantization: str
    state: State
    file: str
    done: int  # bytes of the file being fetched
    total: int
    rate_bps: float
    eta_s: float | None
    message: str  # the last thing the pull said, in words
    pid: int
    updated: float


def folder() -> Path:
    """Return where pulls keep their state."""
    return models_dir() / "pulls"


def status_file(model: str) -> Path:
    return folder() / f"{model}.json"


def cancel_file(model: str) -> Path:
    return folder() / f"{model}.cancel"


def write(status: PullStatus) -> None:
    """Replace a pull's state on disk atomically."""
    target = status_file(status["model"])
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    temporary.write_text(json.dumps({**status, "updated": time.time()}))
    temporary.replace(target)


def read(model: str) -> PullStatus | None:
    """Return a pull's last state, marked failed if its process died without saying so."""
    try:
        status: PullStatus = json.loads(status_file(model).read_text())
    except (FileNotFoundError, ValueError):
        return None
    if status["state"] in ("starting", "running") and not alive(status["pid"]):
        status["state"] = "failed"
        status["message"] = "the pull stopped (the box restarted?); what was fetched is kept: fetch again to resume"
    return status


def all_pulls() -> list[PullStatus]:
    """Return every pull the store remembers, the newest first."""
    if not folder().exists():
        return []
    found = [read(p.stem) for p in folder().glob("*.json")]
    return sorted((s for s in found if s is not None), key=lambda s: -s["updated"])


def alive(pid: int) -> bool:
    """Tell whether the process a job's status names is still at work (also the update installer's)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (finished, not yet reaped by the web process that started it) is not pulling.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return True


class Writer:
    """What a pulling process calls: its progress and its words, kept on disk for the pages."""

    def __init__(self, model: str, quantization: str):
        self.status: PullStatus = {
            "type": "store.pull", "model": model, "quantization": quantization, "state": "running", "file": "", "done": 0,
            "total": 0, "rate_bps": 0.0, "eta_s": None, "message": "starting", "pid": os.getpid(), "updated": time.time(),
        }  # fmt: skip
        cancel_file(model).unlink(missing_ok=True)
        write(self.status)

    def progress(self, p: Progress) -> None:
        self.status["file"], self.status["done"], self.status["total"] = p.file, p.done, p.total
        self.status["rate_bps"], self.status["eta_s"] = p.rate_bps, p.eta_s
        write(self.status)

    def say(self, message: str) -> None:
        self.status["message"] = message
        write(self.status)

    def cancelled(self) -> bool:
        return cancel_file(self.status["model"]).exists()

    def end(self, state: State, message: str) -> None:
        self.status["state"], self.status["message"] = state, message
        write(self.status)
