"""The providers page in a real browser: a provider added from its preset, its terms recorded,
its key checked at no cost, and the household's priorities set, all listed in words."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from appliance.models import Household
from gateway.capture import CaptureUpstream
from gateway.models import Provider
from tests.browser.conftest import sign_in


def test_the_owner_adds_mistral_from_its_preset_records_its_terms_and_sets_cheapest_within_the_eu(
    page: Page,
    phone: Page,
    owner: Any,
    transactional_db: None,
    capture: CaptureUpstream,
    screenshot: Callable[[Page, str], Path],
) -> None:
    sign_in(page, "/providers/")
    page.select_option("#preset-choice", label="Mistral (EU)")
    page.click("#preset-form button[type=submit]")

    expect(page).to_have_url(re.compile(r"/providers/new/\?preset=mistral$"))
    expect(page.locator("#id_base_url")).to_have_value("https://api.mistral.ai/v1")
    expect(page.locator("#id_tier")).to_have_value("trusted")
    expect(page.locator("#id_zero_data_retention")).not_to_be_checked()  # never claimed for the owner
    expect(page.locator("#preset-terms")).to_contain_text("Check the terms yourself")
    # Nothing outside is reachable here: the capture server stands in for Mistral's API.
    page.fill("#id_base_url", capture.url)
    page.fill("#id_key", "sk-mistral-browser-0001")
    page.check("#id_zero_data_retention")
    page.fill("#id_zdr_checked_on", "2026-11-20")
    page.fill("#id_cap0_context", "32000")
    page.fill("#id_cap0_code", "7")
    page.locator("#terms").scroll_into_view_if_needed()
    screenshot(page, "providers-add-mistral")
    page.click("#save-provider")

    added = Provider.objects.get(name="mistral")
    expect(page).to_have_url(re.compile(rf"/providers/\?added={added.pk}#provider-{added.pk}$"))
    card = page.locator(f"#provider-{added.pk}")
    expect(card.locator(".key-check")).to_contain_text("The key works")  # checked as the page opened
    expect(card.locator(".zdr")).to_contain_text("Zero data retention on record: its terms, read on 20 November 2026.")
    expect(card.locator(".zdr a")).to_have_attribute("href", "https://mistral.ai/terms")
    expect(card.locator(".jurisdiction")).to_have_text("Processes data in EU")
    expect(card.locator(".models")).to_contain_text("mistral-small-latest (default): 32,000 tokens of context; quality code 7")
    assert [r.path for r in capture.requests] == ["/v1/models"], "the key check lists models and asks for nothing billed"

    page.get_by_label("Cheapest that is good enough").check()
    page.fill("#id_cloud_allow", "EU")
    page.click("#save-priorities")
    expect(page).to_have_url(re.compile(r"/providers/#priorities$"))
    words = page.locator("#priorities-words")
    expect(words).to_contain_text("When several providers may answer: cheapest that is good enough.")
    expect(words).to_contain_text("Cloud providers: only in EU.")
    expect(page.get_by_label("Cheapest that is good enough")).to_be_checked()
    assert Household.objects.values_list("priority", "jurisdictions").get(pk=1) == ("cheapest", {"cloud": {"allow": ["EU"]}})
    page.goto("/providers/")
    screenshot(page, "providers-page")

    # The wizard's providers step offers the same choice, showing what the household chose.
    page.goto("/setup/providers/")
    expect(page.get_by_label("Cheapest that is good enough")).to_be_checked()
    expect(page.locator("#id_cloud_allow")).to_have_value("EU")
    page.locator("#priorities").scroll_into_view_if_needed()
    screenshot(page, "providers-wizard-priorities")

    sign_in(phone, "/providers/")
    expect(phone.locator(f"#provider-{added.pk} .zdr")).to_contain_text("read on 20 November 2026")
    screenshot(phone, "providers-page-phone")
