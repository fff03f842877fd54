"""What the dashboard shows: read-only figures from the audit log, Redis and the GPU."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import redis
from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone

from gateway.models import AuditEvent, Provider
from gateway.router import state_key

from . import hardware
from .models import Household, Privacy


@dataclass(frozen=True)
class ProviderHealth:
    name: str
    tier: str
    healthy: bool
    latency_ms: int | None
    inflight: int


@dataclass(frozen=True)
class Figures:
    in_flight: int
    in_flight_by_device: list[Any]
    today_total: int
    today_by_tier: list[Any]
    today_by_device: list[Any]
    device_names_shown: bool
    left_house: int
    left_to: list[str]
    redacted: dict[str, int]
    spend_month: Decimal
    gpus: list[hardware.Gpu]
    gpu_note: str
    home_queue: int | None
    providers: list[ProviderHealth] = field(default_factory=list)
    taken_at: str = ""


def figures() -> Figures:
    """Return the dashboard's figures now."""
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    today = AuditEvent.objects.filter(created_at__gte=midnight)
    outside = today.filter(tier__in=["trusted", "cloud"])
    redacted: Counter[str] = Counter()
    for counts in outside.exclude(redactions={}).values_list("redactions", flat=True)[:5000]:
        redacted.update({str(k): int(v) for k, v in counts.items()})
    month = AuditEvent.objects.filter(created_at__gte=midnight.replace(day=1)).exclude(tier__in=["home", ""])
    pending = AuditEvent.objects.filter(outcome="pending")
    household = Household.objects.filter(pk=1).first()
    names = household is None or household.privacy == Privacy.FULL
    gpus, note = hardware.gpus()
    queue: int | None
    health: list[ProviderHealth] = []
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1)
        queue = int(client.llen("home"))
        for p in Provider.objects.filter(enabled=True):
            raw: dict[bytes, bytes] = client.hgetall(state_key(p.pk))  # type: ignore[assignment]
            state = {k.decode(): v.decode() for k, v in raw.items()}
            health.append(
                ProviderHealth(
                    p.name,
                    p.tier,
                    float(state.get("fail_until", 0) or 0) < time.time(),
                    int(float(state["ewma_ms"])) if state.get("ewma_ms") else None,
                    int(state.get("inflight", 0) or 0),
                )
            )
    except redis.RedisError:
        queue = None
    return Figures(
        in_flight=pending.count(),
        in_flight_by_device=list(pending.values("device_name").annotate(n=Count("id")).order_by("-n")[:5]) if names else [],
        today_total=today.count(),
        today_by_tier=list(today.values("tier").annotate(n=Count("id")).order_by("-n")),
        # The household's privacy level hides device names here as in the audit log.
        today_by_device=list(today.values("device_name").annotate(n=Count("id")).order_by("-n")[:10]) if names else [],
        device_names_shown=names,
        left_house=outside.count(),
        left_to=sorted(set(outside.values_list("provider_name", flat=True))),
        redacted=dict(redacted.most_common()),
        spend_month=month.aggregate(total=Sum("cost"))["total"] or Decimal(0),
        gpus=gpus,
        gpu_note=note,
        home_queue=queue,
        providers=health,
        taken_at=now.strftime("%H:%M:%S"),
    )
