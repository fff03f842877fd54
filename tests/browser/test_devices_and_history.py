"""The devices page and the dashboard's history in a real browser, with real requests through the box."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest
from django.utils import timezone
from openai import OpenAI
from playwright.sync_api import Page, expect

from gateway.models import AuditEvent
from gateway.services import Result, close_audit
from tests.browser.conftest import sign_in
from tests.conftest import Live, PairedDevice, audited


def ask(live: Live, key: str) -> str | None:
    answer = OpenAI(base_url=live.api, api_key=key, max_retries=0).chat.completions.create(
        model="hearth-auto", messages=[{"role": "user", "content": "Say hi"}], max_tokens=4
    )
    return answer.choices[0].message.content


def test_the_dashboard_shows_the_days_requests_by_tier_and_a_bar_opens_its_rows(
    page: Page, live: Live, owner: Any, make_device: Callable[..., PairedDevice], screenshot: Callable[[Page, str], Path]
) -> None:
    laptop = make_device(max_tier="home")
    ask(live, laptop.key)
    ask(live, laptop.key)
    audited(laptop.device, count=2)
    for days_ago, tier in [(1, "cloud"), (1, "home"), (3, "trusted"), (6, "home")]:
        request_id = str(uuid.uuid4())
        at = timezone.now() - dt.timedelta(days=days_ago)
        AuditEvent.objects.create(request_id=request_id, created_at=at, device_name="older", kind="chat", model_requested="m")
        close_audit(request_id, Result("ok", tier=tier, provider_name=tier))
    sign_in(page, "/dashboard/")

    chart = page.locator("#history svg.chart")
    expect(chart.locator("rect.bar-home")).to_have_count(3)
    expect(chart.locator("rect.bar-home").last.locator("title")).to_have_text("2 home")
    page.locator("#history").scroll_into_view_if_needed()
    screenshot(page, "dashboard-history")

    chart.locator("a", has=page.locator("rect.bar-home")).last.click()
    expect(page).to_have_url(re.compile(r"/audit/\?since=\d{4}-\d\d-\d\d&until=\d{4}-\d\d-\d\d&tier=home$"))
    expect(page.locator("#audit-table tbody tr")).to_have_count(2)
    expect(page.locator("#audit-table")).to_contain_text(laptop.device.name)


def test_the_owner_renames_a_device_caps_its_tier_gives_it_a_new_key_and_revokes_it(
    page: Page, live: Live, owner: Any, make_device: Callable[..., PairedDevice], screenshot: Callable[[Page, str], Path]
) -> None:
    tv = make_device(max_tier="cloud", category="tv")
    assert ask(live, tv.key)
    audited(tv.device)
    sign_in(page, "/devices/")
    row = page.locator(f"#device-{tv.device.pk}")
    expect(row).to_contain_text("Cloud provider")
    expect(row.locator("td.num").first).to_have_text("1")
    screenshot(page, "devices-page")

    row.get_by_role("button", name="Change").click()
    page.fill("#id_name", "bedroom-tv")
    page.select_option("#id_category", "kids")
    page.select_option("#id_max_tier", "home")
    page.click("#device-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/devices/$"))
    expect(row).to_contain_text("bedroom-tv")
    expect(row).to_contain_text("Kids' device")
    expect(row).to_contain_text("Home (on the box)")

    row.get_by_role("button", name="Change").click()
    page.click("text=Give it a new key")
    new_key = page.locator("#device-key").inner_text()
    screenshot(page, "devices-new-key")
    assert new_key != tv.key and ask(live, new_key)
    with pytest.raises(openai.AuthenticationError):
        ask(live, tv.key)

    page.goto(f"/devices/{tv.device.pk}/")
    page.click("#revoke")
    expect(row).to_contain_text("revoked")
    with pytest.raises(openai.AuthenticationError):
        ask(live, new_key)


def test_a_device_that_asks_to_pair_is_approved_on_the_devices_page_and_answers_with_its_key(
    page: Page, live: Live, transactional_db: None, owner: Any, screenshot: Callable[[Page, str], Path]
) -> None:
    import httpx

    started = httpx.post(f"{live.api}/pair", json={"name": "hall-speaker", "kind": "generic"}, timeout=30).json()
    sign_in(page, "/devices/")
    waiting = page.locator("#pairings article", has_text="hall-speaker")
    expect(waiting.locator(".pairing-code")).to_have_text(started["code"])
    screenshot(page, "devices-pairing-request")
    waiting.get_by_role("button", name="The codes match: approve").click()
    expect(page.locator("#messages")).to_contain_text(f"Approved hall-speaker (code {started['code']})")
    expect(page.locator("#pairings")).to_have_count(0)

    collected = httpx.post(f"{live.api}/pair/collect", json={"pairing_id": started["pairing_id"]}, timeout=30).json()
    assert ask(live, collected["key"])
    page.reload()
    expect(page.locator("#devices-table")).to_contain_text("hall-speaker")
    expect(page.locator("#devices-table tr", has_text="hall-speaker")).to_contain_text("paired by code")


def test_a_device_added_by_hand_on_a_phone_shows_its_key_and_qr_code_once(
    phone: Page, live: Live, transactional_db: None, owner: Any, screenshot: Callable[[Page, str], Path]
) -> None:
    sign_in(phone, "/devices/")
    phone.click("#pair-device")
    phone.fill("#id_name", "kids-tablet")
    phone.select_option("#id_category", "kids")
    phone.click("#add-device button[type=submit]")
    key = phone.locator("#device-key").inner_text()
    expect(phone.locator("#device-qr")).to_be_visible()
    screenshot(phone, "devices-added-by-hand-phone")
    assert ask(live, key)
    phone.goto("/devices/")
    expect(phone.locator("body")).not_to_contain_text(key)
    expect(phone.locator("#devices-table")).to_contain_text("kids-tablet")
