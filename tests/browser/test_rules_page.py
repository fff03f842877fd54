"""The rules page in a real browser: rules read as sentences, a rule edited with controls, tried at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from gateway.capture import CaptureUpstream
from gateway.models import Provider
from policies import services as rule_services
from policies.models import HouseholdRule
from tests.browser.conftest import sign_in
from tests.conftest import PairedDevice

QUESTION = "How tall is the Eiffel tower?"


def try_request(page: Page, device: str) -> None:
    page.select_option("#id_device", label=device)
    page.fill("#id_prompt", QUESTION)
    # The first try loads the detectors' NER pipelines into the web process: slow on a busy machine.
    with page.expect_navigation(timeout=120_000):
        page.click("#try-form button[type=submit]", no_wait_after=True)


def test_the_owner_reads_the_rules_as_sentences_edits_one_with_controls_and_tries_it(
    page: Page,
    phone: Page,
    owner: Any,
    capture: CaptureUpstream,
    make_device: Callable[..., PairedDevice],
    make_provider: Callable[..., Provider],
    screenshot: Callable[[Page, str], Path],
) -> None:
    make_provider("trusted-eu", "trusted")
    make_provider("cloudy", "cloud")
    laptop = make_device(max_tier="cloud", category="laptop")
    rule_services.apply_preset("household", {"trusted", "cloud"})
    sign_in(page, "/rules/")

    rules = page.locator("#rules")
    expect(page.locator("#preset")).to_contain_text("The household's stories")
    generic = rules.locator("li", has_text="Generic questions")
    expect(generic).to_contain_text(
        "Requests that look generic, no sensitive label above 50 %: may go to the cloud, personal data replaced."
    )
    expect(rules.locator("li.built-in")).to_contain_text("Private until proven otherwise")
    expect(page.locator("main")).not_to_contain_text('{"')
    screenshot(page, "rules-page")

    try_request(page, str(laptop.device))
    expect(page.locator("#sim-rule")).to_have_text("Generic questions")
    expect(page.locator("#sim-tier")).to_have_text("cloud")

    # Cap generic questions at the trusted tier, with the controls; a contradiction first.
    page.locator("#rules li", has_text="Generic questions").get_by_role("button", name="Edit").click()
    expect(page.locator("#id_label_general")).to_be_checked()
    page.select_option("#id_max_tier", "trusted")
    page.select_option("#id_prefer", "cloud")
    page.click("#save-rule")
    expect(page.locator("#rule-errors")).to_contain_text("cannot be less trusted")
    expect(page.locator("#id_max_tier")).to_have_value("trusted")  # the answers are kept
    screenshot(page, "rules-edit-error")
    page.select_option("#id_prefer", "home")
    page.click("#save-rule")

    expect(page).to_have_url(re.compile(r"/rules/#rule-\d+$"))
    expect(page.locator("#messages")).to_contain_text("Saved the rule 'Generic questions'")
    expect(rules.locator("li", has_text="Generic questions")).to_contain_text(
        "may go to a trusted provider, personal data replaced; prefer home."
    )
    try_request(page, str(laptop.device))
    expect(page.locator("#sim-rule")).to_have_text("Generic questions")
    expect(page.locator("#sim-tier")).to_have_text("trusted")
    page.locator("#simulation").scroll_into_view_if_needed()
    screenshot(page, "rules-tried")
    assert capture.requests == [], "trying a request sent nothing"

    # Drag the second rule above the first.
    first, second = list(HouseholdRule.objects.values_list("name", flat=True)[:2])
    page.goto("/rules/")
    with page.expect_navigation():  # the page reloads once the box has stored the new order
        rules.locator("li", has_text=second).first.drag_to(rules.locator("li", has_text=first).first, target_position={"x": 20, "y": 5})
    expect(rules.locator("li.rule").first).to_contain_text(second)
    assert list(HouseholdRule.objects.values_list("name", flat=True)[:2]) == [second, first]

    sign_in(phone, "/rules/")
    screenshot(phone, "rules-page-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the rules page is {width}px wide on a 390px phone"
