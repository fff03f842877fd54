"""The dashboard's history: requests per day and tier, on the household's clock, drawn as SVG.

Drawn on the server as plain SVG attributes: the pages' content security policy allows no
inline style or script, and a chart this small needs no library.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import dateformat, timezone
from django.utils.translation import pgettext_lazy

from gateway.models import AuditEvent

SERIES = ("home", "trusted", "cloud", "")  # "": not answered by any tier (refused, blocked, failed, pending)
# The tiers in words, as the chart's legend says them (context "tier": a place requests go, not a house).
SERIES_NAMES = {
    "home": pgettext_lazy("tier", "home"),
    "trusted": pgettext_lazy("tier", "trusted"),
    "cloud": pgettext_lazy("tier", "cloud"),
    "": pgettext_lazy("tier", "not answered"),
}
WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 700, 220, 12, 34, 34


@dataclass(frozen=True)
class Bar:
    tier: str
    name: str
    n: int
    x: float
    y: float
    width: float
    height: float
    href: str


@dataclass(frozen=True)
class Day:
    day: dt.date
    label: str
    counts: dict[str, int]
    total: int
    left: int  # answered outside the house: trusted and cloud
    href: str
    label_x: float

    @property
    def unanswered(self) -> int:
        return self.counts[""]


@dataclass(frozen=True)
class History:
    days: list[Day]
    bars: list[Bar]
    peak: int
    zone: str
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def total(self) -> int:
        return sum(d.total for d in self.days)

    @property
    def axis_y(self) -> int:
        return HEIGHT - BOTTOM

    @property
    def peak_y(self) -> int:
        return TOP


def audit_link(day: dt.date, tier: str = "") -> str:
    """Return the audit log's address for one day's rows (of one tier), in the household's days."""
    query = {"since": day.isoformat(), "until": day.isoformat()}
    if tier:
        query["tier"] = tier
    return "/audit/?" + urlencode(query)


def history(days: int = 14, now: dt.datetime | None = None) -> History:
    """Return requests per day and tier for the last `days` days, today included."""
    zone = timezone.get_current_timezone()
    today = timezone.localtime(now, zone).date()
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    counted: dict[dt.date, dict[str, int]] = {}
    rows = (
        AuditEvent.objects.filter(created_at__gte=start)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day", "tier")
        .annotate(n=Count("id"))
    )
    for row in rows:
        tier = row["tier"] if row["tier"] in SERIES else ""
        per_day = counted.setdefault(row["day"], {})
        per_day[tier] = per_day.get(tier, 0) + row["n"]
    plot_w = WIDTH - LEFT
    slot = plot_w / days
    bar_w = slot * 0.7
    listed: list[Day] = []
    totals = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        counts = {tier: counted.get(day, {}).get(tier, 0) for tier in SERIES}
        total = sum(counts.values())
        totals.append(total)
        # Django's formats name the day in the page's language ("Mo 07"); strftime only in the C locale's.
        label = dateformat.format(day, "D d") if days <= 14 else dateformat.format(day, "d")
        listed.append(Day(day, label, counts, total, counts["trusted"] + counts["cloud"], audit_link(day), LEFT + slot * i + slot / 2))
    peak = max(totals, default=0)
    bars: list[Bar] = []
    scale = (HEIGHT - TOP - BOTTOM) / peak if peak else 0.0
    for i, d in enumerate(listed):
        base = float(HEIGHT - BOTTOM)
        for tier in SERIES:
            n = d.counts[tier]
            if not n:
                continue
            h = n * scale
            base -= h
            name = str(SERIES_NAMES[tier])  # in the language of the page drawing it
            bars.append(
                Bar(
                    tier or "none",
                    name,
                    n,
                    round(LEFT + slot * i + (slot - bar_w) / 2, 1),
                    round(base, 1),
                    round(bar_w, 1),
                    round(h, 1),
                    audit_link(d.day, tier),
                )
            )
    return History(listed, bars, peak, str(zone))
