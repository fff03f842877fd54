"""Devices that ask for a model the box does not serve but the store knows: told to the device, noted for the owner."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings

from appliance.plumbing.redis import BROKEN, sync_client

from . import active
from .catalogue import Catalogue, CatalogueError, Entry, load
from .fetch import FetchError, installed

log = logging.getLogger(__name__)

# One field per catalogue entry (never per name a device made up): the last device that asked, and when.
ASKED_KEY = "hearth:store:asked"
KEPT_SECONDS = 2 * 86400


@dataclass(frozen=True)
class Asked:
    entry: str
    asked: str  # the name the device used, as it matched the entry
    device: str
    at: float
    in_store: bool  # fetched already, only not served


def match(models: Catalogue, name: str) -> Entry | None:
    """Return the catalogue entry a model name a device asks for means, by its name or its file's name."""
    lowered = name.strip().lower()
    exact = next((e for e in models.entries if e.name == lowered), None)
    if exact is not None:
        return exact
    # "Qwen/Qwen2.5-3B-Instruct-GGUF", "qwen2.5:3b", "qwen2.5_3b" all carry the file hint; the longest hint wins.
    spelled = lowered.replace("_", "-").replace(":", "-")
    hinted = [e for e in models.entries if e.file_hint and e.file_hint in spelled]
    return max(hinted, key=lambda e: len(e.file_hint), default=None)


def _served_entry(models: Catalogue) -> Entry | None:
    try:
        chosen = active.chosen(models)
    except (FetchError, CatalogueError, KeyError, ValueError):
        return None
    if chosen is not None:
        return models.get(chosen.entry)
    return None if settings.HEARTH_HOME_MODEL else models.bundled()


def told(device: str, model: str) -> str:
    """Return what to add to a device's model_not_found for a model the store knows, noting the ask for the owner."""
    try:
        models = load()
    except CatalogueError:
        return ""
    entry = match(models, model)
    if entry is None:
        return ""
    if _served_entry(models) == entry:
        return f" The household's box serves it as '{settings.HEARTH_HOME_MODEL_NAME}': ask for that model."
    in_store = any(installed(entry, q) is not None for q in entry.quantizations)
    note = {"asked": model[:80], "device": device[:80], "at": time.time(), "in_store": in_store}
    try:
        sync_client().hset(ASKED_KEY, entry.name, json.dumps(note))
    except BROKEN:
        log.warning("a device's ask for the store's model %s could not be noted: Redis is unavailable", entry.name)
    if in_store:
        return " The household's box has it in its store: ask the owner to serve it on the store page."
    return " The household's box can fetch it: ask the owner to add it on the store page."


def recent(since: float) -> list[Asked]:
    """Return the store's models devices asked for since a time, the latest ask of each."""
    try:
        found: dict[bytes, bytes] = sync_client().hgetall(ASKED_KEY)  # type: ignore[assignment]
    except BROKEN:
        return []
    asks = []
    for field, value in found.items():
        data = json.loads(value)
        if data["at"] >= since:
            asks.append(Asked(field.decode(), str(data["asked"]), str(data["device"]), float(data["at"]), bool(data["in_store"])))
        elif data["at"] < time.time() - KEPT_SECONDS:
            sync_client().hdel(ASKED_KEY, field)
    return sorted(asks, key=lambda a: a.at)


def store_link(entry: str) -> str:
    """Return the store page with an entry marked, its Fetch button beside it."""
    return f"/setup/hardware/?asked={entry}#store"
