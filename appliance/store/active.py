"""Which model in the store the home engine serves: chosen, checked against its record, read by the engine."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from .catalogue import Catalogue, Entry, Quantization
from .fetch import FetchError, Record, check, installed, locked, models_dir
from .fit import Budget, fit

# The home engine's roles: the chat model answers chats and completions (and embeddings while
# no embeddings model is chosen); an embeddings model, when chosen, runs in an engine of its own.
CHAT, EMBEDDINGS = "chat", "embeddings"
ROLES = (CHAT, EMBEDDINGS)
ACTIVE = "active.json"
_FILES = {CHAT: ACTIVE, EMBEDDINGS: "embeddings.json"}
_REFUSED = {CHAT: "refused.json", EMBEDDINGS: "refused-embeddings.json"}


@dataclass(frozen=True)
class Chosen:
    entry: str
    quantization: str
    context: int  # the context length the fit chose; the engine is started with it
    engine: str  # llamacpp | vllm
    record: Record
    role: str = CHAT
    memory_mib: int = 0  # what the fit said it needs (weights, cache, engine); 0 in a choice made before it was kept


def active_file(role: str = CHAT) -> Path:
    """Return the file that names the model the home engine serves in this role."""
    return models_dir() / _FILES[role]


def signature(role: str = CHAT) -> tuple[int, int] | None:
    """Return what changes when the choice changes (the engine's supervisor watches it)."""
    try:
        stat = active_file(role).stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size


def refuses_role(entry: Entry, role: str) -> str:
    """Say why a model cannot serve in this role (its catalogue entry's capabilities), or ""."""
    if role == EMBEDDINGS and "embeddings" not in entry.capabilities:
        return f"{entry.title} makes no embeddings (its catalogue entry says {', '.join(entry.capabilities)}); choose an embeddings model"
    if role == CHAT and "chat" not in entry.capabilities:
        return f"{entry.title} makes only embeddings: choose it as the home embeddings model, not as the chat model"
    return ""


def problems(record: Record, full: bool) -> list[str]:
    """Say what differs between the files on disk and the store's record (full: hash each file again)."""
    return check(record, full)


def choose(entry: Entry, quantization: Quantization, budget: Budget, role: str = CHAT) -> Chosen:
    """Make a pulled, verified model the one the home engine serves in this role, at the longest context that fits."""
    wrong_role = refuses_role(entry, role)
    if wrong_role:
        raise FetchError(wrong_role)
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
        chosen = {
            "entry": entry.name, "quantization": quantization.name, "context": fitted.context, "engine": quantization.engine,
            "memory_mib": fitted.need.total_mib,
        }  # fmt: skip
        target = active_file(role)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{time.time_ns()}")
        temporary.write_text(json.dumps(chosen))
        temporary.replace(target)
    return Chosen(entry.name, quantization.name, fitted.context, quantization.engine, record, role, fitted.need.total_mib)


def chosen_names(role: str = CHAT) -> tuple[str, str] | None:
    """Return the entry and quantization chosen for a role as the file names them, without the catalogue."""
    try:
        data = json.loads(active_file(role).read_text())
        return str(data["entry"]), str(data["quantization"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def chosen(models: Catalogue, role: str = CHAT) -> Chosen | None:
    """Return the model the household chose for the home engine in this role, or None (chat: the
    engine serves the shipped one; embeddings: the chat model makes them)."""
    try:
        data = json.loads(active_file(role).read_text())
    except FileNotFoundError:
        return None
    entry = models.get(data["entry"])
    quantization = entry.quantization(data["quantization"])
    record = installed(entry, quantization)
    if record is None:
        raise FetchError(f"the chosen home model {entry.name} {quantization.name} is no longer whole in the store; pull it again")
    memory = int(data.get("memory_mib", 0))
    return Chosen(entry.name, quantization.name, int(data["context"]), str(data["engine"]), record, role, memory)


def refusal_file(role: str = CHAT) -> Path:
    """Return where the engine notes that it refused the chosen model, for the pages to say so."""
    return models_dir() / _REFUSED[role]


def note_refusal(message: str, role: str = CHAT) -> None:
    """Note that the engine refused the chosen model as it is now (a new choice clears the note)."""
    refusal_file(role).write_text(json.dumps({"signature": signature(role), "message": message}))


def refusal(role: str = CHAT) -> str:
    """Return why the engine refused the chosen model, if it did and the choice has not changed since."""
    try:
        data = json.loads(refusal_file(role).read_text())
    except (FileNotFoundError, ValueError):
        return ""
    now = signature(role)
    return str(data["message"]) if now is not None and data["signature"] == list(now) else ""


def clear_refusal(role: str = CHAT) -> None:
    refusal_file(role).unlink(missing_ok=True)


def forget(role: str = CHAT) -> None:
    """Chat: serve the shipped model again. Embeddings: stop the embeddings engine (the chat model makes them again)."""
    active_file(role).unlink(missing_ok=True)
