"""Headless Chromium (Debian's package) driven by Playwright, against the running box."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import ARTIFACTS, OWNER_PASSWORD, Live

CHROMIUM = "/usr/bin/chromium"
# Nothing outside is reachable: no background networking, updates, sync or first-run tasks.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = ARTIFACTS / "screenshots"


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Chromium for this package's tests; closed (with Playwright's event loop) after them."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed; `make system` installs it")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(autouse=True)
def orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lift Django's async guard for these tests only: Playwright's sync API runs an event
    loop in the test thread, yet the test's own ORM calls are plain synchronous calls."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(browser: Browser, live: Live) -> Iterator[Page]:
    context = browser.new_context(base_url=live.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def phone(browser: Browser, live: Live) -> Iterator[Page]:
    context = browser.new_context(base_url=live.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page: Page, then: str) -> None:
    """Sign in as the owner fixture's owner and land on a page."""
    page.goto(f"/login/?next={then}")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", OWNER_PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))
