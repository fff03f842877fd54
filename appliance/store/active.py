"""Which model in the store the home engine serves: chosen, checked against its record, read by the engine."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from .catalogue import Catalogue, Entry, Quantization
from .fetch import FetchError, Record, check, installed, locked, models_dir
from .fit import Budget, fit

ACTIVE = "active.json"


@dataclass(frozen=True)
class Chosen:
    entry: str
    quantization: str
    context: int  # the context length the fit chose; the engine is started with it
    engine: str  # llamacpp | vllm
    record: Record


def active_file() -> Path:
    """Return the file that names the model the home engine serves."""
    return models_dir() / ACTIVE


def signature() -> tuple[int, int] | None:
    """Return what changes when the choice changes (the engine's supervisor watches it)."""
    try:
        stat = active_file().stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size


def problems(record: Record, full: bool) -> list[str]:
    """Say what differs between the files on disk and the store's record (full: hash each file again)."""
    return check(record, full)


def choose(entry: Entry, quantization: Quantization, budget: Budget) -> Chosen:
    """Make a pulled, verified model the one the home engine serves, at the longest context that fits."""
    with locked():  # a removal of this version cannot slip between the check and the choice
        record = installed(entry, quantization)
        if record is None:
            raise FetchError(f"{entry.name} {quantization.name} is not in the store: run `./hearth models pull {entry.name}` first")
        fitted = fit(entry, quantization, budget)
        if not fitted.fits:
            raise FetchError(fitted.sentence)
        wrong = problems(record, full=True)
        if wrong:
            raise FetchError(f"{entry.name} {quantization.name} cannot be served: {'; '.join(wrong)}; pull it again")
        chosen = {"entry": entry.name, "quantization": quantization.name, "context": fitted.context, "engine": quantization.engine}
        target = active_file()
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{ACTIVE}.{time.time_ns()}")
        temporary.write_text(json.dumps(chosen))
        temporary.replace(target)
    return Chosen(entry.name, quantization.name, fitted.context, quantization.engine, record)


def chosen(models: Catalogue) -> Chosen | None:
    """Return the model the household chose for the home engine, or None (the engine serves the shipped one)."""
    try:
        data = json.loads(active_file().read_text())
    except FileNotFoundError:
        return None
    entry = models.get(data["entry"])
    quantization = entry.quantization(data["quantization"])
    record = installed(entry, quantization)
    if record is None:
        raise FetchError(f"the chosen home model {entry.name} {quantization.name} is no longer whole in the store; pull it again")
    return Chosen(entry.name, quantization.name, int(data["context"]), str(data["engine"]), record)


def refusal_file() -> Path:
    """Return where the engine notes that it refused the chosen model, for the pages to say so."""
    return models_dir() / "refused.json"


def note_refusal(message: str) -> None:
    """Note that the engine refused the chosen model as it is now (a new choice clears the note)."""
    refusal_file().write_text(json.dumps({"signature": signature(), "message": message}))


def refusal() -> str:
    """Return why the engine refused the chosen model, if it did and the choice has not changed since."""
    try:
        data = json.loads(refusal_file().read_text())
    except (FileNotFoundError, ValueError):
        return ""
    now = signature()
    return str(data["message"]) if now is not None and data["signature"] == list(now) else ""


def clear_refusal() -> None:
    refusal_file().unlink(missing_ok=True)


def forget() -> None:
    """Serve the shipped model again."""
    active_file().unlink(missing_ok=True)
