"""What the dashboard shows: read-only figures from the audit log, Redis and the GPU."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import redis
from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import TruncHour
from django.utils import dateformat, timezone
from django.utils.translation import ngettext, pgettext

from gateway.models import AuditEvent, Provider
from gateway.router import state_key

from . import hardware, history
from .models import Household, Privacy
from .services import notices

FELL_BACK = "fell back"  # how an answered request's audit row begins when another provider answered (gateway.worker)


@dataclass(frozen=True)
class ProviderHealth:
    name: str
    tier: str
    healthy: bool
    latency_ms: int | None
    inflight: int
    down_since: str = ""  # "14:02": failing without an answer since then (appliance.services.notices)

    @property
    def tier_name(self) -> str:
        """Return the provider's tier in words."""
        return tier_name(self.tier)


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
    fell_back_today: int = 0


def tier_name(tier: str) -> str:
    """Return a tier in words in the page's language ("refused" for a request no tier answered)."""
    if not tier:
        return pgettext("tier", "refused")
    return str(history.SERIES_NAMES[tier]) if tier in history.SERIES_NAMES else tier


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
            since = notices.outage_start({k: float(v) for k, v in state.items()}, time.time())
            health.append(
                ProviderHealth(
                    p.name,
                    p.tier,
                    float(state.get("fail_until", 0) or 0) < time.time(),
                    int(float(state["ewma_ms"])) if state.get("ewma_ms") else None,
                    int(state.get("inflight", 0) or 0),
                    "" if since is None else timezone.localtime(dt.datetime.fromtimestamp(since, dt.UTC)).strftime("%H:%M"),
                )
            )
    except redis.RedisError:
        queue = None
    return Figures(
        in_flight=pending.count(),
        in_flight_by_device=list(pending.values("device_name").annotate(n=Count("id")).order_by("-n")[:5]) if names else [],
        today_total=today.count(),
        today_by_tier=[{**t, "name": tier_name(t["tier"])} for t in today.values("tier").annotate(n=Count("id")).order_by("-n")],
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
        fell_back_today=today.filter(reason__startswith=FELL_BACK).count(),
    )


# --- Fallbacks per hour: a band of the history's chart, under its days ----------------------

STRIP_HEIGHT, STRIP_TOP, STRIP_BOTTOM = 56, 8, 4


@dataclass(frozen=True)
class HourBar:
    n: int
    title: str
    x: float
    y: float
    width: float
    height: float
    href: str


@dataclass(frozen=True)
class FallbackDay:
    day: dt.date
    n: int
    busiest: str  # the hour with most fallbacks that day, "14:00"
    href: str


@dataclass(frozen=True)
class Fallbacks:
    days: list[FallbackDay]
    bars: list[HourBar]
    peak: int  # the most fallbacks in one hour
    fell_back_from: list[tuple[str, int]]  # providers that did not answer first, and how often; empty when names are hidden
    names_shown: bool
    width: int = history.WIDTH

    @property
    def total(self) -> int:
        return sum(d.n for d in self.days)

    @property
    def axis_y(self) -> int:
        return STRIP_HEIGHT - STRIP_BOTTOM

    @property
    def top(self) -> int:
        """Where the band begins in the history's chart: under its day labels, on the same x scale."""
        return history.HEIGHT

    @property
    def chart_height(self) -> int:
        """The history chart's height with this band under it (none when nothing fell back)."""
        return history.HEIGHT + (STRIP_HEIGHT if self.total else 0)


def fallback_link(day: dt.date) -> str:
    """Return the audit log's address for one day's rows that fell back."""
    return "/audit/?" + urlencode({"since": day.isoformat(), "until": day.isoformat(), "q": FELL_BACK})


def fell_back_from(reason: str) -> list[str]:
    """Return the providers an audit row says did not answer first ("fell back: a: why; b: why")."""
    return [part.partition(": ")[0] for part in reason.removeprefix(FELL_BACK + ": ").split("; ") if ": " in part]


def fallbacks(days: int = 14, now: dt.datetime | None = None) -> Fallbacks:
    """Return answered requests that fell back, per hour of the household's clock, for the history's days."""
    zone = timezone.get_current_timezone()
    first = timezone.localtime(now, zone).date() - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    rows = AuditEvent.objects.filter(created_at__gte=start, reason__startswith=FELL_BACK)
    per_hour: Counter[tuple[dt.date, int]] = Counter()
    for row in rows.annotate(hour=TruncHour("created_at", tzinfo=zone)).values("hour").annotate(n=Count("id")):
        local = timezone.localtime(row["hour"], zone)  # the two 01:00s of a day the clocks go back count as one hour
        per_hour[(local.date(), local.hour)] += row["n"]
    household = Household.objects.filter(pk=1).first()
    # Provider names are no device's: only "counts only" leaves them out, as it leaves out all but counts.
    names = household is None or household.privacy != Privacy.COUNTS_ONLY
    named: Counter[str] = Counter()
    if names:
        for reason in rows.values_list("reason", flat=True)[:5000]:
            named.update(set(fell_back_from(reason)))
    peak = max(per_hour.values(), default=0)
    slot = (history.WIDTH - history.LEFT) / days
    hour_w = slot / 24
    scale = (STRIP_HEIGHT - STRIP_TOP - STRIP_BOTTOM) / peak if peak else 0.0
    listed: list[FallbackDay] = []
    bars: list[HourBar] = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        hours = {h: n for (d, h), n in per_hour.items() if d == day}
        busiest = max(hours, key=lambda h: (hours[h], -h)) if hours else None
        listed.append(FallbackDay(day, sum(hours.values()), f"{busiest:02d}:00" if busiest is not None else "", fallback_link(day)))
        for h, n in sorted(hours.items()):
            height = n * scale
            bars.append(
                HourBar(
                    n,
                    # Translators: the same words for one request or many in English ("1 fell back, Mon 07 14:00–15:00").
                    ngettext("%(n)d fell back, %(day)s %(hours)s", "%(n)d fell back, %(day)s %(hours)s", n)
                    % {"n": n, "day": dateformat.format(day, "D d"), "hours": f"{h:02d}:00–{(h + 1) % 24:02d}:00"},
                    round(history.LEFT + slot * i + hour_w * h, 1),
                    round(STRIP_HEIGHT - STRIP_BOTTOM - height, 1),
                    round(max(hour_w * 0.8, 1.0), 1),
                    round(height, 1),
                    fallback_link(day),
                )
            )
    return Fallbacks(listed, bars, peak, named.most_common(), names)
