"""A German household uses its box in German, in a real browser, on a laptop and a phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils import translation
from openai import OpenAI
from playwright.sync_api import Page, expect

from appliance.models import Household
from tests.conftest import OWNER_PASSWORD, Live, PairedDevice, audited


def german(text: str) -> str:
    with translation.override("de"):
        return translation.gettext(text)


def sign_in_german(page: Page, then: str) -> None:
    page.goto(f"/login/?next={then}")
    expect(page.locator("h1")).to_have_text(german("Sign in"))
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", OWNER_PASSWORD)
    page.get_by_role("button", name=german("Sign in")).click()
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))


def test_a_german_household_reads_its_dashboard_and_devices_in_german(
    page: Page,
    phone: Page,
    live: Live,
    transactional_db: None,
    owner: Any,
    make_device: Callable[..., PairedDevice],
    screenshot: Callable[[Page, str], Path],
) -> None:
    Household.objects.filter(pk=1).update(language="de", time_zone="Europe/Berlin")
    laptop = make_device(max_tier="home")
    OpenAI(base_url=live.api, api_key=laptop.key, max_retries=0).chat.completions.create(
        model="hearth-auto", messages=[{"role": "user", "content": "Sag hallo"}], max_tokens=4
    )
    audited(laptop.device)

    sign_in_german(page, "/dashboard/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator("nav")).to_contain_text("Geräte")
    expect(page.locator("body")).not_to_contain_text("Requests today")
    screenshot(page, "dashboard-german")

    page.goto("/devices/")
    expect(page.locator("h1")).to_have_text("Geräte")
    row = page.locator(f"#device-{laptop.device.pk}")
    expect(row).to_contain_text(german("Home (on the box)"))
    expect(row.get_by_role("button", name=german("Change"))).to_be_visible()
    screenshot(page, "devices-german")

    sign_in_german(phone, "/rules/")
    expect(phone.locator("h1")).to_have_text(german("Rules"))
    expect(phone.locator("body")).to_contain_text(german("Private until proven otherwise"))
    screenshot(phone, "rules-german-phone")
