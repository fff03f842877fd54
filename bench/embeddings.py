"""The home embeddings engine: what Hearth adds to an embedding, beside the direct call to the engine.

A copy of the shipped GGUF is chosen in a temporary store as the home embeddings model, so the
supervisor (manage.py home_engine) starts llama.cpp's server for it on its own port, beside the
chat engine. The same short inputs are then sent straight to that engine and through Hearth (web
process, classifier, home worker, Redis relay) in interleaved rounds, at concurrency 1 and 4.
Prints p50 and p99 in ms and the time Hearth adds; then the engines' resident memory. (The
shipped chat model has no pooling layer, so the engine answers a vector per token and Hearth
mean-pools them: that work is in Hearth's column, as a client calling the engine would do it too.)

    python bench/embeddings.py [--rounds N] [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

logging.getLogger("httpx").setLevel(logging.WARNING)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path(tempfile.mkdtemp(prefix="hearth-bench-"))
os.environ["HEARTH_DATA_DIR"] = str(DATA)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appliance.settings")

from appliance.plumbing.stack import Ports, Stack, port_open

PORTS = Ports()
os.environ["HEARTH_HOME_PORT"] = str(PORTS.engine)
os.environ["HEARTH_HOME_EMBEDDINGS_PORT"] = str(PORTS.embeddings)
os.environ["HEARTH_HOME_MODEL"] = ""

import django

django.setup()

from django.conf import settings
from django.core.management import call_command

from appliance import engine
from appliance.store import active, catalogue, fetch, services
from appliance.store import fit as store_fit
from devices.services import add_device

INPUTS = ["Turn on the kitchen light", "Where did I leave the bike keys?", "Recipe for a quick lentil soup", "Is it going to rain?"]


async def one(client: httpx.AsyncClient, url: str, headers: dict[str, str], model: str, text: str) -> float:
    t0 = time.perf_counter()
    response = await client.post(url, json={"model": model, "input": text}, headers=headers)
    response.raise_for_status()
    vector = response.json()["data"][0]["embedding"]
    if vector and isinstance(vector[0], list):
        vector = vector[0]  # llama.cpp answers per token for a model without a pooling layer; Hearth pools them
    if len(vector) < 100:
        raise SystemExit(f"{url} answered a vector of {len(vector)} numbers")
    return (time.perf_counter() - t0) * 1000


async def batch(url: str, headers: dict[str, str], model: str, concurrency: int, count: int) -> list[float]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        sem = asyncio.Semaphore(concurrency)

        async def guarded(i: int) -> float:
            async with sem:
                return await one(client, url, headers, model, INPUTS[i % len(INPUTS)])

        return await asyncio.gather(*(guarded(i) for i in range(count)))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def engines(supervisor: int) -> dict[str, int]:
    """Return the pids of the supervisor's engines by role (the port each listens on names it)."""
    found = {}
    for task in Path(f"/proc/{supervisor}/task").iterdir():
        for child in (task / "children").read_text().split():
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            port = argv[argv.index(b"--port") + 1].decode() if b"--port" in argv else ""
            found["chat" if port == str(PORTS.engine) else "embeddings"] = int(child)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=32, help="requests per round and concurrency")
    args = parser.parse_args()

    stack = Stack(DATA, PORTS, log_dir=DATA / "logs")
    stack.start(stack.redis())
    settings.REDIS_URL = stack.redis_url
    call_command("migrate", "--noinput", verbosity=0)
    stick = DATA / "usb"
    stick.mkdir()
    shutil.copyfile(engine.bundled_model(), stick / "bench-embed.gguf")  # llama.cpp pools any model's states
    services.add_local("bench-embed", stick / "bench-embed.gguf", embeddings=True)
    entry = catalogue.load().get("bench-embed")
    room = store_fit.cpu_budget(32_768, 30_000)
    fetch.pull(entry, entry.quantization(), room, say=lambda _: None)
    services.serve(entry, entry.quantization(), room, active.EMBEDDINGS)
    key = add_device("bench", "laptop", "home").key
    supervisor = stack.start(stack.engine())
    for worker in stack.workers():
        stack.start(worker)
    stack.start(stack.web())
    deadline = time.monotonic() + 120
    while not port_open(PORTS.embeddings):
        if time.monotonic() > deadline:
            raise SystemExit("the embeddings engine did not start")
        time.sleep(0.5)

    targets = {
        "direct": (f"http://127.0.0.1:{PORTS.embeddings}/v1/embeddings", {}),
        "hearth": (f"{stack.web_url}/v1/embeddings", {"Authorization": f"Bearer {key}"}),
    }
    try:
        for target in targets.values():  # warm up connections, the engine's caches, worker threads
            asyncio.run(batch(*target, "bench-embed", 2, 8))
        print(f"\n{args.rounds} interleaved rounds x {args.requests} embeddings of a short sentence; times in ms\n")
        print("| conc. | via | p50 | p99 | + p50 vs direct | ratio |")
        print("|---|---|---|---|---|---|")
        for concurrency in (1, 4):
            results: dict[str, list[float]] = {name: [] for name in targets}
            for _ in range(args.rounds):
                for name, target in targets.items():
                    results[name] += asyncio.run(batch(*target, "bench-embed", concurrency, args.requests))
            direct = statistics.median(results["direct"])
            for name, times in results.items():
                p50 = statistics.median(times)
                print(f"| {concurrency} | {name} | {p50:.1f} | {pct(times, 0.99):.1f} | {p50 - direct:+.1f} | {p50 / direct:.2f} |")
        assert supervisor.process is not None
        memory = {role: rss_mib(pid) for role, pid in engines(supervisor.process.pid).items()}
        print("\n| engine | resident memory |\n|---|---|")
        for role, mib in sorted(memory.items()):
            print(f"| {role} | {mib:.0f} MiB |")
    finally:
        stack.stop_all()
        shutil.rmtree(DATA, ignore_errors=True)


if __name__ == "__main__":
    main()
