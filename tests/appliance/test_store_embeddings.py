"""A home embeddings model beside the chat model: chosen in the store, served by an engine of its own, routed to by kind."""

from __future__ import annotations

import io
import json
import re
import shutil
import struct
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from appliance import engine
from appliance.store import active, catalogue, disk, fetch, gguf, services, shelf
from appliance.store import fit as store_fit
from gateway import capabilities, router
from gateway.choices import Kind
from gateway.models import Provider
from gateway.services import ensure_home_provider
from tests.appliance.conftest import ROOMY, pulled_copy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _embeddings_port(store: Path, settings: Any) -> None:
    settings.HEARTH_HOME_EMBEDDINGS_PORT = 18_182


def _gguf(path: Path, architecture: str, pooling: bool) -> Path:
    """Write the header of a GGUF file (version 3, one tensor), as llama.cpp's converters lay it out."""

    def text(value: str) -> bytes:
        return struct.pack("<Q", len(value.encode())) + value.encode()

    def u32(key: str, value: int) -> bytes:
        return text(key) + struct.pack("<II", 4, value)

    meta = [
        text("general.architecture") + struct.pack("<I", 8) + text(architecture),
        text("general.name") + struct.pack("<I", 8) + text("Test Encoder"),
        u32(f"{architecture}.context_length", 512),
        u32(f"{architecture}.block_count", 4),
        u32(f"{architecture}.attention.head_count", 4),
        u32(f"{architecture}.embedding_length", 256),
    ] + ([u32(f"{architecture}.pooling_type", 1)] if pooling else [])
    tensor = text("token_embd.weight") + struct.pack("<IQQIQ", 2, 256, 1000, 0, 0)
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 1, len(meta)) + b"".join(meta) + tensor)
    return path


@pytest.mark.parametrize(
    ("architecture", "pooling", "embeddings"),
    [("bert", False, True), ("nomic-bert", True, True), ("qwen2", True, True), ("llama", False, False)],
)
def test_a_gguf_header_says_whether_the_file_is_an_embeddings_model(
    tmp_path: Path, architecture: str, pooling: bool, embeddings: bool
) -> None:
    header = gguf.read_header(_gguf(tmp_path / "m.gguf", architecture, pooling))
    assert header.embeddings is embeddings


def test_a_local_file_added_by_hand_is_an_embeddings_model_when_its_header_says_so(store: Path) -> None:
    encoder = _gguf(store / "encoder.gguf", "bert", pooling=True)
    entry = services.add_local("my-encoder", encoder)
    assert entry.capabilities == ("embeddings",)
    shipped_copy = store / "chat.gguf"
    shutil.copyfile(engine.bundled_model(), shipped_copy)
    assert services.add_local("my-chat", shipped_copy).capabilities == ("chat",)


def test_a_chat_model_cannot_be_chosen_for_embeddings_nor_an_embeddings_model_for_chat(store: Path) -> None:
    chat, _ = pulled_copy(store, "chat-copy", embeddings=False)
    encoder, _ = pulled_copy(store, "embed-copy", embeddings=True)
    with pytest.raises(fetch.FetchError, match="makes no embeddings"):
        active.choose(chat, chat.quantization(), ROOMY, active.EMBEDDINGS)
    with pytest.raises(fetch.FetchError, match="makes only embeddings: choose it as the home embeddings model"):
        active.choose(encoder, encoder.quantization(), ROOMY, active.CHAT)
    assert not active.active_file(active.CHAT).exists() and not active.active_file(active.EMBEDDINGS).exists()


def test_the_embeddings_engine_starts_on_its_own_port_under_the_model_s_name(store: Path) -> None:
    assert not engine.wanted(active.EMBEDDINGS)
    with pytest.raises(engine.EngineUnavailable, match="no embeddings model is chosen"):
        engine.command(role=active.EMBEDDINGS)
    entry, record = pulled_copy(store, "embed-copy", embeddings=True)
    services.serve(entry, entry.quantization(), ROOMY, active.EMBEDDINGS)
    assert engine.wanted(active.EMBEDDINGS)
    argv = engine.command(role=active.EMBEDDINGS)
    assert argv[argv.index("--model") + 1] == record.path
    assert argv[argv.index("--port") + 1] == "18182" and argv[argv.index("--model_alias") + 1] == "embed-copy"
    assert argv[argv.index("--embedding") + 1] == "true"
    chat = engine.command()  # the chat engine still serves the shipped model, on its own port
    assert chat[chat.index("--model") + 1] == str(engine.bundled_model()) and chat[chat.index("--model_alias") + 1] == "home"


def test_on_vllm_the_embeddings_engine_pools_and_the_two_engines_split_the_gpu(store: Path, settings: Any, monkeypatch: Any) -> None:
    entry, _ = pulled_copy(store, "embed-copy", embeddings=True)
    services.serve(entry, entry.quantization(), ROOMY, active.EMBEDDINGS)
    chosen = active.chosen(catalogue.load(), active.EMBEDDINGS)
    assert chosen is not None and chosen.memory_mib > 0
    monkeypatch.setattr(engine.hardware, "largest_gpu_mib", lambda: 24_576)  # a 24 GiB card; no GPU on the test machine
    settings.HEARTH_HOME_ENGINE = "vllm"
    choice = active.active_file(active.EMBEDDINGS)  # the copy is a GGUF: chosen as if it were a checkpoint vLLM loads
    choice.write_text(json.dumps({**json.loads(choice.read_text()), "engine": "vllm"}))
    share = round(-(-chosen.memory_mib * 100 // 24_576) / 100 + 0.01, 2)
    argv = engine.command(role=active.EMBEDDINGS)
    assert argv[argv.index("--runner") + 1] == "pooling" and argv[argv.index("--convert") + 1] == "embed"
    assert float(argv[argv.index("--gpu-memory-utilization") + 1]) == share
    assert argv[argv.index("--served-model-name") + 1] == "embed-copy"
    chat = engine.command()
    assert float(chat[chat.index("--gpu-memory-utilization") + 1]) == pytest.approx(store_fit.VLLM_MEMORY_FRACTION - share)
    assert "--runner" not in chat


def test_the_router_sends_embeddings_to_the_embeddings_model_and_chats_to_the_chat_model(store: Path) -> None:
    entry, _ = pulled_copy(store, "embed-copy", embeddings=True)
    ensure_home_provider()
    assert not Provider.objects.filter(name="home-embeddings", enabled=True).exists()
    services.serve(entry, entry.quantization(), ROOMY, active.EMBEDDINGS)
    row = Provider.objects.get(name="home-embeddings")
    assert row.enabled and row.tier == "home" and row.model_names == ["embed-copy"]
    assert row.base_url == "http://127.0.0.1:18182/v1"
    candidates = router._load()
    names = {c.name: c for c in candidates}
    assert [c.name for c in router.allowed(candidates, "home", Kind.EMBEDDING)] == ["home-embeddings"]
    assert [c.name for c in router.allowed(candidates, "home", Kind.CHAT)] == ["home"]
    assert "embed-copy" in router.models_for(candidates)
    with pytest.raises(router.NoRoute) as refused:
        router.admit(candidates, "home", Kind.CHAT, "embed-copy")
    assert refused.value.status == 400 and refused.value.code == "model_not_supported"
    assert "makes no chat or completions. Ask for hearth-auto or home" in refused.value.message
    with pytest.raises(router.NoRoute) as refused:
        router.admit(candidates, "home", Kind.EMBEDDING, "home")
    assert refused.value.status == 400 and "'home' makes no embeddings. Ask for hearth-auto or embed-copy." in refused.value.message
    router.admit(candidates, "home", Kind.EMBEDDING, "embed-copy")
    assert names["home"].answers(Kind.COMPLETION) and not names["home"].answers(Kind.EMBEDDING)

    services.stop_embeddings()  # the chat model makes the embeddings again
    candidates = router._load()
    assert [c.name for c in router.allowed(candidates, "home", Kind.EMBEDDING)] == ["home"]
    assert "embed-copy" not in router.models_for(candidates)
    assert Provider.objects.get(name="home-embeddings").enabled is False


def test_the_embeddings_model_stays_on_disk_while_it_serves(store: Path) -> None:
    entry, _ = pulled_copy(store, "embed-copy", embeddings=True)
    services.serve(entry, entry.quantization(), ROOMY, active.EMBEDDINGS)
    with pytest.raises(fetch.FetchError, match="the home embeddings engine serves, so it stays"):
        disk.remove(entry, entry.quantization(), served=str(engine.bundled_model()))
    kept = {k.entry.name: k for k in disk.usage(catalogue.load(), str(engine.bundled_model())).kept}
    assert kept["embed-copy"].serving
    active.forget(active.EMBEDDINGS)
    assert disk.remove(entry, entry.quantization(), served=str(engine.bundled_model())) > 0


def test_the_store_lists_an_embeddings_model_with_the_role_it_would_serve_in(store: Path) -> None:
    pulled_copy(store, "embed-copy", embeddings=True)
    pulled_copy(store, "chat-copy", embeddings=False)
    rows = {r.fit.entry.name: r for r in shelf.rows(catalogue.load(), ROOMY, str(engine.bundled_model()))}
    assert rows["embed-copy"].role == active.EMBEDDINGS and not rows["embed-copy"].serving
    assert rows["chat-copy"].role == active.CHAT
    entry = catalogue.load().get("embed-copy")
    active.choose(entry, entry.quantization(), ROOMY, active.EMBEDDINGS)
    rows = {r.fit.entry.name: r for r in shelf.rows(catalogue.load(), ROOMY, str(engine.bundled_model()))}
    assert rows["embed-copy"].serving and not rows["chat-copy"].serving


@pytest.mark.parametrize(
    ("makes", "error"),
    [
        ("embedding", "must be a list"),
        ([], "must be a list"),
        (["embeddings"], "must be a list of some of chat, completion, embedding"),
        ([1], "must be a list"),
    ],
)
def test_what_a_model_makes_is_checked_with_the_reason(makes: Any, error: str) -> None:
    with pytest.raises(capabilities.CapsError, match=re.escape(error)):
        capabilities.parse({"m": {"makes": makes}}, ["m"])


def test_a_model_that_says_nothing_of_what_it_makes_answers_every_kind() -> None:
    caps = capabilities.parse({"m": {"context": 8192}, "e": {"makes": ["embedding"]}}, ["m", "e"])
    assert all(caps["m"].answers(k) for k in capabilities.KINDS)
    assert caps["e"].answers("embedding") and not caps["e"].answers("chat")
    both = router.Candidate(1, "cloud", "cloud", "openai", ("m", "e"), 5, Decimal(0), True, False, False, caps=tuple(caps.items()))
    assert both.answers(Kind.CHAT) and both.answers(Kind.EMBEDDING)


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("models", *args, stdout=out)
    return out.getvalue()


def test_the_models_command_chooses_and_stops_the_embeddings_model(store: Path) -> None:
    pulled_copy(store, "embed-copy", embeddings=True)
    pulled_copy(store, "chat-copy", embeddings=False)
    with pytest.raises(CommandError, match="makes no embeddings"):
        _command("use", "chat-copy", "--embeddings")
    with pytest.raises(CommandError, match="makes only embeddings: choose it as the home embeddings model"):
        _command("use", "embed-copy")
    assert "the home embeddings engine serves embed-copy" in _command("use", "embed-copy", "--embeddings")
    assert active.chosen_names(active.EMBEDDINGS)[0] == "embed-copy"
    assert Provider.objects.get(name="home-embeddings").enabled
    listed = next(line for line in _command("list").splitlines() if line.startswith("embed-copy"))
    assert "makes the home embeddings now" in listed and "served now" not in listed
    assert "the chat model makes the embeddings again" in _command("use", "--no-embeddings")
    assert active.chosen_names(active.EMBEDDINGS) is None
    assert not Provider.objects.get(name="home-embeddings").enabled


def _row(page: str, model: str) -> str:
    return page.split(f'<tr data-model="{model}">')[1].split("</tr>")[0]


def test_the_hardware_step_chooses_and_stops_the_embeddings_model(store: Path, owner_client: Client) -> None:
    pulled_copy(store, "embed-copy", embeddings=True)
    pulled_copy(store, "chat-copy", embeddings=False)
    page = owner_client.get("/setup/hardware/").content.decode()
    assert "Use it for embeddings" in _row(page, "embed-copy") and "Serve it" not in _row(page, "embed-copy")
    assert "Use it for embeddings" not in _row(page, "chat-copy")
    refused = owner_client.post("/setup/hardware/models/serve/", {"model": "chat-copy", "role": "embeddings"}).content.decode()
    assert 'id="store-error">' in refused and "makes no embeddings" in refused
    page = owner_client.post("/setup/hardware/models/serve/", {"model": "embed-copy", "role": "embeddings"}).content.decode()
    assert "The home embeddings engine is starting on " in page and "; devices ask for it as embed-copy." in page
    assert "makes the embeddings now" in _row(page, "embed-copy") and "Stop: the chat model makes them" in _row(page, "embed-copy")
    assert "served now" in _row(page, "smollm2-135m-instruct"), "the chat engine keeps its model"
    assert "in an engine of its own · devices ask for it as <code>embed-copy</code>" in page
    assert 'hx-get="/setup/engine/?role=embeddings"' in page
    status = owner_client.get("/setup/engine/?role=embeddings").content.decode()  # nothing listens on its port here
    assert 'id="engine-status-embeddings" data-ready="no" hx-get="/setup/engine/?role=embeddings"' in status
    assert "Starting: loading the model into memory." in status and "model file embed-copy.gguf" in status
    page = owner_client.post("/setup/hardware/models/embeddings-off/").content.decode()
    assert "The embeddings engine stops; the chat model makes the embeddings again." in page
    assert "Use it for embeddings" in _row(page, "embed-copy") and "Embeddings: made by the chat model." in page
    assert "role=embeddings" not in page.split('id="engine"')[1]
    status = owner_client.get("/setup/engine/?role=embeddings").content.decode()
    assert "The embeddings engine cannot start: no embeddings model is chosen" in status
    assert not Provider.objects.get(name="home-embeddings").enabled
