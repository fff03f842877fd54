"""What Hearth adds to a request, beside the direct call and LiteLLM's proxy.

A deterministic mock upstream (instant; 20 ms; 64 chunks 20 ms apart) is called directly,
through Hearth (web process, Celery worker, Redis relay) and through LiteLLM's proxy (when
bench/.venv has it: `make bench` installs it), in interleaved rounds at concurrency 1, 16
and 64. Prints time to first token and total time, p50 and p99, and the added time.

    python bench/overhead.py [--rounds N] [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

logging.getLogger("httpx").setLevel(logging.WARNING)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path(tempfile.mkdtemp(prefix="hearth-bench-"))
os.environ["HEARTH_DATA_DIR"] = str(DATA)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appliance.settings")

import django

django.setup()

from django.conf import settings
from django.core.management import call_command

from appliance.plumbing.stack import Ports, Stack, free_port, port_open
from devices.services import add_device
from gateway.capture import CaptureUpstream
from gateway.models import Provider
from policies.models import HouseholdRule

SCENARIOS: dict[str, dict[str, Any]] = {
    "instant": {"chunks": ["ok"]},
    "20 ms": {"chunks": ["ok"], "first_delay": 0.02},
    "64 chunks / 20 ms": {"chunks": [f"t{i} " for i in range(64)], "chunk_delay": 0.02},
}
BODY = {"model": "mock-model", "messages": [{"role": "user", "content": "hello"}], "stream": True, "max_tokens": 100}


async def one(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    ttft, chunks = 0.0, 0
    async with client.stream("POST", url, json=BODY, headers=headers) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if line.startswith("data: {"):
                if not chunks:
                    ttft = time.perf_counter() - t0
                chunks += 1
    return ttft * 1000, (time.perf_counter() - t0) * 1000, chunks


async def batch(url: str, headers: dict[str, str], concurrency: int, count: int) -> list[tuple[float, float, int]]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        sem = asyncio.Semaphore(concurrency)

        async def guarded() -> tuple[float, float, int]:
            async with sem:
                return await one(client, url, headers)

        return await asyncio.gather(*(guarded() for _ in range(count)))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def start_litellm(mock: CaptureUpstream) -> tuple[subprocess.Popen[bytes] | None, int]:
    exe = ROOT / "bench" / ".venv" / "bin" / "litellm"
    if not exe.exists():
        print("LiteLLM is not installed in bench/.venv: run `make bench` (the column is left out)")
        return None, 0
    port = free_port()
    config = DATA / "litellm.yaml"
    config.write_text(
        "model_list:\n  - model_name: mock-model\n    litellm_params:\n"
        f"      model: openai/mock-model\n      api_base: {mock.url}\n      api_key: sk-mock\n"
        "litellm_settings:\n  telemetry: false\n"
    )
    env = dict(os.environ, LITELLM_TELEMETRY="False", LITELLM_LOG="ERROR", NO_DOCKER="1")
    process = subprocess.Popen(
        [str(exe), "--config", str(config), "--port", str(port), "--num_workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not port_open(port):
        if time.monotonic() > deadline or process.poll() is not None:
            print("LiteLLM's proxy did not start (the column is left out)")
            process.kill()
            return None, 0
        time.sleep(0.5)
    return process, port


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=64, help="requests per round and concurrency")
    args = parser.parse_args()

    mock = CaptureUpstream().start()
    stack = Stack(DATA, Ports(), log_dir=DATA / "logs")
    stack.start(stack.redis())
    settings.REDIS_URL = stack.redis_url
    call_command("migrate", "--noinput", verbosity=0)
    provider = Provider(name="mock", tier="cloud", base_url=mock.url, model_names=["mock-model"])
    provider.set_api_key("sk-mock")
    provider.save()
    key = add_device("bench", "laptop", "cloud").key
    # The box's default keeps what is unknown at home; the bench measures the cloud path.
    HouseholdRule.objects.create(name="Everything may leave", conditions={}, actions={"max_tier": "cloud"})
    stack.start(stack.worker("classify", "prefork", 1))
    stack.start(stack.worker("upstream", "threads", 64))
    stack.start(stack.web())
    litellm, litellm_port = start_litellm(mock)

    targets = {
        "direct": (f"{mock.url}/chat/completions", {}),
        "hearth": (f"{stack.web_url}/v1/chat/completions", {"Authorization": f"Bearer {key}"}),
    }
    if litellm:
        targets["litellm"] = (f"http://127.0.0.1:{litellm_port}/v1/chat/completions", {"Authorization": "Bearer sk-mock"})
    try:
        for target in targets.values():  # warm up connections, JIT caches, worker threads
            asyncio.run(batch(*target, 4, 8))
        print(f"\n{args.rounds} interleaved rounds x {args.requests} streamed requests; times in ms\n")
        print("| upstream | conc. | via | TTFT p50 | TTFT p99 | total p50 | total p99 | chunks | +TTFT p50 vs direct |")
        print("|---|---|---|---|---|---|---|---|---|")
        for scenario, behaviour in SCENARIOS.items():
            mock.reset(**behaviour)
            for concurrency in (1, 16, 64):
                results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in targets}
                for _ in range(args.rounds):
                    for name, target in targets.items():
                        count = args.requests if concurrency > 1 else max(8, args.requests // 4)
                        results[name] += asyncio.run(batch(*target, concurrency, count))
                direct = statistics.median(r[0] for r in results["direct"])
                for name, rows in results.items():
                    ttft, total = [r[0] for r in rows], [r[1] for r in rows]
                    chunks = statistics.median(r[2] for r in rows)
                    added = statistics.median(ttft) - direct
                    print(
                        f"| {scenario} | {concurrency} | {name} | {pct(ttft, 0.5):.1f} | {pct(ttft, 0.99):.1f} | {pct(total, 0.5):.1f} | {pct(total, 0.99):.1f} | {chunks:.0f} | {added:+.1f} |"
                    )
                mock.requests.clear()
    finally:
        if litellm:
            litellm.terminate()
        stack.stop_all()
        mock.stop()


if __name__ == "__main__":
    main()
