"""The owner gives the embeddings their own model on the hardware step, in a real browser, and takes it back."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
from playwright.sync_api import Page, expect

from appliance import hardware
from gateway.models import AuditEvent
from tests.appliance.conftest import box_store as box_store  # the running box's store, back on the shipped model after
from tests.appliance.conftest import pulled_copy
from tests.appliance.engines import engine_argv, serving, until
from tests.browser.conftest import sign_in
from tests.conftest import Live, PairedDevice


def test_the_owner_chooses_an_embeddings_model_on_the_hardware_step_and_the_households_embeddings_go_to_it(
    page: Page,
    live: Live,
    transactional_db: None,
    owner: Any,
    laptop: PairedDevice,
    box_store: Path,
    tmp_path: Path,
    screenshot: Callable[[Page, str], Path],
) -> None:
    entry, record = pulled_copy(tmp_path, f"embed-copy-{time.time_ns()}", embeddings=True)
    sign_in(page, "/setup/hardware/")
    row = page.locator(f'tr[data-model="{entry.name}"]')
    expect(row.get_by_role("button", name="Serve it")).to_have_count(0)
    row.get_by_role("button", name="Use it for embeddings").click()
    expect(page.locator("#store-message")).to_contain_text("The home embeddings engine is starting on")
    expect(page.locator("#store-message")).to_contain_text(f"devices ask for it as {entry.name}.")
    expect(row).to_contain_text("makes the embeddings now")
    shipped = page.locator(f'tr[data-model="{hardware.catalogue().bundled().name}"]')
    expect(shipped).to_contain_text("served now")  # the chat engine keeps its model
    expect(page.locator("#served-embeddings")).to_contain_text(f"in an engine of its own · devices ask for it as {entry.name}")
    expect(page.locator(f'#disk [data-kept="{entry.name}"]')).to_contain_text("makes the embeddings now: it stays")
    row.scroll_into_view_if_needed()
    screenshot(page, "store-embeddings-chosen")

    until(lambda: serving(live, record.path, live.stack.ports.embeddings), 120, "the embeddings engine serves the copy")
    engine_card = page.locator("#engine-status-embeddings")
    expect(engine_card).to_have_attribute("data-ready", "yes", timeout=30_000)  # the page polls while it starts
    expect(engine_card).to_contain_text(f"Ready: serving {entry.name}.")
    page.locator("#engine").scroll_into_view_if_needed()
    screenshot(page, "store-embeddings-engine-ready")
    client = openai.OpenAI(base_url=live.api, api_key=laptop.key)
    vector = client.embeddings.create(model=entry.name, input="Where did I leave the bike keys?").data[0].embedding
    assert len(vector) > 100
    until(lambda: AuditEvent.objects.filter(kind="embedding").exclude(outcome="pending").exists(), 30, "the audit row")
    assert AuditEvent.objects.get(kind="embedding").provider_name == "home-embeddings"

    row.get_by_role("button", name="Stop: the chat model makes them").click()
    expect(page.locator("#store-message")).to_have_text("The embeddings engine stops; the chat model makes the embeddings again.")
    expect(row.get_by_role("button", name="Use it for embeddings")).to_be_visible()
    expect(page.locator("#served-embeddings")).to_have_text("Embeddings: made by the chat model.")
    row.scroll_into_view_if_needed()
    screenshot(page, "store-embeddings-stopped")
    until(lambda: not engine_argv(live, live.stack.ports.embeddings), 60, "the embeddings engine stops")
