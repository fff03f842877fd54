"""Poison requests: one whose message kills its worker each time it is delivered.

acks_late gives a message whose worker died to the next worker, which is what saves a
request from a killed or restarted worker; a request that itself kills the worker (a
crash in a native library on its input) would then take every worker down in turn,
forever. Its redeliveries are counted, and past HEARTH_MAX_DELIVERIES the request is
answered with an error and its audit row closed as dead-lettered, which the owner sees
in the audit log. Only the request id and a count are kept.
"""

from __future__ import annotations

from appliance.plumbing.redis import sync_client

TTL_SECONDS = 3600


def redelivered(request_id: str, step: str) -> int:
    """Count one redelivery of a request's task; return how many deliveries it has had."""
    key = f"hearth:req:{request_id}:deliveries:{step}"
    with sync_client().pipeline(transaction=False) as pipe:
        pipe.incr(key)
        pipe.expire(key, TTL_SECONDS)
        count = pipe.execute()[0]
    return int(count) + 1  # the first delivery was not counted
