"""The owner watches devices being found, live, in the admin, in headless Chromium."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect, sync_playwright

from devices import services
from devices.discovery.parse import Sighting
from tests.browser.conftest import CHROMIUM, FLAGS, orm_beside_playwright, page  # noqa: F401  (the browser tests' own)
from tests.conftest import Live

PASSWORD = "ember-lantern-quiet-42"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for this module only: Playwright's event loop must be gone before the other
    device tests, which run asyncio and the ORM in this thread."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


def found(seen: Sighting) -> None:
    # Playwright runs an event loop in this thread; the channel-layer send needs one of its own.
    worker = threading.Thread(target=services.record_sighting, args=(seen,))
    worker.start()
    worker.join(10)


def test_a_device_found_on_the_network_appears_live_in_the_admin_as_text(page: Page, live: Live, transactional_db: None) -> None:  # noqa: F811
    User.objects.create_superuser("owner", "owner@example.com", PASSWORD)
    page.goto("/admin/devices/discovereddevice/")  # the admin sends a stranger to the box's own sign-in
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/devices/discovereddevice/$"))
    live_list = page.locator("#discovered-live")
    expect(live_list.locator("[data-status]")).to_have_text("(live)")

    found(
        Sighting(
            "mac:aa:bb:cc:00:00:09",
            "mac",
            "mdns",
            "speaker",
            "<img src=x onerror=alert(1)>Nest",
            "Google",
            "Nest Mini",
            "192.168.1.20",
            "_googlecast._tcp.local.",
        )
    )
    row = live_list.locator("tbody tr").first
    expect(row).to_contain_text("<img src=x onerror=alert(1)>Nest")  # shown as text, not run
    expect(row).to_contain_text("192.168.1.20")
    assert live_list.locator("tbody img").count() == 0

    found(Sighting("mac:aa:bb:cc:00:00:09", "mac", "mdns", "speaker", "Nest", "Google", "Nest Mini", "192.168.1.77"))
    expect(row).to_contain_text("192.168.1.77")
    assert live_list.locator("tbody tr").count() == 1  # the same device, moved: updated in place
