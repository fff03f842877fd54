"""Handing a request's screening from the classify worker to the worker serving it.

The serving worker takes the request at once and waits here while the request is
screened, so classification overlaps the serving worker's own preparation. The screening
is plain data (labels, span offsets, the decision), never a value, and expires soon.
"""

from __future__ import annotations

import json
from functools import cache

import redis
from django.conf import settings

from policies.screening import Screening

TTL_SECONDS = 600


@cache
def redis_client() -> redis.Redis:
    """Return this process's Redis client for policy state (handoffs, the rules' version)."""
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=None, socket_connect_timeout=5)


def _keys(request_id: str) -> tuple[str, str]:
    return f"hearth:req:{request_id}:screening", f"hearth:req:{request_id}:screened"


def publish(request_id: str, screening: Screening) -> None:
    """Store a request's screening and wake the worker waiting for it."""
    value_key, wake_key = _keys(request_id)
    with redis_client().pipeline(transaction=False) as pipe:
        pipe.set(value_key, json.dumps(screening), ex=TTL_SECONDS)
        pipe.rpush(wake_key, 1)
        pipe.expire(wake_key, TTL_SECONDS)
        pipe.execute()


def wait(request_id: str, timeout: float) -> Screening | None:
    """Return a request's screening, waiting up to `timeout` seconds; None if it never came.

    Read again after a wake-up, so a redelivered serving task finds it too.
    """
    value_key, wake_key = _keys(request_id)
    r = redis_client()
    raw = r.get(value_key)
    if raw is None:
        r.blpop([wake_key], timeout=timeout)
        raw = r.get(value_key)
    if raw is None:
        return None
    screening: Screening = json.loads(raw)
    return screening
