"""What the store takes on disk, and removing a model version the home engine does not serve."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from . import active, progress
from .catalogue import Catalogue, Entry, Quantization
from .fetch import FetchError, Record, folder_for, installed, locked, models_dir
from .fit import MIB, one_decimal

# A version being removed is moved here first, in one rename, then deleted: a crash between
# the two leaves it here, where nothing reads it as a model, and the next removal finishes it.
REMOVING = ".removing"


@dataclass(frozen=True)
class Kept:
    entry: Entry
    quantization: Quantization
    record: Record
    in_store: int  # bytes of its files inside the store's folder
    elsewhere: int  # bytes used where they are installed (the model shipped with Hearth)
    serving: bool  # the chat engine serves it, or the embeddings engine (embeddings)
    pulling: bool
    embeddings: bool = False

    @property
    def in_store_words(self) -> str:
        return words(self.in_store)

    @property
    def elsewhere_words(self) -> str:
        return words(self.elsewhere)


@dataclass(frozen=True)
class DiskUse:
    kept: tuple[Kept, ...]
    unfinished: int  # bytes of fetches not finished (resumable) and of removals a crash interrupted
    free: int  # of the disk the store is on
    total: int
    folder: str

    @property
    def in_store(self) -> int:
        return sum(k.in_store for k in self.kept) + self.unfinished

    @property
    def in_store_words(self) -> str:
        return words(self.in_store)

    @property
    def unfinished_words(self) -> str:
        return words(self.unfinished)

    @property
    def free_words(self) -> str:
        return words(self.free)

    @property
    def total_words(self) -> str:
        return words(self.total)


def words(count: int) -> str:
    """Say a number of bytes in words a household reads."""
    if count == 0:
        # Translators: an amount of disk, as in "the store takes nothing".
        return _("nothing")
    if count < MIB:
        return _("%(n)s KiB") % {"n": f"{count / 1024:.0f}"}
    if count < 1024 * MIB:
        return _("%(n)s MiB") % {"n": f"{count / MIB:.0f}"}
    return _("%(n)s GiB") % {"n": one_decimal(count / (1024 * MIB))}


def is_served(entry: Entry, quantization: Quantization, record: Record | None, served: str) -> bool:
    """Say whether the engine serves this version now, or was told to (it restarts on the chosen one)."""
    if active.chosen_names() == (entry.name, quantization.name):
        return True
    if not served or record is None:
        return False
    return Path(served).name in {f.name for f in record.files} or served == record.path


def is_pulling(entry: Entry, quantization: Quantization) -> bool:
    status = progress.read(entry.name)
    return status is not None and status["state"] in ("starting", "running") and status["quantization"] == quantization.name


def _split(record: Record) -> tuple[int, int]:
    store = Path(record.folder)
    inside = elsewhere = 0
    for f in record.files:
        path = Path(f.path)
        if path.is_relative_to(store):
            inside += f.size
        else:
            elsewhere += f.size
    return inside, elsewhere


def _unfinished() -> int:
    root = models_dir()
    if not root.exists():
        return 0
    parts = sum(p.stat().st_size for p in root.rglob("*.part") if p.is_file())
    leftover = root / REMOVING
    stranded = sum(p.stat().st_size for p in leftover.rglob("*") if p.is_file()) if leftover.exists() else 0
    return parts + stranded


def usage(models: Catalogue, served: str) -> DiskUse:
    """Return what each stored model version takes on disk, and the free space of the store's disk."""
    kept = []
    embeddings = active.chosen_names(active.EMBEDDINGS)  # the embeddings engine's model stays too; read once
    for entry in models.entries:
        for q in entry.quantizations:
            record = installed(entry, q)
            if record is None:
                continue
            inside, elsewhere = _split(record)
            kept.append(
                Kept(
                    entry,
                    q,
                    record,
                    inside,
                    elsewhere,
                    is_served(entry, q, record, served) or embeddings == (entry.name, q.name),
                    is_pulling(entry, q),
                    embeddings == (entry.name, q.name),
                )
            )
    root = models_dir()
    probe = root if root.exists() else next((p for p in root.parents if p.exists()), Path("/"))
    disk = shutil.disk_usage(probe)
    return DiskUse(tuple(kept), _unfinished(), disk.free, disk.total, str(root))


def _sweep() -> None:
    """Finish removals a crash interrupted."""
    leftover = models_dir() / REMOVING
    if leftover.exists():
        for stranded in leftover.iterdir():
            shutil.rmtree(stranded, ignore_errors=True)


def remove(entry: Entry, quantization: Quantization, served: str) -> int:
    """Remove a stored model version the engine does not serve and no pull is fetching; return the bytes freed."""
    label = f"{entry.title} ({quantization.name})"
    with locked():
        folder = folder_for(entry, quantization)
        record = installed(entry, quantization)
        if record is None and not folder.exists():
            raise FetchError(_("%(model)s is not in the store; nothing was removed") % {"model": label})
        if is_served(entry, quantization, record, served):
            raise FetchError(
                _("%(model)s is the model the home engine serves, so it stays: serve another model first, then remove it")
                % {"model": label}
            )
        if active.chosen_names(active.EMBEDDINGS) == (entry.name, quantization.name):
            raise FetchError(
                _("%(model)s is the model the home embeddings engine serves, so it stays: stop using it for embeddings first")
                % {"model": label}
            )
        if is_pulling(entry, quantization):
            raise FetchError(_("%(model)s is being fetched: cancel the fetch first, then remove it") % {"model": label})
        freed = _split(record)[0] if record is not None else 0
        freed += sum(p.stat().st_size for p in folder.rglob("*.part") if p.is_file()) if folder.exists() else 0
        trash = models_dir() / REMOVING / f"{entry.name}-{quantization.name}-{time.time_ns()}"
        trash.parent.mkdir(parents=True, exist_ok=True)
        # One rename takes the record and its files away together: the store never holds a
        # record whose files are half gone, nor a file that a record still calls whole.
        folder.rename(trash)
        _sweep()
        model_folder = folder.parent
        if model_folder.exists() and not any(p.is_dir() for p in model_folder.iterdir()):
            (model_folder / "pull.log").unlink(missing_ok=True)
            if not any(model_folder.iterdir()):
                model_folder.rmdir()
    return freed
