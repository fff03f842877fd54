"""Notices in a real browser: the owner sets where they go, a test one arrives, a new device is told on the dashboard."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from appliance.services import notices
from devices.models import DiscoveredDevice
from gateway.capture import CaptureUpstream
from tests.conftest import OWNER_PASSWORD


def test_the_owner_sets_a_webhook_sees_a_test_arrive_and_a_new_device_told_on_the_dashboard(
    page: Page, phone: Page, owner: Any, transactional_db: None, capture: CaptureUpstream, screenshot: Callable[[Page, str], Path]
) -> None:
    page.goto("/login/?next=/notices/")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", OWNER_PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page).to_have_url(re.compile(r"/notices/$"))
    expect(page.locator("#notices")).to_contain_text("Nothing to tell.")

    page.fill("#id_notify_url", capture.url + "/hook")
    page.click("button:has-text('Save and send a test notice')")
    expect(page.locator("#messages")).to_contain_text("A test notice was sent.")
    [sent] = capture.requests
    assert sent.json()["title"] == "Hearth test notice"

    now = timezone.now()
    DiscoveredDevice.objects.create(
        identity="aa:bb:cc:00:11:22", identity_kind="mac", kind="camera", source="mdns", name="garden-camera", first_seen=now, last_seen=now
    )
    notices.check(chain=False)  # what the scheduled task does every two minutes
    page.goto("/dashboard/")
    told = page.locator("#dashboard-notices")
    expect(told).to_contain_text("A new device is on the network: garden-camera")
    expect(told).to_contain_text("sent")
    screenshot(page, "notices-dashboard")
    assert capture.requests[-1].json()["title"] == "A new device is on the network: garden-camera"

    page.goto("/notices/")
    screenshot(page, "notices-page")
    page.locator("#notices").get_by_role("button", name="Dismiss").click()
    expect(page.locator("#notices")).to_contain_text("Nothing to tell.")

    phone.goto("/login/?next=/dashboard/")
    phone.fill("input[name=username]", "owner")
    phone.fill("input[name=password]", OWNER_PASSWORD)
    phone.click("button:has-text('Sign in')")
    expect(phone).to_have_url(re.compile(r"/dashboard/$"))
    screenshot(phone, "dashboard-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the dashboard is {width}px wide on a 390px phone"
