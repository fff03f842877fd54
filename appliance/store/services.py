"""The store's verbs that write: add a household entry, start or cancel a pull, choose the served model."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from . import active, disk, progress
from . import catalogue as store_catalogue
from .catalogue import CatalogueError, Entry, Quantization
from .fetch import FetchError, folder_for, installed, sha256_of
from .fit import Budget, fit
from .gguf import NotGguf, read_header

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


@dataclass(frozen=True)
class Remote:
    """A file the household names on the hub or at an HTTPS folder, with the figures the fit needs."""

    file: str
    size: int
    parameters: int
    context_length: int
    layers: int
    kv_heads: int
    head_dim: int
    hf: str = ""
    url: str = ""  # the folder the file is in
    sha256: str = ""  # empty: the source's stated sha256 is used at the pull


def _title(name: str) -> str:
    return re.sub(r"[-_.]+", " ", name).strip().title()


def _write(raw: dict[str, Any]) -> Entry:
    own = store_catalogue.household_file()
    data = yaml.safe_load(own.read_text(encoding="utf-8")) if own.exists() else None
    data = data if isinstance(data, dict) else {"version": 1, "models": []}
    data.setdefault("models", []).append(raw)
    text = "# Models this household added with `./hearth models add`.\n" + yaml.safe_dump(data, sort_keys=False)
    added = store_catalogue.parse(text, origin="household")
    built_in = store_catalogue.load(store_catalogue.BUILT_IN)
    if raw["name"] in {e.name for e in built_in.entries}:
        raise CatalogueError(f"{raw['name']!r} is already in the catalogue; choose another name")
    own.parent.mkdir(parents=True, exist_ok=True)
    temporary = own.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(own)
    return next(e for e in added.entries if e.name == raw["name"])


def add_local(name: str, path: Path, embeddings: bool | None = None) -> Entry:
    """Add a GGUF file on this box (a USB stick, a share) to the catalogue, its sha256 computed and its header read.

    embeddings: the household says it is (True) or is not (False) an embeddings model; None: its header says.
    """
    path = path.expanduser().resolve()
    if not path.is_file():
        raise CatalogueError(f"{path} is not a file")
    try:
        header = read_header(path)
    except NotGguf as exc:
        raise CatalogueError(f"{exc}; only GGUF files can be added from a file yet") from exc
    raw = {
        "name": name,
        "title": _title(header.name or name),
        "family": header.architecture or "unknown",
        "licence": header.licence or "unknown (not stated in the file)",
        "parameters": header.parameters,
        "context_length": header.context_length,
        "capabilities": ["embeddings"] if (header.embeddings if embeddings is None else embeddings) else ["chat"],
        "architecture": {"layers": header.layers, "kv_heads": header.kv_heads, "head_dim": header.head_dim},
        "file_hint": path.stem.lower(),
        "quantizations": [
            {
                "name": "file",
                "format": "gguf",
                "files": [{"name": path.name, "size": path.stat().st_size, "sha256": sha256_of(path)}],
                "sources": [{"path": str(path.parent)}],
            }
        ],
    }
    return _write(raw)


def add_remote(name: str, remote: Remote, embeddings: bool = False) -> Entry:
    """Add a GGUF file on the hub or at an HTTPS folder to the catalogue."""
    if bool(remote.hf) == bool(remote.url):
        raise CatalogueError("name either a hub repository or an HTTPS folder")
    source = {"hf": remote.hf} if remote.hf else {"url": remote.url}
    file: dict[str, Any] = {"name": remote.file, "size": remote.size}
    if remote.sha256:
        file["sha256"] = remote.sha256.lower()
    raw = {
        "name": name,
        "title": _title(name),
        "family": "household",
        "licence": "unknown (added by hand)",
        "parameters": remote.parameters,
        "context_length": remote.context_length,
        "capabilities": ["embeddings"] if embeddings else ["chat"],
        "architecture": {"layers": remote.layers, "kv_heads": remote.kv_heads, "head_dim": remote.head_dim},
        "file_hint": Path(remote.file).stem.lower(),
        "quantizations": [{"name": "file", "format": "gguf", "files": [file], "sources": [source]}],
    }
    return _write(raw)


def start_pull(entry: Entry, quantization: Quantization, budget: Budget) -> None:
    """Start fetching a model in a process of its own (it outlives the page; a later pull resumes it), if it fits."""
    fitted = fit(entry, quantization, budget)
    if not fitted.fits:
        raise FetchError(f"refused before any download: {fitted.sentence}")
    if installed(entry, quantization) is not None:
        raise FetchError(f"{entry.name} {quantization.name} is already in the store")
    running = progress.read(entry.name)
    if running is not None and running["state"] in ("starting", "running"):
        raise FetchError(f"{entry.name} is being fetched already")
    log = folder_for(entry, quantization).parent / "pull.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    # The child reads the same settings the page runs with, whatever the environment says.
    env = os.environ | {
        "HEARTH_MODELS_DIR": str(settings.HEARTH_MODELS_DIR),
        "HEARTH_HF_ENDPOINT": settings.HEARTH_HF_ENDPOINT,
        "HEARTH_MODELS_DISK_RESERVE_MIB": str(settings.HEARTH_MODELS_DISK_RESERVE_MIB),
    }
    starting: progress.PullStatus = {
        "type": "store.pull", "model": entry.name, "quantization": quantization.name, "state": "starting", "file": "",
        "done": 0, "total": quantization.weights_bytes, "rate_bps": 0.0, "eta_s": None, "message": "starting",
        "pid": os.getpid(), "updated": 0.0,
    }  # fmt: skip
    progress.write(starting)  # before the child starts, so its own first word is never overwritten
    with log.open("ab") as out:
        child = subprocess.Popen(
            [sys.executable, str(MANAGE), "models", "pull", entry.name, "--quantization", quantization.name],
            cwd=MANAGE.parent, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    now = progress.read(entry.name)
    if now is not None and now["state"] == "starting" and now["pid"] == os.getpid():
        progress.write({**starting, "pid": child.pid})  # the page follows the child: if it dies, the page says so


def cancel_pull(name: str) -> None:
    """Ask a running pull to stop; what it fetched is kept and the next pull resumes it."""
    progress.folder().mkdir(parents=True, exist_ok=True)
    progress.cancel_file(name).touch()


def remove(entry: Entry, quantization: Quantization, served: str) -> int:
    """Remove a stored model version the home engine does not serve; return the bytes freed."""
    freed = disk.remove(entry, quantization, served)
    last = progress.read(entry.name)
    if last is not None and last["quantization"] == quantization.name:
        progress.status_file(entry.name).unlink(missing_ok=True)  # its "fetched and verified" no longer holds
    return freed


def serve(entry: Entry, quantization: Quantization, budget: Budget, role: str = active.CHAT) -> active.Chosen:
    """Make a pulled model the one the home engine serves in a role (its supervisor restarts it on the model)."""
    other = active.EMBEDDINGS if role == active.CHAT else active.CHAT
    if budget.engine == "vllm":
        # Both engines share the GPU: what the other role's model takes is not this one's.
        try:
            beside = active.chosen(store_catalogue.load(), other)
        except (FetchError, CatalogueError, KeyError, ValueError):
            beside = None
        if beside is not None and beside.memory_mib:
            budget = dataclasses.replace(budget, usable_mib=max(budget.usable_mib - beside.memory_mib, 0))
    chosen = active.choose(entry, quantization, budget, role)
    # The router reads the home model's context and quality from its provider row.
    from gateway.services import ensure_home_provider

    ensure_home_provider()
    return chosen


def stop_embeddings() -> None:
    """Stop the home embeddings engine; the chat model makes the embeddings again."""
    active.forget(active.EMBEDDINGS)
    from gateway.services import ensure_home_provider

    ensure_home_provider()
