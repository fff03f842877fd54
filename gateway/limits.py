"""Per-device request rates, counted in Redis."""

from __future__ import annotations

import time

from appliance.redis import sync_client


def over_rate(device_id: int, per_minute: int) -> bool:
    """Count one request of a device; return True when it is over its limit this minute."""
    if per_minute <= 0:
        return False
    key = f"hearth:rate:{device_id}:{int(time.time() // 60)}"
    with sync_client().pipeline(transaction=False) as pipe:
        pipe.incr(key)
        pipe.expire(key, 120)
        count = pipe.execute()[0]
    return int(count) > per_minute
