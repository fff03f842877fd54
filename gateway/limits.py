"""Per-device request rates, counted in Redis."""

from __future__ import annotations

import time
from typing import Any

import redis


def _key(device_id: int) -> str:
    return f"hearth:rate:{device_id}:{int(time.time() // 60)}"


def count(pipe: redis.client.Pipeline, device_id: int, peek: bool = False) -> None:
    """Add to a pipeline: count one request of a device this minute (`peek`: only read the
    count). Its result, read with `counted`, is the first this adds."""
    key = _key(device_id)
    if peek:
        pipe.get(key)
        return
    pipe.incr(key)
    pipe.expire(key, 120)


def counted(value: Any) -> int:
    """The count from the first result `count` added to a pipeline."""
    return int(value or 0)
