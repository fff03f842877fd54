"""A model's fetch followed live on the hardware step, in a real browser over the box's websocket."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from appliance.models import Household
from appliance.store import fetch, progress
from tests.conftest import OWNER_PASSWORD, Live


def test_the_hardware_step_follows_a_fetch_live_until_it_is_verified(
    page: Page, live: Live, transactional_db: None, settings: Any, screenshot: Callable[[Page, str], Path]
) -> None:
    Household.objects.create(pk=1, name="The Ngatas", time_zone="UTC", language="en")
    get_user_model().objects.create_user("owner", password=OWNER_PASSWORD, is_staff=True, is_superuser=True)
    # The pull writes where the running box's web process reads (its data folder), as a pull process does.
    settings.HEARTH_MODELS_DIR = live.stack.data_dir / "models"
    page.goto("/login/")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", OWNER_PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.goto("/setup/hardware/")
    pulls = page.locator("#pulls")
    expect(pulls).to_have_attribute("data-live", "on")
    writer = progress.Writer("qwen2.5-3b-instruct", "Q4_K_M")
    try:
        writer.say("fetching qwen2.5-3b-instruct-q4_k_m.gguf from the hub")
        writer.progress(fetch.Progress("qwen2.5-3b-instruct-q4_k_m.gguf", 512 * 2**20, 2048 * 2**20, 40 * 2**20, 38.4, "the hub"))
        expect(pulls).to_contain_text("512 MiB of 2.0 GiB · 40.0 MiB/s · 38 s left")
        screenshot(page, "store-fetching")
        writer.end("done", "qwen2.5-3b-instruct Q4_K_M is in the store and verified")
        expect(pulls.locator('[data-model="qwen2.5-3b-instruct"]')).to_have_attribute("data-state", "done")
        expect(pulls).to_contain_text("fetched and verified")
    finally:
        progress.status_file("qwen2.5-3b-instruct").unlink(missing_ok=True)
