"""Word between the steps of a request: its audit row is written, and it was screened.

The web process writes a request's audit row while the classify worker screens it, so
the two overlap; the serving worker sends nothing before the row exists, and waits here
for word of it in the rare case it comes after the screening. Only flags live here, never
a value, and they expire soon.
"""

from __future__ import annotations

import time
from functools import cache

import redis
import redis.retry
from django.conf import settings

from appliance.plumbing.redis import BACKOFF, BROKEN, RETRIES

TTL_SECONDS = 600
AUDITED, UNRECORDED = b"audited", b"unrecorded"  # what wakes a worker waiting for the row


@cache
def redis_client() -> redis.Redis:
    """Return this process's Redis client for the handoff flags."""
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=None, socket_connect_timeout=5,
        retry=redis.retry.Retry(BACKOFF, RETRIES), retry_on_error=list(BROKEN),
    )  # fmt: skip


def audited_key(request_id: str) -> str:
    return f"hearth:req:{request_id}:audited"


def _wake_key(request_id: str) -> str:
    return f"hearth:req:{request_id}:row"


def _screened_key(request_id: str) -> str:
    return f"hearth:req:{request_id}:screened"


def audited(*request_ids: str) -> None:
    """Say that these requests' audit rows are written, and wake the workers waiting for them."""
    _say(AUDITED, request_ids)


def unrecorded(request_id: str) -> None:
    """Say that a request's audit row could not be written: it must not be served."""
    _say(UNRECORDED, (request_id,))


def _say(news: bytes, request_ids: tuple[str, ...]) -> None:
    with redis_client().pipeline(transaction=False) as pipe:
        for request_id in request_ids:
            pipe.set(audited_key(request_id), news, ex=TTL_SECONDS)
            pipe.rpush(_wake_key(request_id), news)
            pipe.expire(_wake_key(request_id), TTL_SECONDS)
        pipe.execute()


def wait_audited(request_id: str, timeout: float) -> bool:
    """Return True once the request's audit row is written, False if it could not be or
    no word came within `timeout` seconds."""
    r = redis_client()
    deadline = time.monotonic() + timeout
    news = r.get(audited_key(request_id))
    while news is None:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        popped = r.blpop([_wake_key(request_id)], timeout=max(left, 0.01))
        news = popped[1] if popped is not None else r.get(audited_key(request_id))
    return news == AUDITED


def mark_screened(pipe: redis.client.Pipeline, request_id: str) -> None:
    """Add to a pipeline: the request was screened and its serving task queued."""
    pipe.set(_screened_key(request_id), 1, ex=TTL_SECONDS)


def was_screened(request_id: str) -> bool:
    return bool(redis_client().exists(_screened_key(request_id)))
