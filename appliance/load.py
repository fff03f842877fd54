"""The home GPU's load and queue over time: a sample a minute, a day's chart in quarter hours.

The dashboard shows now; this shows whether the box is often busy, the owner's question
before adding a device or a bigger model. Samples are counts and percentages only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db.models import Avg, Max
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from . import hardware
from .models import LoadSample

KEEP = dt.timedelta(days=8)
BUCKET = dt.timedelta(minutes=15)
WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 700, 120, 10, 22, 34


def sample(now: dt.datetime | None = None) -> LoadSample:
    """Record the home GPU's load and the home queue now, and forget samples older than a week."""
    now = now or timezone.now()
    gpus, _note = hardware.gpus()
    loads = [g.load_percent for g in gpus if g.load_percent is not None]
    used = [g.used_mib for g in gpus if g.used_mib is not None]
    queue: int | None
    try:
        queue = int(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).llen("home"))
    except redis.RedisError:
        queue = None
    row = LoadSample.objects.create(
        at=now, gpu_percent=max(loads) if loads else None, vram_used_mib=sum(used) if used else None, home_queue=queue
    )
    LoadSample.objects.filter(at__lt=now - KEEP).delete()
    return row


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    gpu_percent: int | None  # the quarter hour's average
    queue: int | None  # its longest queue
    x: float
    width: float
    gpu_y: float
    gpu_height: float
    queue_x: float  # the queue's bar is the narrower one, in the middle of the GPU's
    queue_width: float
    queue_y: float
    queue_height: float
    title: str


@dataclass(frozen=True)
class LoadChart:
    slots: list[Slot]
    peak_queue: int
    has_gpu: bool
    ticks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def sampled(self) -> bool:
        return any(s.gpu_percent is not None or s.queue is not None for s in self.slots)

    @property
    def axis_y(self) -> int:
        return HEIGHT - BOTTOM


def chart(hours: int = 24, now: dt.datetime | None = None) -> LoadChart:
    """Return the last `hours` in quarter hours: the GPU's average load and the longest home queue."""
    now = timezone.localtime(now or timezone.now())
    end = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0) + BUCKET
    count = hours * 4
    start = end - BUCKET * count
    rows = LoadSample.objects.filter(at__gte=start, at__lt=end).values_list("at", "gpu_percent", "home_queue")
    per: dict[int, tuple[list[int], list[int]]] = {}
    for at, gpu, queue in rows:
        i = int((at - start) / BUCKET)
        loads, queues = per.setdefault(i, ([], []))
        if gpu is not None:
            loads.append(gpu)
        if queue is not None:
            queues.append(queue)
    peak = max((max(q) for _l, q in per.values() if q), default=0)
    plot_h = HEIGHT - TOP - BOTTOM
    slot_w = (WIDTH - LEFT) / count
    slots, ticks = [], []
    for i in range(count):
        began = timezone.localtime(start + BUCKET * i)
        loads, queues = per.get(i, ([], []))
        gpu = round(sum(loads) / len(loads)) if loads else None
        queue = max(queues) if queues else None
        gpu_h = plot_h * (gpu or 0) / 100
        queue_h = plot_h * (queue or 0) / peak if peak else 0.0
        x = LEFT + slot_w * i
        when = f"{dateformat.format(began, 'H:i')}–{dateformat.format(began + BUCKET, 'H:i')}"
        if gpu is None and queue is None:
            title = _("%(when)s: not sampled") % {"when": when}
        elif gpu is None:
            title = _("%(when)s: at most %(queue)d waiting") % {"when": when, "queue": queue}
        else:
            title = _("%(when)s: GPU %(gpu)d %%, at most %(queue)s waiting") % {
                "when": when,
                "gpu": gpu,
                "queue": "–" if queue is None else queue,
            }
        slots.append(
            Slot(began, gpu, queue, round(x, 1), round(slot_w * 0.8, 1), round(TOP + plot_h - gpu_h, 1), round(gpu_h, 1),
                 round(x + slot_w * 0.2, 1), round(slot_w * 0.4, 1), round(TOP + plot_h - queue_h, 1), round(queue_h, 1), title)
        )  # fmt: skip
        if began.minute == 0 and began.hour % 6 == 0:
            ticks.append((round(x, 1), dateformat.format(began, "H:i")))
    return LoadChart(slots, peak, any(loads for loads, _q in per.values()), ticks)


def week_peaks(now: dt.datetime | None = None) -> dict[str, int | None]:
    """Return the week's highest GPU load and longest queue, for a line under the chart."""
    since = (now or timezone.now()) - dt.timedelta(days=7)
    got = LoadSample.objects.filter(at__gte=since).aggregate(gpu=Max("gpu_percent"), queue=Max("home_queue"), avg=Avg("gpu_percent"))
    return {"gpu": got["gpu"], "queue": got["queue"], "avg": None if got["avg"] is None else round(got["avg"])}
