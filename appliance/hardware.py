"""What the box is made of: CPU, memory, disk and NVIDIA GPUs (through pynvml, when present)."""

from __future__ import annotations

import logging
import os
import platform
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from .store import catalogue as store_catalogue
from .store import fit as store_fit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Gpu:
    name: str
    vram_mib: int
    driver: str
    load_percent: int | None = None
    used_mib: int | None = None
    temperature_c: int | None = None


@dataclass(frozen=True)
class Hardware:
    cpu: str
    cores: int
    memory_mib: int
    disk_total_gib: float
    disk_free_gib: float
    gpus: list[Gpu] = field(default_factory=list)
    gpu_note: str = ""
    memory_available_mib: int = 0  # 0: not known, the total is used


@dataclass(frozen=True)
class ModelChoice:
    name: str
    size: str
    needs: str
    file_hint: str  # what its file or folder name contains, lower case (how a served model is recognised)
    store_name: str = ""  # its name in the model store (`./hearth models pull NAME`)

    def is_file(self, file: str) -> bool:
        """Say whether a model file (or folder) the engine loads is this model."""
        return self.file_hint in file.lower().replace("_", "-")


def catalogue() -> store_catalogue.Catalogue:
    """Return the model store's catalogue; the repository's own if the household's additions are broken."""
    try:
        return store_catalogue.load()
    except store_catalogue.CatalogueError as exc:
        log.warning("the household's model entries are ignored: %s", exc)
        return store_catalogue.load(store_catalogue.BUILT_IN)


def _choice(entry: store_catalogue.Entry, quantization: store_catalogue.Quantization) -> ModelChoice:
    wanted = store_fit.need(entry, quantization, min(store_fit.RECOMMEND_CONTEXT, entry.context_length))
    if quantization.engine == "llamacpp":
        needs = _("no GPU needed: about %(size)s of memory") % {"size": store_fit.size(wanted.total_mib)}
    else:
        context = min(store_fit.RECOMMEND_CONTEXT, entry.context_length)
        needs = _("about %(size)s of VRAM with %(context)s tokens of context") % {
            "size": store_fit.size(-(-wanted.total_mib * 10 // 9)),
            "context": formats.number_format(context, force_grouping=True),
        }
    named = {"model": entry.title, "version": quantization.name}
    label = _("%(model)s (%(version)s, installed with Hearth)") % named if entry.bundled else f"{entry.title} ({quantization.name})"
    weights = store_fit.size(-(-quantization.weights_bytes // store_fit.MIB))
    return ModelChoice(label, _("%(size)s of weights") % {"size": weights}, needs, entry.file_hint, entry.name)


def budget(found: Hardware) -> store_fit.Budget:
    """Return what the home engine can give a model on this box: the largest GPU, or the memory."""
    if found.gpus:
        gpu = max(found.gpus, key=lambda g: g.vram_mib)
        return store_fit.gpu_budget(gpu.name, gpu.vram_mib, gpu.used_mib)
    return store_fit.cpu_budget(found.memory_mib, found.memory_available_mib, settings.HEARTH_HOME_THREADS)


def recommend(vram_mib: int, memory_mib: int | None = None, gpu_name: str = "NVIDIA GPU") -> ModelChoice:
    """Return the home model the store's fit picks for this much VRAM (or memory, without a GPU)."""
    if vram_mib:
        room = store_fit.gpu_budget(gpu_name, vram_mib)
    else:
        room = store_fit.cpu_budget(memory_mib or _memory_mib(), None, settings.HEARTH_HOME_THREADS)
    models = catalogue()
    best = store_fit.recommend(models, room)
    if best is None:  # nothing fits this engine: the model shipped with Hearth, on the CPU
        shipped = models.bundled()
        return _choice(shipped, shipped.quantization())
    return _choice(best.entry, best.quantization)


def recommend_for(found: Hardware) -> ModelChoice:
    """Return the home model the store's fit picks for this box."""
    best = store_fit.recommend(catalogue(), budget(found))
    if best is None:
        shipped = catalogue().bundled()
        return _choice(shipped, shipped.quantization())
    return _choice(best.entry, best.quantization)


def known(file: str) -> ModelChoice | None:
    """Return the catalogue's entry for the model file (or folder) an engine loads, if it is one of them."""
    entry = catalogue().served_as(file)
    if entry is None:
        return None
    by_file = [q for q in entry.quantizations if any(f.name.lower() == Path(file).name.lower() for f in q.files)]
    by_engine = [q for q in entry.quantizations if q.engine == settings.HEARTH_HOME_ENGINE]
    return _choice(entry, (by_file or by_engine or list(entry.quantizations))[0])


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_mib(key: str = "MemTotal") -> int:
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def gpus() -> tuple[list[Gpu], str]:
    """Return the NVIDIA GPUs with their live readings, or none and why."""
    try:
        import pynvml  # type: ignore[import-untyped]

        pynvml.nvmlInit()
    except ImportError:
        return [], _("no NVIDIA GPU (pynvml is not installed)")
    except pynvml.NVMLError_LibraryNotFound:
        return [], _("no NVIDIA GPU (no NVIDIA driver on this box)")
    except pynvml.NVMLError as exc:
        return [], _("no NVIDIA GPU (%(reason)s)") % {"reason": exc}
    try:
        driver = pynvml.nvmlSystemGetDriverVersion()
        found = []
        for i in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(i)
            memory = pynvml.nvmlDeviceGetMemoryInfo(handle)
            found.append(
                Gpu(
                    name=str(pynvml.nvmlDeviceGetName(handle)),
                    vram_mib=int(memory.total) // 2**20,
                    driver=str(driver),
                    load_percent=int(pynvml.nvmlDeviceGetUtilizationRates(handle).gpu),
                    used_mib=int(memory.used) // 2**20,
                    temperature_c=int(pynvml.nvmlDeviceGetTemperature(handle, pynvml.NVML_TEMPERATURE_GPU)),
                )
            )
        return found, "" if found else _("no NVIDIA GPU")
    except pynvml.NVMLError as exc:
        log.warning("reading the GPUs failed: %s", type(exc).__name__)
        return [], _("the NVIDIA GPU could not be read")
    finally:
        pynvml.nvmlShutdown()


def largest_gpu_mib() -> int:
    """Return the VRAM of the box's largest NVIDIA GPU in MiB (0: none)."""
    return max((g.vram_mib for g in gpus()[0]), default=0)


def survey() -> Hardware:
    """Return what this box is made of."""
    disk = shutil.disk_usage(settings.DATA_DIR)
    found, note = gpus()
    return Hardware(
        cpu=_cpu_name(),
        cores=os.cpu_count() or 1,
        memory_mib=_memory_mib(),
        disk_total_gib=round(disk.total / 2**30, 1),
        disk_free_gib=round(disk.free / 2**30, 1),
        gpus=found,
        gpu_note=note,
        memory_available_mib=_memory_mib("MemAvailable"),
    )
