"""The dashboard's history: requests per day and tier over 14 days, on the household's clock, each bar a link to its rows."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from appliance import history
from appliance.models import Household
from gateway.models import AuditEvent


def asked(at: dt.datetime, tier: str, device: str = "tv", cost: str = "0") -> None:
    AuditEvent.objects.create(
        request_id=uuid.uuid4(),
        created_at=at,
        device_name=device,
        kind="chat",
        model_requested="m",
        tier=tier,
        outcome="ok",
        cost=Decimal(cost),
    )


def test_the_history_counts_each_tier_per_day_on_the_household_s_clock(owner: Any) -> None:
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=auckland)
    asked(dt.datetime(2026, 11, 27, 20, 0, tzinfo=dt.UTC), "cloud")  # Saturday 09:00 in Auckland
    asked(dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC), "home")  # Friday 22:00 there
    asked(dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC), "")  # refused
    asked(dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC), "home")  # 18 days before: outside the chart
    with timezone.override(auckland):
        found = history.history(14, now)
    assert len(found.days) == 14 and found.days[-1].day == dt.date(2026, 11, 28)
    saturday, friday = found.days[-1], found.days[-2]
    assert (saturday.counts["cloud"], saturday.total, saturday.left) == (1, 1, 1)
    assert (friday.counts["home"], friday.unanswered, friday.total) == (1, 1, 2)
    assert found.total == 3 and found.peak == 2


def test_each_bar_leads_to_the_audit_rows_behind_it(owner_client: Client) -> None:
    Household.objects.filter(pk=1).update(time_zone="Europe/Paris")
    yesterday = timezone.now() - dt.timedelta(days=1)
    asked(yesterday, "trusted", device="laptop")
    asked(yesterday, "home", device="kitchen")
    body = owner_client.get("/dashboard/").content.decode()
    links = re.findall(r'<a href="(/audit/\?[^"]*tier=trusted)"><rect', body)
    assert len(links) == 1
    table = owner_client.get(links[0].replace("&amp;", "&")).content.decode().split('id="audit-table"')[1].split("</table>")[0]
    assert table.count('class="when"') == 1 and "laptop" in table and "kitchen" not in table
    paris_day = yesterday.astimezone(zoneinfo.ZoneInfo("Europe/Paris")).date()
    assert f"since={paris_day}" in links[0], "the day is the household's"


def test_the_owner_picks_a_week_or_a_month_of_history(owner_client: Client) -> None:
    asked(timezone.now() - dt.timedelta(days=20), "cloud", device="laptop")  # in the month, not in the fortnight
    fortnight = owner_client.get("/dashboard/").content.decode()
    assert "The last 14 days" in fortnight and "No requests in the last 14 days." in fortnight
    assert 'href="?days=30#history">month</a>' in fortnight and 'href="?days=7#history">week</a>' in fortnight
    month = owner_client.get("/dashboard/?days=30").content.decode()
    assert "The last 30 days" in month and len(re.findall(r"tier=cloud\"><rect", month)) == 1
    assert '<strong aria-current="page">month</strong>' in month
    assert "The last 7 days" in owner_client.get("/dashboard/?days=7").content.decode()


def test_a_range_the_dashboard_does_not_offer_shows_the_usual_fortnight(owner_client: Client) -> None:
    for days in ("365", "-1", "x", "7.5", ""):
        assert "The last 14 days" in owner_client.get("/dashboard/", {"days": days}).content.decode()


def test_an_empty_history_says_so(owner_client: Client) -> None:
    assert "No requests in the last 14 days." in owner_client.get("/dashboard/").content.decode()


def test_the_tiles_lead_to_the_audit_rows_they_count(owner_client: Client) -> None:
    asked(timezone.now(), "cloud", device="laptop")
    body = owner_client.get("/dashboard/").content.decode()
    today = timezone.localdate()
    assert f'href="/audit/?since={today}&amp;until={today}&amp;tier=cloud">cloud: 1</a>' in body
    assert '<a href="/audit/?outcome=pending">0</a>' in body


def test_spend_is_shown_in_the_household_s_currency(owner_client: Client) -> None:
    Household.objects.filter(pk=1).update(currency="EUR")
    asked(timezone.now(), "cloud", cost="1.25")
    assert 'id="spend">€1.25<' in owner_client.get("/dashboard/").content.decode()
    Household.objects.filter(pk=1).update(currency="CHF")
    assert 'id="spend">CHF 1.25<' in owner_client.get("/dashboard/").content.decode()
