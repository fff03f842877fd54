"""Personas of the box's pages: the owner, a household member, a stranger, a device."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from appliance import engine
from appliance.store import active, catalogue, fetch, services
from appliance.store import fit as store_fit
from tests.appliance.engines import engine_argv, serving, until
from tests.conftest import OWNER_PASSWORD as PASSWORD
from tests.conftest import Live

ROOMY = store_fit.cpu_budget(32_768, 30_000)  # a box with room for any of the store tests' models


@pytest.fixture
def member(owner: Any) -> Any:
    return get_user_model().objects.create_user("teen", password=PASSWORD)


@pytest.fixture
def owner_client(owner: Any) -> Client:
    c = Client()
    c.force_login(owner)
    return c


@pytest.fixture
def member_client(member: Any) -> Client:
    c = Client()
    c.force_login(member)
    return c


@pytest.fixture
def store(settings: Any, tmp_path: Path) -> Path:
    """An empty model store in the test's own folder, on the llama.cpp engine, no model named in settings."""
    settings.HEARTH_MODELS_DIR = tmp_path / "models"
    settings.HEARTH_MODELS_DISK_RESERVE_MIB = 1
    settings.HEARTH_HOME_MODEL = ""
    settings.HEARTH_HOME_ENGINE = "llamacpp"
    return tmp_path


def pulled_copy(store: Path, name: str, embeddings: bool | None = None) -> tuple[catalogue.Entry, fetch.Record]:
    """Add a copy of the shipped GGUF from a 'USB stick' as a household model (said to make embeddings, or not,
    or left to its header) and pull it into the store."""
    stick = store / "usb" / name
    stick.mkdir(parents=True)
    shutil.copyfile(engine.bundled_model(), stick / f"{name}.gguf")
    services.add_local(name, stick / f"{name}.gguf", embeddings=embeddings)
    entry = catalogue.load().get(name)
    return entry, fetch.pull(entry, entry.quantization(), ROOMY, say=lambda _: None)


@pytest.fixture
def box_store(live: Live, settings: Any) -> Iterator[Path]:
    """The running box's own store (its web process and engine supervisor read it); after the test, back on the
    shipped model with no embeddings engine."""
    settings.HEARTH_MODELS_DIR = live.stack.data_dir / "models"
    settings.HEARTH_MODELS_DISK_RESERVE_MIB = 1
    yield Path(settings.HEARTH_MODELS_DIR)
    active.forget(active.EMBEDDINGS)
    active.forget()
    until(lambda: serving(live, str(engine.bundled_model())), 120, "the box serves the shipped model again")
    until(lambda: not engine_argv(live, live.stack.ports.embeddings), 60, "the embeddings engine has stopped")
