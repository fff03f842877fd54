"""The dashboard's fallbacks per hour in a real browser: the row under the history, and a bar that opens its rows."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from gateway.models import AuditEvent
from gateway.services import Result, close_audit
from tests.browser.test_devices_and_history import sign_in
from tests.conftest import Live


def answered(at: dt.datetime, reason: str, provider: str) -> None:
    request_id = str(uuid.uuid4())
    AuditEvent.objects.create(request_id=request_id, created_at=at, device_name="laptop", kind="chat", model_requested="m")
    close_audit(request_id, Result("ok", reason=reason, tier="trusted" if provider != "home" else "home", provider_name=provider))


def test_the_dashboard_shows_fallbacks_per_hour_and_a_bar_opens_the_rows_that_fell_back(
    transactional_db: None, page: Page, live: Live, owner: Any, screenshot: Callable[[Page, str], Path]
) -> None:
    now = timezone.now()
    for hours_ago, n in [(2, 3), (5, 1), (30, 2), (100, 4)]:
        for _ in range(n):
            answered(now - dt.timedelta(hours=hours_ago), "fell back: cloudy: the provider answered HTTP 503", "mistral-eu")
    answered(now - dt.timedelta(hours=5), "fell back: openai-x: the provider refused the connection", "home")
    for hours_ago in (1, 2, 30, 100):
        answered(now - dt.timedelta(hours=hours_ago), "", "mistral-eu")
    sign_in(page, "/dashboard/")

    strip = page.locator("#history svg.chart #fallbacks-band")
    expect(strip.locator("rect.bar-fallback")).to_have_count(4)
    expect(page.locator("#fell-back-from")).to_have_text("fell back from cloudy ×10, openai-x ×1")
    expect(page.locator("#fallbacks")).to_contain_text("11 in all")
    page.locator("#history").scroll_into_view_if_needed()
    screenshot(page, "dashboard-fallbacks")

    strip.locator("a", has=page.locator("rect.bar-fallback")).last.click()
    expect(page).to_have_url(re.compile(r"/audit/\?since=\d{4}-\d\d-\d\d&until=\d{4}-\d\d-\d\d&q=fell\+back$"))
    expect(page.locator("#audit-table tbody tr").first).to_contain_text("mistral-eu")
