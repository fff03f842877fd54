"""What the store holds for this box, as the hardware page lists it: fit, fetched, served, being fetched."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import active, progress
from .catalogue import Catalogue
from .fetch import Record, installed
from .fit import Budget, Fit, table


@dataclass(frozen=True)
class Row:
    fit: Fit
    record: Record | None  # None: not in the store
    serving: bool  # the home engine serves it now (in its role)
    pulling: bool  # a pull of it is running
    role: str = active.CHAT  # what it would serve as: the chat model, or the embeddings model (its capabilities say)


def rows(models: Catalogue, budget: Budget, served: str) -> list[Row]:
    """Return the models this box's engine loads and that fit, with what the store knows of each."""
    found = []
    embeddings = active.chosen_names(active.EMBEDDINGS)  # read once, not per row
    for f in table(models, budget):
        if not f.fits:
            continue
        record = installed(f.entry, f.quantization)
        names = {x.name for x in record.files} if record else {x.name for x in f.quantization.files}
        role = active.CHAT if "chat" in f.entry.capabilities else active.EMBEDDINGS
        if role == active.CHAT:
            serving = bool(served) and (Path(served).name in names or (record is not None and served == record.path))
        else:
            serving = record is not None and embeddings == (f.entry.name, f.quantization.name)
        status = progress.read(f.entry.name)
        pulling = status is not None and status["state"] in ("starting", "running") and status["quantization"] == f.quantization.name
        found.append(Row(f, record, serving, pulling, role))
    return found
