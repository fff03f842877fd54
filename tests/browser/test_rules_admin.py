"""The household's rules in a real browser: a preset, a tuned rule, the simulator, then a real request."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openai import OpenAI
from playwright.sync_api import Page, expect

from gateway.capture import CaptureUpstream
from gateway.models import Provider
from tests.conftest import OWNER_PASSWORD, Live, PairedDevice, audited

QUESTION = "How tall is the Eiffel tower?"


def sign_in(page: Page) -> None:
    page.goto("/admin/policies/householdrule/")  # the admin sends a stranger to the box's own sign-in
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", OWNER_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/policies/householdrule/$"))


def test_the_owner_picks_a_preset_tunes_a_rule_tries_it_and_a_real_request_follows_it(
    page: Page,
    live: Live,
    owner: Any,
    capture: CaptureUpstream,
    make_device: Callable[..., PairedDevice],
    make_provider: Callable[..., Provider],
    screenshot: Callable[[Page, str], Path],
) -> None:
    make_provider("trusted-eu", "trusted")
    make_provider("cloudy", "cloud")
    laptop = make_device(max_tier="cloud", category="laptop")
    sign_in(page)

    page.click("text=Choose a preset")
    page.select_option("#id_preset", "household")
    page.click("input[type=submit]")
    expect(page.locator("#result_list")).to_contain_text("Generic questions")
    expect(page.locator("#result_list")).to_contain_text("Kids' devices")

    # Tune: generic questions may go no further than the trusted provider. A typo first.
    page.click("#result_list >> text=Generic questions")
    page.fill("#id_actions", '{"max_tier": "moon"}')
    page.click("input[name=_save]")
    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    page.fill("#id_actions", json.dumps({"max_tier": "trusted"}))
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("Generic questions")

    # Try it: nothing is sent, and the page says where it would go and why.
    page.click("text=Try a request")
    page.select_option("#id_device", label=str(laptop.device))
    page.fill("#id_prompt", QUESTION)
    page.click("input[type=submit]")
    simulation = page.locator("#simulation")
    expect(simulation).to_contain_text("trusted")
    expect(simulation).to_contain_text("Generic questions")
    expect(simulation).to_contain_text("general")
    screenshot(page, "rules-simulator")
    assert capture.requests == [], "the simulator sent nothing"

    # The real request follows the tuned rule, and the audit log says why.
    answer = OpenAI(base_url=live.api, api_key=laptop.key).chat.completions.create(
        model="hearth-auto", messages=[{"role": "user", "content": QUESTION}], max_tokens=8
    )
    assert answer.choices[0].message.content
    [event] = audited(laptop.device)
    assert (event.tier, event.provider_name, event.rule) == ("trusted", "trusted-eu", "Generic questions")
    assert "Generic questions" in event.explanation
    [sent] = capture.requests
    assert sent.json()["model"] == "trusted-eu-model"
