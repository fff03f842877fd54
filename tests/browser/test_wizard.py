"""A new household, in a real browser: the setup code, the wizard, a device, a request, the audit log."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth import get_user_model
from openai import OpenAI
from playwright.sync_api import Page, expect

from appliance.models import Household
from devices.models import Device
from gateway.capture import CaptureUpstream
from gateway.models import Provider
from tests.conftest import Live, audited

PASSWORD = "ember-lantern-quiet-42"


def setup_code(live: Live) -> str:
    return (live.stack.data_dir / "setup-code").read_text().strip()


def test_owner_claims_the_box_follows_the_wizard_and_finds_a_request_in_the_audit_log(
    page: Page, live: Live, capture: CaptureUpstream, transactional_db: None, screenshot: Callable[[Page, str], Path]
) -> None:
    refused: list[str] = []  # what the content security policy blocked, if anything
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/setup/$"))
    expect(page.locator("#restore")).to_contain_text("Restore from a backup instead")
    screenshot(page, "01-claim")

    # A wrong code claims nothing.
    page.fill("#id_code", "WRNG-CODE")
    page.fill("#id_username", "owner")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_household", "The Smiths")
    page.click("text=Claim this box")
    expect(page.locator("#claim-error")).to_contain_text("not the setup code")

    page.fill("#id_code", setup_code(live).lower())
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.select_option("#id_time_zone", "Europe/Berlin")
    page.select_option("#id_language", "en")
    page.click("text=Claim this box")

    expect(page).to_have_url(re.compile(r"/setup/hardware/$"))
    expect(page.locator("#gpus")).to_contain_text("no NVIDIA GPU")
    expect(page.locator("#serving")).to_contain_text("SmolLM2 135M Instruct")
    expect(page.locator("#recommended")).to_contain_text("That is the model this box serves.")
    expect(page.locator("#engine-status")).to_have_attribute("data-ready", "yes")
    expect(page.locator("#engine-status")).to_contain_text("Ready: serving")
    screenshot(page, "02-hardware")

    page.click("text=Next: providers")
    expect(page.locator("#provider-list")).to_contain_text("No providers yet")
    page.click("summary:has-text('Add a provider')")
    page.fill("#id_name", "trusted-eu")
    page.select_option("#id_tier", "trusted")
    page.fill("#id_base_url", capture.url)
    page.fill("#id_key", "sk-wizard-key-000111")
    page.fill("#id_model", "eu-large")
    page.check("#id_zero_data_retention")
    page.fill("#id_zdr_terms_url", "https://eu.example/terms#retention")
    page.fill("#id_zdr_checked_on", "2026-11-20")
    page.fill("#id_jurisdiction", "EU")
    page.click("#add-provider button[type=submit]")
    expect(page.locator("#provider-list")).to_contain_text("trusted-eu")
    expect(page.locator("#provider-list")).not_to_contain_text("sk-wizard-key-000111")
    page.click("text=Check the key")
    expect(page.locator(".key-check")).to_contain_text("The key works")
    listing = [r for r in capture.requests if r.path.endswith("/models")]
    assert listing and listing[-1].method == "GET"
    assert not [r for r in capture.requests if r.method == "POST"], "checking a key must cost nothing"
    screenshot(page, "03-providers")

    page.click("text=Next: rules")
    page.click("button[value=home-only]")
    expect(page.get_by_role("status")).to_contain_text("rules from that preset")
    screenshot(page, "04-rules")

    page.click("text=Next: devices")
    page.fill("#id_name", "kitchen-laptop")
    page.select_option("#id_category", "laptop")
    page.click("#add-device button[type=submit]")
    key = page.locator("#device-key").inner_text().strip()
    assert key.startswith("hk-")
    screenshot(page, "05-devices")
    page.reload()
    expect(page.locator("body")).not_to_contain_text(key)  # shown once only

    page.click("text=Next: finish")
    expect(page.locator("h1")).to_contain_text("The Smiths")
    expect(page.locator("#backup-passphrase")).to_contain_text("no backup is made")
    screenshot(page, "06-finish")
    page.fill("#id_passphrase", "copper-kettle-winter-orchard")
    page.fill("#id_passphrase2", "copper-kettle-winter-orchard")
    page.click("#finish")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("#figures")).to_have_attribute("data-live", "on")
    expect(page.locator("#gpu")).to_contain_text("no NVIDIA GPU")
    screenshot(page, "07-dashboard")

    client = OpenAI(base_url=live.api, api_key=key, max_retries=0, timeout=60)
    answer = client.chat.completions.create(model="home", messages=[{"role": "user", "content": "Say hello."}], max_tokens=8)
    assert answer.choices[0].message.content is not None
    [row] = audited(Device.objects.get(name="kitchen-laptop"))

    # The live dashboard counts it without a reload.
    expect(page.locator("#today-total")).to_have_text("1", timeout=10_000)

    page.goto("/audit/")
    table = page.locator("#audit-table")
    expect(table).to_contain_text("kitchen-laptop")
    expect(table).to_contain_text("home")
    screenshot(page, "08-audit-log")
    page.click(f"a[href='/audit/{row.pk}/']")
    expect(page.locator("#detail-tier")).to_have_text("home")
    expect(page.locator("#explanation")).to_contain_text(row.explanation or "No rule explanation")
    screenshot(page, "09-audit-detail")

    page.goto("/audit/")
    page.click("text=Verify the chain")
    expect(page.locator("#verify-outcome")).to_contain_text("The chain is intact: 1 rows checked")

    # A backup, encrypted with the passphrase the owner set at the finish, downloaded to keep off the box.
    page.click("nav >> text=Backups")
    expect(page.locator("#schedule-state")).to_contain_text("Running")
    page.click("text=Back up now")
    expect(page.locator("#backup-message")).to_have_text("Backup written.")
    with page.expect_download() as download:
        page.click("#backup-list >> text=Download")
    assert download.value.suggested_filename.endswith(".backup")
    assert Path(download.value.path()).read_bytes().startswith(b"HEARTH-BACKUP-1")
    screenshot(page, "10-backups")
    assert refused == [], "the pages work within their own content security policy"
    assert Provider.objects.get(name="trusted-eu").api_key() == "sk-wizard-key-000111"


def test_the_wizard_dashboard_and_audit_log_fit_a_phone_screen(
    phone: Page, live: Live, transactional_db: None, screenshot: Callable[[Page, str], Path]
) -> None:
    phone.goto("/")
    expect(phone).to_have_url(re.compile(r"/setup/$"))
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    screenshot(phone, "phone-claim")

    Household.objects.create(pk=1, name="The Smiths")
    get_user_model().objects.create_user("owner", password=PASSWORD, is_staff=True, is_superuser=True)
    phone.goto("/")
    expect(phone).to_have_url(re.compile(r"/login/"))
    phone.fill("input[name=username]", "owner")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button:has-text('Sign in')")
    expect(phone).to_have_url(re.compile(r"/dashboard/$"))
    for path, name in [("/dashboard/", "phone-dashboard"), ("/audit/", "phone-audit-log")]:
        phone.goto(path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
        screenshot(phone, name)
