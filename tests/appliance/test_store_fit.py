"""Fit before fetch: weights, KV cache and engine against the box's memory, said in words."""

from __future__ import annotations

import pytest

from appliance import hardware
from appliance.store import catalogue
from appliance.store import fit as store_fit

CATALOGUE = catalogue.load(catalogue.BUILT_IN)


def _fit(name: str, budget: store_fit.Budget) -> store_fit.Fit:
    entry = CATALOGUE.get(name)
    return store_fit.fit(entry, entry.quantization(), budget)


@pytest.mark.parametrize(
    ("gpu", "vram_mib", "recommended"),
    [
        ("NVIDIA GeForce RTX 3050", 4_096, "qwen2.5-3b-instruct"),
        ("NVIDIA GeForce RTX 4060", 8_192, "qwen2.5-3b-instruct"),  # Llama 8B needs 7.5 GiB at 8k: more than 0.9 x 8 GiB
        ("NVIDIA GeForce RTX 3060", 12_288, "llama-3.1-8b-instruct"),
        ("NVIDIA GeForce RTX 4060 Ti", 16_384, "qwen2.5-14b-instruct"),
        ("NVIDIA GeForce RTX 4090", 24_564, "qwen3-30b-a3b"),
        ("NVIDIA A100 80GB PCIe", 81_920, "qwen2.5-32b-instruct"),
    ],
)
def test_the_recommendation_is_the_most_capable_model_that_fits_the_gpu(gpu: str, vram_mib: int, recommended: str) -> None:
    best = store_fit.recommend(CATALOGUE, store_fit.gpu_budget(gpu, vram_mib))
    assert best is not None and best.entry.name == recommended
    assert best.fits and best.context >= 8192 and best.need.total_mib <= vram_mib * 0.9


def test_the_kv_cache_grows_with_the_context_length() -> None:
    entry = CATALOGUE.get("llama-3.1-8b-instruct")
    short, long = (store_fit.need(entry, entry.quantization(), c) for c in (4096, 8192))
    assert short.cache_mib == 512 and long.cache_mib == 1024, "32 layers x 8 KV heads x 128 x 2 (K, V) x 2 bytes per token"
    assert short.weights_mib == long.weights_mib


def test_a_model_too_large_for_the_gpu_is_said_not_to_fit_with_its_numbers() -> None:
    said = _fit("qwen2.5-32b-instruct", store_fit.gpu_budget("NVIDIA GeForce RTX 4060", 8_192))
    assert not said.fits and said.context == 0
    assert said.sentence.startswith("Qwen2.5 32B Instruct (AWQ) does not fit on the NVIDIA GeForce RTX 4060")
    assert "even with 2,048 tokens of context it needs about 20.5 GiB, and 7.2 GiB can be used" in said.sentence


def test_the_context_chosen_is_the_longest_that_fits() -> None:
    said = _fit("qwen2.5-32b-instruct", store_fit.gpu_budget("NVIDIA GeForce RTX 4090", 24_564))
    assert said.fits and said.context == 4096
    assert "fits on the NVIDIA GeForce RTX 4090 with 4,096 tokens of context" in said.sentence


def test_a_gguf_model_is_refused_by_vllm_in_words() -> None:
    said = _fit("smollm2-135m-instruct", store_fit.gpu_budget("NVIDIA GeForce RTX 4090", 24_564))
    assert not said.fits and "a GGUF model, which vLLM (this box's engine) does not load" in said.sentence


def test_without_a_gpu_the_model_shipped_with_hearth_is_recommended_and_said_quick() -> None:
    best = store_fit.recommend(CATALOGUE, store_fit.cpu_budget(32_768, 30_000, threads=1))
    assert best is not None and best.entry.bundled and best.context == 8192
    assert "fits in the box's memory" in best.sentence and "(quick)" in best.sentence


def test_a_3b_model_on_one_cpu_thread_fits_but_is_said_very_slow_and_not_recommended() -> None:
    entry = CATALOGUE.get("qwen2.5-3b-instruct")
    said = store_fit.fit(entry, entry.quantization("Q4_K_M"), store_fit.cpu_budget(32_768, 30_000, threads=1))
    assert said.fits and said.tokens_per_s < 3 and "(very slow)" in said.sentence
    recommended = store_fit.recommend(CATALOGUE, store_fit.cpu_budget(32_768, 30_000, threads=1))
    assert recommended is not None and recommended.entry.name != "qwen2.5-3b-instruct"


def test_a_mixture_of_experts_is_as_fast_as_its_active_parameters() -> None:
    budget = store_fit.gpu_budget("NVIDIA GeForce RTX 4090", 24_564)
    moe, dense = _fit("qwen3-30b-a3b", budget), _fit("qwen2.5-14b-instruct", budget)
    assert moe.tokens_per_s > 3 * dense.tokens_per_s


def test_a_box_with_too_little_memory_is_recommended_nothing_but_the_page_falls_back_to_the_shipped_model() -> None:
    assert store_fit.recommend(CATALOGUE, store_fit.cpu_budget(1_024, 900)) is None
    assert "SmolLM2 135M" in hardware.recommend(0, memory_mib=1_024).name


def test_the_recommendation_for_a_gpu_box_names_the_store_entry_to_pull() -> None:
    box = hardware.Hardware("x86-64", 8, 65_536, 900.0, 800.0, [hardware.Gpu("NVIDIA GeForce RTX 4090", 24_564, "535.216")])
    choice = hardware.recommend_for(box)
    assert choice.store_name == "qwen3-30b-a3b" and "VRAM" in choice.needs
