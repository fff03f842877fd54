"""The store's verbs that write: add a household entry to the catalogue."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import catalogue as store_catalogue
from .catalogue import CatalogueError, Entry
from .fetch import sha256_of
from .gguf import NotGguf, read_header


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


def add_local(name: str, path: Path) -> Entry:
    """Add a GGUF file on this box (a USB stick, a share) to the catalogue, its sha256 computed and its header read."""
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
        "capabilities": ["chat"],
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


def add_remote(name: str, remote: Remote) -> Entry:
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
        "capabilities": ["chat"],
        "architecture": {"layers": remote.layers, "kv_heads": remote.kv_heads, "head_dim": remote.head_dim},
        "file_hint": Path(remote.file).stem.lower(),
        "quantizations": [{"name": "file", "format": "gguf", "files": [file], "sources": [source]}],
    }
    return _write(raw)
