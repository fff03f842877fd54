"""The Redis clients a process shares: one blocking client, and one per event loop."""

from __future__ import annotations

import asyncio
import threading
from functools import cache

import redis
import redis.asyncio as aioredis
from django.conf import settings

_local = threading.local()


@cache
def sync_client() -> redis.Redis:
    """Return this process's client for short commands (not for blocking pops)."""
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5)


def async_client() -> aioredis.Redis:
    """Return a client bound to the running event loop (one per loop and thread)."""
    loop = asyncio.get_running_loop()
    cached = getattr(_local, "client", None)
    if cached is None or cached[0] is not loop:
        # No socket timeout: blocking pops wait server-side for as long as they were told to.
        client = aioredis.Redis.from_url(
            settings.REDIS_URL, max_connections=1024, health_check_interval=30, socket_timeout=None, socket_connect_timeout=5
        )
        _local.client = cached = (loop, client)
    return cached[1]
