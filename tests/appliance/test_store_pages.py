"""The model store on the wizard's hardware step: models that fit, fetched in the background with live progress, served."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from django.contrib.auth.models import AnonymousUser, User
from django.test import Client

from appliance import engine
from appliance.store import consumers, progress, services
from tests.appliance.store_server import FileServer, Served, file_server

BODY = os.urandom(3 * 2**20)
Communicator: Any = ApplicationCommunicator  # asgiref's test helper carries no type hints


@pytest.fixture
def hub(settings: Any, tmp_path: Path) -> Iterator[FileServer]:
    settings.HEARTH_MODELS_DIR = tmp_path / "models"
    settings.HEARTH_MODELS_DISK_RESERVE_MIB = 1
    settings.HEARTH_HOME_MODEL = ""
    settings.HEARTH_HOME_ENGINE = "llamacpp"
    with file_server() as server:
        settings.HEARTH_HF_ENDPOINT = server.endpoint
        server.hub("family/tiny", "tiny.gguf", Served(BODY))
        services.add_remote(
            "tiny",
            services.Remote("tiny.gguf", len(BODY), 1_000_000, 4096, 2, 1, 8, hf="family/tiny"),
        )
        yield server


def row(page: str, model: str) -> str:
    return page.split(f'<tr data-model="{model}">')[1].split("</tr>")[0]


def wait_for_pull(model: str, seconds: float = 60) -> progress.PullStatus:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = progress.read(model)
        if status is not None and status["state"] not in ("starting", "running"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"the pull of {model} did not end within {seconds} s")


def test_the_hardware_step_lists_what_fits_with_the_shipped_model_served_now(hub: FileServer, owner_client: Client) -> None:
    page = owner_client.get("/setup/hardware/").content.decode()
    assert "served now" in row(page, "smollm2-135m-instruct")
    assert "Fetch" in row(page, "tiny") and 'id="pulls"' in page and "Nothing is being fetched." in page


def test_a_model_is_fetched_from_the_page_in_the_background_then_served(hub: FileServer, owner_client: Client) -> None:
    page = owner_client.post("/setup/hardware/models/pull/", {"model": "tiny"}).content.decode()
    assert "Fetching Tiny (file); its progress shows below." in page
    status = wait_for_pull("tiny")
    assert status["state"] == "done" and "verified" in status["message"], status["message"]
    assert "fetched and verified" in consumers.fragment()
    page = owner_client.get("/setup/hardware/").content.decode()
    assert "Serve it" in row(page, "tiny")
    page = owner_client.post("/setup/hardware/models/serve/", {"model": "tiny"}).content.decode()
    assert "The home engine is restarting on Tiny (file) with 4,096 tokens of context." in page
    assert Path(engine.model_path()).read_bytes() == BODY
    assert "served now" in row(owner_client.get("/setup/hardware/").content.decode(), "tiny")


def test_a_model_too_large_for_the_box_is_refused_on_the_page_before_any_download(hub: FileServer, owner_client: Client) -> None:
    page = owner_client.post("/setup/hardware/models/pull/", {"model": "qwen2.5-32b-instruct"}).content.decode()
    assert 'id="store-error">refused before any download: Qwen2.5 32B Instruct (AWQ) is an AWQ model' in page
    assert hub.requests == [] and progress.read("qwen2.5-32b-instruct") is None


def test_cancelling_from_the_page_asks_the_pull_to_stop(hub: FileServer, owner_client: Client) -> None:
    page = owner_client.post("/setup/hardware/models/cancel/", {"model": "tiny"}).content.decode()
    assert "Stopping the fetch of Tiny" in page and progress.cancel_file("tiny").exists()


def _socket(user: Any) -> tuple[bool, int | str]:
    """Connect to the pulls' consumer as this user: whether it accepted, and its first message (or its close code)."""

    async def talk() -> tuple[bool, int | str]:
        scope = {"type": "websocket", "path": "/ws/store/pulls/", "headers": [], "subprotocols": [], "user": user}
        communicator = Communicator(consumers.PullsConsumer.as_asgi(), scope)
        await communicator.send_input({"type": "websocket.connect"})
        answer = await communicator.receive_output(timeout=5)
        if answer["type"] != "websocket.accept":
            return False, int(answer.get("code", 0))
        sent = await communicator.receive_output(timeout=5)
        await communicator.send_input({"type": "websocket.disconnect", "code": 1000})
        await communicator.wait(timeout=5)
        return True, str(sent["text"])

    return asyncio.run(talk())


@pytest.mark.django_db(transaction=True)  # the consumer reads the household's settings (its zone), which a process re-reads in time
def test_the_pulls_socket_sends_live_progress_to_household_members(hub: FileServer) -> None:
    writer = progress.Writer("tiny", "file")
    writer.say("fetching from the hub")
    connected, text = _socket(User(username="member"))
    assert connected and 'data-model="tiny" data-state="running"' in str(text) and "fetching from the hub" in str(text)


@pytest.mark.django_db(transaction=True)
def test_the_pulls_socket_refuses_a_stranger(hub: FileServer) -> None:
    connected, code = _socket(AnonymousUser())
    assert not connected and code == 4401
