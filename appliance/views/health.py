"""Health of the box, for service managers."""

from __future__ import annotations

import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse


def _db_ok() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return bool(cursor.fetchone() == (1,))


async def healthz(request: HttpRequest) -> HttpResponse:
    """Report whether the database and Redis answer; for service managers and the image test."""
    checks: dict[str, str] = {}
    try:
        checks["database"] = "ok" if await sync_to_async(_db_ok)() else "failed"
    except Exception:  # noqa: BLE001
        checks["database"] = "failed"
    try:
        client = aioredis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        await client.ping()
        await client.aclose()
        checks["redis"] = "ok"
    except Exception:  # noqa: BLE001
        checks["redis"] = "failed"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": checks}, status=200 if healthy else 503)
