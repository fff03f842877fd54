"""What the edge's limits (appliance.edge.EdgeProtocol, appliance.asgi.BodyLimit) add to a request.

The same small ASGI app (reads the body, answers 200) is served by uvicorn twice: with its
own httptools protocol and no body guard, and as the web process serves it (the edge's
protocol and the body guard with its timeouts). Both are called in interleaved rounds over
kept-alive connections, a small POST body each; prints p50 and p99 per request.

    python bench/edge.py [--rounds N] [--requests N] [--concurrency N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appliance.plumbing.stack import free_port, http_ok

SERVER = """
import os, sys, django, uvicorn
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appliance.settings")
django.setup()

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({{"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}})
    await send({{"type": "http.response.body", "body": b'{{"ok": true}}'}})

if {edge!r}:
    from appliance.asgi import BodyLimit
    from appliance.edge import EdgeProtocol
    served, http = BodyLimit(app, 16 * 1024 * 1024), EdgeProtocol
else:
    served, http = app, "httptools"
uvicorn.run(served, port={port}, loop="uvloop", http=http, lifespan="off", access_log=False, log_level="warning",
            limit_concurrency=512 if {edge!r} else None)
"""

BODY = b'{"model": "hearth-auto", "messages": [{"role": "user", "content": "What is the capital of France?"}]}'


def start(edge: bool) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", SERVER.format(root=str(ROOT), edge=edge, port=port)], env=os.environ.copy())
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not http_ok(url + "/")():
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("the server did not start")
        time.sleep(0.1)
    return process, url


async def round_of(url: str, requests: int, concurrency: int) -> list[float]:
    times: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits) as client:

        async def one() -> None:
            started = time.perf_counter()
            response = await client.post("/v1/chat/completions", content=BODY, headers={"Content-Type": "application/json"})
            times.append(time.perf_counter() - started)
            assert response.status_code == 200

        for start_at in range(0, requests, concurrency):
            await asyncio.gather(*(one() for _ in range(min(concurrency, requests - start_at))))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    servers = {"uvicorn's httptools, no guard": start(False), "the edge (limits and timeouts)": start(True)}
    try:
        results: dict[str, list[float]] = {name: [] for name in servers}
        for _ in range(args.rounds):
            for name, (_, url) in servers.items():
                results[name] += asyncio.run(round_of(url, args.requests, args.concurrency))
        print(f"{args.rounds} rounds x {args.requests} POSTs, {args.concurrency} at a time, kept-alive connections\n")
        print(f"| {'server':32} | p50 ms | p99 ms | requests/s |")
        print(f"|{'-' * 34}|--------|--------|------------|")
        for name, times in results.items():
            times.sort()
            p50, p99 = statistics.median(times), times[int(len(times) * 0.99)]
            rate = len(times) * args.concurrency / sum(times)
            print(f"| {name:32} | {p50 * 1000:6.2f} | {p99 * 1000:6.2f} | {rate:10.0f} |")
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(10)


if __name__ == "__main__":
    main()
