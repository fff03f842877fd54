"""Handing a request over to the worker serving it: its screening, and word of its audit row.

The serving worker takes the request at once and waits here while the classify worker
screens it and the web process writes its audit row, so both overlap the serving worker's
own preparation. The screening is plain data (labels, span offsets, the decision), never
a value, and expires soon. Nothing is sent anywhere before the audit row exists.
"""

from __future__ import annotations

import json
import time
from functools import cache

import redis
from django.conf import settings

from policies.screening import Screening

TTL_SECONDS = 600


@cache
def redis_client() -> redis.Redis:
    """Return this process's Redis client for policy state (handoffs, the rules' version)."""
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=None, socket_connect_timeout=5)


class NotAudited(Exception):
    """The request's audit row was never written: it must not be served."""


def _keys(request_id: str) -> tuple[str, str, str]:
    prefix = f"hearth:req:{request_id}"
    return f"{prefix}:screening", f"{prefix}:audited", f"{prefix}:screened"


AUDITED = b"audited"  # what wakes a waiting worker when the audit row is written


def _wake(pipe: redis.client.Pipeline, wake_key: str, news: bytes) -> None:
    pipe.rpush(wake_key, news)
    pipe.expire(wake_key, TTL_SECONDS)


def publish(request_id: str, screening: Screening) -> None:
    """Store a request's screening and wake the worker waiting for it, handing it over."""
    value_key, _, wake_key = _keys(request_id)
    raw = json.dumps(screening).encode()
    with redis_client().pipeline(transaction=False) as pipe:
        pipe.set(value_key, raw, ex=TTL_SECONDS)
        _wake(pipe, wake_key, raw)
        pipe.execute()


def audited(*request_ids: str) -> None:
    """Say that these requests' audit rows are written, and wake the workers waiting for them."""
    with redis_client().pipeline(transaction=False) as pipe:
        for request_id in request_ids:
            _, audited_key, wake_key = _keys(request_id)
            pipe.set(audited_key, 1, ex=TTL_SECONDS)
            _wake(pipe, wake_key, AUDITED)
        pipe.execute()


def wait(request_id: str, timeout: float) -> Screening | None:
    """Return a request's screening once its audit row is written too, waiting up to `timeout`
    seconds; None if the screening never came. Raises NotAudited if the row never was.

    A wake-up carries its news (the screening itself, or word of the row), so the last one
    costs no further round trip; both are also stored, so a redelivered serving task finds
    them, and a waiter whose wake-up another copy took reads them again.
    """
    value_key, audited_key, wake_key = _keys(request_id)
    r = redis_client()
    deadline = time.monotonic() + timeout
    raw, row = r.mget(value_key, audited_key)
    while raw is None or row is None:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        popped = r.blpop([wake_key], timeout=max(left, 0.01))
        if popped is not None:
            news = popped[1]
            raw, row = (raw, news) if news == AUDITED else (news, row)
        if raw is None or row is None:
            raw, row = r.mget(value_key, audited_key)
    if row is None:
        raise NotAudited(request_id)
    if raw is None:
        return None
    screening: Screening = json.loads(raw)
    return screening
