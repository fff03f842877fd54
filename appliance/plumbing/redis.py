"""The Redis clients a process shares: one blocking client, and one per event loop."""

from __future__ import annotations

import asyncio
import secrets
import threading
from functools import cache

import redis
import redis.asyncio as aioredis
import redis.asyncio.retry
import redis.retry
from django.conf import settings
from redis.backoff import ExponentialBackoff

_local = threading.local()

# After Redis restarts, every pooled connection is dead: a command that meets one
# reconnects and runs again instead of failing, and while Redis is away a command keeps
# trying for about 1.5 s, then fails (the API answers 503: gateway.views).
BROKEN = (redis.ConnectionError, redis.TimeoutError)
BACKOFF = ExponentialBackoff(cap=0.8, base=0.05)
RETRIES = 5


@cache
def sync_client() -> redis.Redis:
    """Return this process's client for short commands (not for blocking pops)."""
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30,
        retry=redis.retry.Retry(BACKOFF, RETRIES), retry_on_error=list(BROKEN),
    )  # fmt: skip


def async_client() -> aioredis.Redis:
    """Return a client bound to the running event loop (one per loop and thread)."""
    loop = asyncio.get_running_loop()
    cached = getattr(_local, "client", None)
    if cached is None or cached[0] is not loop:
        # No socket timeout: blocking pops wait server-side for as long as they were told to.
        client = aioredis.Redis.from_url(
            settings.REDIS_URL, max_connections=1024, health_check_interval=30, socket_timeout=None, socket_connect_timeout=5,
            retry=redis.asyncio.retry.Retry(BACKOFF, RETRIES), retry_on_error=list(BROKEN),
        )  # fmt: skip
        _local.client = cached = (loop, client)
    return cached[1]


EPOCH_KEY = "hearth:epoch"  # set anew after every Redis start (it keeps nothing on disk)


def epoch(value: bytes | None) -> str:
    """Return Redis's epoch from a GET of EPOCH_KEY, setting a new one when it had none."""
    if value is not None:
        return value.decode()
    client = sync_client()
    client.set(EPOCH_KEY, secrets.token_hex(8), nx=True)
    found = client.get(EPOCH_KEY)
    return found.decode() if isinstance(found, bytes) else ""
