"""The store's disk use on the hardware step, and removing a version the engine does not serve, in a real browser."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from appliance import hardware
from appliance.models import Household
from appliance.plumbing.redis import sync_client
from appliance.services import notices
from appliance.store import asked, fetch, services
from appliance.store.catalogue import household_file
from tests.appliance.store_server import Served, file_server
from tests.conftest import OWNER_PASSWORD, Live, PairedDevice

BODY = os.urandom(5 * 2**20)


def test_the_owner_sees_the_disk_each_model_takes_and_removes_one_not_served(
    page: Page, live: Live, transactional_db: None, settings: Any, screenshot: Callable[[Page, str], Path]
) -> None:
    Household.objects.create(pk=1, name="The Ngatas", time_zone="UTC", language="en")
    get_user_model().objects.create_user("owner", password=OWNER_PASSWORD, is_staff=True, is_superuser=True)
    # Fetched where the running box's web process reads (its data folder), as a pull process does.
    settings.HEARTH_MODELS_DIR = live.stack.data_dir / "models"
    settings.HEARTH_MODELS_DISK_RESERVE_MIB = 1
    models = hardware.catalogue()
    shipped = models.bundled()
    try:
        with file_server() as server:
            settings.HEARTH_HF_ENDPOINT = server.endpoint
            server.hub("family/tiny", "tiny.gguf", Served(BODY))
            services.add_remote("tiny", services.Remote("tiny.gguf", len(BODY), 1_000_000, 4096, 2, 1, 8, hf="family/tiny"))
            tiny = hardware.catalogue().get("tiny")
            fetch.pull(tiny, tiny.quantization(), None, say=lambda _: None)
        fetch.pull(shipped, shipped.quantization(), None, say=lambda _: None)  # its record; the file stays in its package

        page.goto("/login/")
        page.fill("input[name=username]", "owner")
        page.fill("input[name=password]", OWNER_PASSWORD)
        page.click("button:has-text('Sign in')")
        expect(page).to_have_url(re.compile(r"/dashboard/$"))
        page.goto("/setup/hardware/#disk")
        on_disk = page.locator("#disk")
        expect(on_disk.locator("#disk-free")).to_contain_text(re.compile(r"free of .* on the disk the store is on"))
        expect(on_disk.locator('[data-kept="tiny"]')).to_contain_text("5 MiB")
        served = on_disk.locator(f'[data-kept="{shipped.name}"]')
        expect(served).to_contain_text("served now: it stays")
        expect(served).to_contain_text(re.compile(r"94 MiB\s*used where Hearth installed it, not copied into the store"))
        expect(served.get_by_role("button", name="Remove")).to_have_count(0)
        on_disk.scroll_into_view_if_needed()
        screenshot(page, "store-disk-use")

        on_disk.locator('[data-kept="tiny"]').get_by_role("button", name="Remove").click()
        expect(page.locator("#store-message")).to_have_text("Removed Tiny (file) from the store: 5 MiB freed.")
        expect(page.locator('#disk [data-kept="tiny"]')).to_have_count(0)
        expect(page.locator(f'#disk [data-kept="{shipped.name}"]')).to_contain_text("served now: it stays")
        page.locator("#disk").scroll_into_view_if_needed()
        screenshot(page, "store-disk-removed")
        assert fetch.installed(tiny, tiny.quantization()) is None
    finally:
        shutil.rmtree(fetch.models_dir() / "tiny", ignore_errors=True)
        shutil.rmtree(fetch.folder_for(shipped, shipped.quantization()), ignore_errors=True)
        household_file().unlink(missing_ok=True)


def test_a_notice_of_a_model_a_device_asked_for_opens_the_store_with_it_marked_beside_its_fetch_button(
    page: Page,
    live: Live,
    laptop: PairedDevice,
    client_for: Callable[[PairedDevice], httpx.Client],
    screenshot: Callable[[Page, str], Path],
) -> None:
    Household.objects.create(pk=1, name="The Ngatas", time_zone="UTC", language="en")
    get_user_model().objects.create_user("owner", password=OWNER_PASSWORD, is_staff=True, is_superuser=True)
    sync_client().delete(asked.ASKED_KEY)
    body = {"model": "qwen2.5-3b-instruct", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 4}
    assert client_for(laptop).post("/chat/completions", json=body).status_code == 404
    [told] = notices.check(chain=False)

    page.goto("/login/")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", OWNER_PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.locator(f"#notice-{told.pk}").get_by_role("link", name=told.title).click()
    expect(page).to_have_url(re.compile(r"/setup/hardware/\?asked=qwen2.5-3b-instruct#store$"))
    marked = page.locator("tr.asked")
    expect(marked).to_have_attribute("data-model", "qwen2.5-3b-instruct")
    expect(marked).to_contain_text("a device asked for it")
    expect(marked.get_by_role("button", name="Fetch")).to_be_visible()
    expect(page.locator("#asked-note")).to_contain_text("A device asked for Qwen2.5 3B Instruct: it fits this box and is marked below")
    screenshot(page, "store-asked")
