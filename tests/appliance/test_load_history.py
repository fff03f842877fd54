"""The home GPU's load and queue over time: sampled each minute, a day's chart on the dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.utils import timezone

from appliance import load
from appliance.models import LoadSample

pytestmark = pytest.mark.django_db


def test_a_sample_records_the_requests_waiting_for_the_home_engine() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("home")
    client.rpush("home", b"a", b"b", b"c")
    try:
        row = load.sample()
    finally:
        client.delete("home")
    assert row.home_queue == 3
    assert row.gpu_percent is None, "this machine has no NVIDIA GPU: no load is made up"


def test_samples_older_than_a_week_are_forgotten() -> None:
    now = timezone.now()
    LoadSample.objects.create(at=now - dt.timedelta(days=9), gpu_percent=50, home_queue=1)
    LoadSample.objects.create(at=now - dt.timedelta(days=2), gpu_percent=60, home_queue=2)
    load.sample(now)
    assert sorted(LoadSample.objects.values_list("gpu_percent", flat=True), key=lambda v: v or 0) == [None, 60]


def test_a_quarter_hour_shows_the_average_load_and_the_longest_queue() -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    quarter = now.replace(minute=now.minute - now.minute % 15) - dt.timedelta(hours=1)
    for minute, gpu, queue in [(0, 20, 0), (5, 40, 4), (10, 90, 1)]:
        LoadSample.objects.create(at=quarter + dt.timedelta(minutes=minute), gpu_percent=gpu, home_queue=queue)
    chart = load.chart(now=now)
    slot = next(s for s in chart.slots if s.start == timezone.localtime(quarter))
    assert (slot.gpu_percent, slot.queue) == (50, 4)
    assert "GPU 50 %" in slot.title and "at most 4 waiting" in slot.title
    assert chart.peak_queue == 4 and len(chart.slots) == 96


def test_the_dashboard_draws_the_days_load_and_says_the_weeks_peaks(owner_client: Client) -> None:
    now = timezone.now()
    LoadSample.objects.create(at=now - dt.timedelta(minutes=20), gpu_percent=70, home_queue=5)
    LoadSample.objects.create(at=now - dt.timedelta(days=3), gpu_percent=30, home_queue=1)
    body = owner_client.get("/dashboard/").content.decode()
    section = body[body.index('id="load"') :]
    section = section[: section.index("</article>")]
    assert 'class="bar bar-gpu"' in section and 'class="bar bar-queue"' in section
    assert "GPU 70 %, at most 5 waiting" in section
    assert "the GPU 50% busy on average, 70% at most; at most 5 waiting" in section


def test_a_box_never_sampled_says_so_instead_of_an_empty_chart(owner_client: Client) -> None:
    body = owner_client.get("/dashboard/").content.decode()
    assert "Not sampled yet" in body and 'class="chart load"' not in body
