"""Fit before fetch: what a model needs (weights, KV cache, engine) against what the box can give it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.utils import formats
from django.utils.translation import gettext as _

from .catalogue import Catalogue, Entry, Quantization

MIB = 2**20
# vLLM claims this share of the GPU's memory by default (gpu_memory_utilization) and must
# fit weights, cache and its own working memory inside it.
VLLM_MEMORY_FRACTION = 0.9
# The engine's own memory beside weights and cache: CUDA context, CUDA graphs and
# activations for vLLM; llama.cpp's compute buffers for a batch of 512 tokens.
OVERHEAD_MIB: dict[str, int] = {"vllm": 1024, "llamacpp": 192}
# What the rest of the box needs on a CPU-only box: web, workers, classifiers, Redis.
CPU_RESERVE_MIB = 2048
CONTEXTS = (32768, 16384, 8192, 4096, 2048)
MIN_CONTEXT = 2048  # below this a chat with a system prompt does not fit
# Home Assistant's prompt lists every exposed entity: a home model worth recommending takes 8k tokens.
RECOMMEND_CONTEXT = 8192
RECOMMEND_TOKENS_PER_S = 8.0  # slower than this, an answer is read faster than it is written
# Measured on the build machine: the 98 MB SmolLM2 Q4_1 at 45-60 tokens/s on one thread,
# so one thread streams about 5 GB/s of weights; more threads help up to the memory bus.
CPU_GBPS_PER_THREAD = 5.0
CPU_GBPS_MAX = 20.0
# Memory bandwidth (GB/s) of common GPUs by a part of their name; a token reads every active weight once.
GPU_BANDWIDTH_GBPS: tuple[tuple[str, float], ...] = (
    ("H200", 4800), ("H100", 3350), ("A100", 1555), ("L40S", 864), ("L40", 864), ("A6000", 768), ("A5000", 768),
    ("A4000", 448), ("A10", 600), ("L4", 300), ("T4", 320), ("4090", 1008), ("4080", 717), ("4070 Ti", 504),
    ("4070", 504), ("4060 Ti", 288), ("4060", 272), ("3090", 936), ("3080", 760), ("3070", 448), ("3060", 360),
)  # fmt: skip
GPU_BANDWIDTH_UNKNOWN = 300.0  # an unknown card is assumed a modest one
GPU_EFFICIENCY = 0.6  # of the peak bandwidth a decoding step achieves


@dataclass(frozen=True)
class Budget:
    """What one engine on this box can give a model."""

    engine: Literal["llamacpp", "vllm"]
    where: str  # in words: "on the NVIDIA RTX 4090", "in the box's memory"
    usable_mib: int
    free_mib: int  # free now, for the sentence
    bandwidth_gbps: float


@dataclass(frozen=True)
class Need:
    weights_mib: int
    cache_mib: int
    overhead_mib: int

    @property
    def total_mib(self) -> int:
        return self.weights_mib + self.cache_mib + self.overhead_mib


@dataclass(frozen=True)
class Fit:
    entry: Entry
    quantization: Quantization
    fits: bool
    context: int  # the longest context that fits (0: none does)
    need: Need  # at that context, or at the shortest tried when nothing fits
    tokens_per_s: float
    sentence: str


def gpu_budget(name: str, vram_mib: int, used_mib: int | None = None) -> Budget:
    """Return what vLLM can give a model on this GPU."""
    bandwidth = next((gbps for part, gbps in GPU_BANDWIDTH_GBPS if part.lower() in name.lower()), GPU_BANDWIDTH_UNKNOWN)
    free = vram_mib - used_mib if used_mib is not None else vram_mib
    # Translators: where a model is fitted, read after "fits" or "does not fit"; the name is the GPU's.
    return Budget("vllm", _("on the %(gpu)s") % {"gpu": name}, int(vram_mib * VLLM_MEMORY_FRACTION), free, bandwidth)


def cpu_budget(memory_mib: int, available_mib: int | None = None, threads: int = 1) -> Budget:
    """Return what llama.cpp can give a model in the box's memory, leaving the rest of the box its share."""
    free = available_mib if available_mib else memory_mib
    bandwidth = min(CPU_GBPS_PER_THREAD * max(threads, 1), CPU_GBPS_MAX)
    # Translators: where a model is fitted, read after "fits" or "does not fit".
    return Budget("llamacpp", _("in the box's memory"), max(free - CPU_RESERVE_MIB, 0), free, bandwidth)


def need(entry: Entry, quantization: Quantization, context: int) -> Need:
    """Return the memory a quantization needs at a context length on its engine."""
    cache = entry.architecture.kv_bytes_per_token() * context
    return Need(-(-quantization.weights_bytes // MIB), -(-cache // MIB), OVERHEAD_MIB[quantization.engine])


def tokens_per_s(entry: Entry, quantization: Quantization, budget: Budget) -> float:
    """Estimate decoding speed: every active weight is read once per token."""
    read = quantization.weights_bytes * entry.active_parameters / entry.parameters
    efficiency = GPU_EFFICIENCY if budget.engine == "vllm" else 1.0  # the CPU figure is measured, not peak
    return budget.bandwidth_gbps * 1e9 * efficiency / read


def one_decimal(value: float) -> str:
    """Return a number with one decimal, rounded as Python rounds it, written as the page's language writes numbers."""
    return formats.number_format(Decimal(f"{value:.1f}"), 1)


def size(mib: int) -> str:
    """Say an amount of memory in words a household reads."""
    return _("%(n)s MiB") % {"n": mib} if mib < 1024 else _("%(n)s GiB") % {"n": one_decimal(mib / 1024)}


def _speed(tps: float) -> str:
    if tps >= 30:
        # Translators: how fast a model writes its answer, in brackets after its tokens a second.
        return _("quick")
    if tps >= 10:
        return _("comfortable to read along")
    if tps >= 3:
        return _("slow")
    return _("very slow")


def _label(entry: Entry, quantization: Quantization) -> str:
    return f"{entry.title} ({quantization.name})"


def fit(entry: Entry, quantization: Quantization, budget: Budget) -> Fit:
    """Say whether a quantization fits this budget, at which context, how fast, in one sentence."""
    speed = tokens_per_s(entry, quantization, budget)
    if quantization.engine != budget.engine:
        engine = "vLLM" if budget.engine == "vllm" else "llama.cpp"
        named = {"model": _label(entry, quantization), "format": quantization.format.upper(), "engine": engine}
        # The article follows how the format's letters are spoken (an AWQ, a GPTQ), so English has a sentence for each.
        if quantization.format == "awq":
            sentence = _("%(model)s is an AWQ model, which %(engine)s (this box's engine) does not load.") % named
        elif quantization.format in ("gptq", "gguf"):
            sentence = _("%(model)s is a %(format)s model, which %(engine)s (this box's engine) does not load.") % named
        else:
            sentence = _("%(model)s is a %(kind)s model, which %(engine)s (this box's engine) does not load.") % {
                **named,
                "kind": quantization.format,
            }
        return Fit(entry, quantization, False, 0, need(entry, quantization, MIN_CONTEXT), 0.0, sentence)
    tried = [c for c in CONTEXTS if c <= entry.context_length] or [entry.context_length]
    for context in tried:
        wanted = need(entry, quantization, context)
        if wanted.total_mib <= budget.usable_mib:
            sentence = _(
                "%(model)s fits %(where)s with %(context)s tokens of context: it needs about %(total)s of the %(usable)s "
                "it can use (%(weights)s weights, %(cache)s cache, %(engine)s engine); about %(speed)s tokens a second (%(pace)s)."
            ) % {
                "model": _label(entry, quantization), "where": budget.where, "context": formats.number_format(context, force_grouping=True),
                "total": size(wanted.total_mib), "usable": size(budget.usable_mib), "weights": size(wanted.weights_mib),
                "cache": size(wanted.cache_mib), "engine": size(wanted.overhead_mib), "speed": f"{speed:.0f}", "pace": _speed(speed),
            }  # fmt: skip
            return Fit(entry, quantization, True, context, wanted, speed, sentence)
    smallest = need(entry, quantization, tried[-1])
    sentence = _(
        "%(model)s does not fit %(where)s: even with %(context)s tokens of context it needs about %(total)s, "
        "and %(usable)s can be used."
    ) % {
        "model": _label(entry, quantization), "where": budget.where, "context": formats.number_format(tried[-1], force_grouping=True),
        "total": size(smallest.total_mib), "usable": size(budget.usable_mib),
    }  # fmt: skip
    return Fit(entry, quantization, False, 0, smallest, speed, sentence)


def table(catalogue: Catalogue, budget: Budget) -> list[Fit]:
    """Return every entry's quantizations fitted to the budget, the ones this engine loads first."""
    fits = [fit(e, q, budget) for e in catalogue.entries for q in e.quantizations]
    return sorted(fits, key=lambda f: (f.quantization.engine != budget.engine, -f.entry.parameters))


def recommend(catalogue: Catalogue, budget: Budget) -> Fit | None:
    """Return the most capable chat model that fits with a useful context and speed, or None."""
    # Tools: Home Assistant and agents call them; a chat-only model is a fallback (the one shipped).
    good = [
        f
        for f in table(catalogue, budget)
        if "chat" in f.entry.capabilities
        and ("tools" in f.entry.capabilities or f.entry.bundled)
        and f.fits
        and f.context >= min(RECOMMEND_CONTEXT, f.entry.context_length)
        and f.tokens_per_s >= RECOMMEND_TOKENS_PER_S
    ]
    return max(good, key=lambda f: f.entry.parameters, default=None)
