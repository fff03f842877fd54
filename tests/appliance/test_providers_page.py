"""The providers page: providers in words, added from a preset, changed, turned off, removed;
the household's priorities and limits; members read, the owner changes."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from appliance.models import Household
from appliance.plumbing.redis import sync_client
from appliance.services import providers as providers_service
from gateway.capture import CaptureUpstream
from gateway.models import AuditEvent, Provider, SettingsChange
from gateway.router import state_key
from policies import services as policies_services

TERMS = "https://mistral.example/terms#retention"


def provider(name: str = "mistral", tier: str = "trusted", **fields: Any) -> Provider:
    values: dict[str, Any] = {
        "base_url": "https://api.mistral.example/v1",
        "model_names": ["mistral-small-latest"],
        "jurisdiction": "EU",
        "price_in_per_mtok": Decimal("0.10"),
        "price_out_per_mtok": Decimal("0.30"),
    }
    if tier == "trusted":
        values.update(zero_data_retention=True, zdr_terms_url=TERMS, zdr_checked_on=dt.date(2026, 11, 20))
    values.update(fields)
    p = Provider(name=name, tier=tier, **values)
    p.set_api_key("sk-page-0000111122")
    p.save()
    return p


def added_form(**fields: Any) -> dict[str, Any]:
    """Return what the add form posts for Mistral filled from its preset, with its terms recorded."""
    data: dict[str, Any] = {
        "preset": "mistral", "name": "mistral", "tier": "trusted", "family": "openai", "base_url": "https://api.mistral.ai/v1",
        "key": "sk-mistral-0000111122", "models": "mistral-small-latest", "jurisdiction": "EU",
        "zero_data_retention": "on", "zdr_terms_url": "https://mistral.ai/terms", "zdr_checked_on": "2026-11-20",
        "price_in_per_mtok": "0.10", "price_out_per_mtok": "0.30", "quality": "6", "first_byte_timeout": "60",
        "takes_images": "on", "forces_tool_calls": "on", "cap0_model": "mistral-small-latest", "cap0_context": "32000", "cap0_code": "7",
    }  # fmt: skip
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def audit_row(provider_name: str, *, cost: str = "0", reason: str = "", at: dt.datetime | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        request_id=uuid.uuid4(), created_at=at or timezone.now(), device_name="laptop", kind="chat", model_requested="hearth-auto",
        tier="trusted", provider_name=provider_name, outcome="ok", cost=Decimal(cost), reason=reason,
    )  # fmt: skip


@pytest.fixture
def euros(owner: Any) -> None:
    Household.objects.filter(pk=1).update(currency="EUR")


def page(client: Client) -> str:
    return client.get("/providers/").content.decode()


# --- the list ----------------------------------------------------------------------------


def test_a_provider_is_listed_in_words_with_its_terms_models_and_prices_in_the_household_s_currency(
    owner_client: Client, euros: None
) -> None:
    provider(model_caps={"mistral-small-latest": {"context": 32000, "quality": {"code": 7}}})
    body = page(owner_client)
    assert "Trusted: zero data retention" in body and "Processes data in EU" in body
    assert f'href="{TERMS}"' in body and "read on 20 November 2026" in body
    assert "32,000 tokens of context; quality code 7; quality 5 for every other task" in body
    assert "€0.10 in, €0.30 out per million tokens" in body
    assert '{"' not in body.split("<main")[1], "no JSON on the page"


def test_a_trusted_provider_without_its_terms_is_said_not_to_be_used(owner_client: Client) -> None:
    # What an upgraded box may hold: saved before the terms were asked for (Provider.clean refuses it now).
    Provider.objects.create(name="old-trusted", tier="trusted", base_url="https://t.example/v1", zero_data_retention=True)
    body = page(owner_client)
    assert "NOT used until its terms are recorded" in body


def test_a_provider_outside_the_household_s_limits_is_said_not_to_be_used(owner_client: Client) -> None:
    provider("groq", "cloud", jurisdiction="US")
    Household.objects.filter(pk=1).update(jurisdictions={"cloud": {"allow": ["EU"]}})
    assert "Not used for cloud requests: it is in US, outside EU (the household keeps cloud requests only in EU)" in page(owner_client)


def test_health_is_read_from_the_state_the_workers_write(owner_client: Client) -> None:
    failing, quick = provider("failing", "cloud"), provider("quick", "cloud")
    now = time.time()
    redis = sync_client()
    redis.hset(state_key(failing.pk), mapping={"fail_until": now + 30, "down_since": now - 60})
    redis.hset(state_key(quick.pk), mapping={"ewma_ms": 850.0, "answered_at": now})
    try:
        body = page(owner_client)
    finally:
        redis.delete(state_key(failing.pk), state_key(quick.pk))
    failing_part = body.split(f'id="provider-{failing.pk}"')[1].split("</article>")[0]
    quick_part = body.split(f'id="provider-{quick.pk}"')[1].split("</article>")[0]
    assert "Failing since" in failing_part and "requests fall back" in failing_part
    assert "first token in about 850 ms" in quick_part


def test_the_page_opens_when_redis_does_not_answer_and_says_health_is_unknown(owner_client: Client) -> None:
    provider()
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        body = page(owner_client)
    assert "Health unknown: the box&#x27;s Redis does not answer." in body


def test_spend_and_fallbacks_this_month_lead_to_the_audit_rows_behind_them(owner_client: Client, euros: None) -> None:
    provider("mistral")
    provider("groq", "cloud", jurisdiction="US")
    audit_row("mistral", cost="1.25")
    audit_row("mistral", cost="0.50", reason="fell back: groq: the provider answered HTTP 503")
    audit_row("mistral", cost="9", at=providers_service.month_start() - dt.timedelta(days=2))  # last month
    body = page(owner_client)
    first = providers_service.month_start().date().isoformat()
    assert f'href="/audit/?provider=mistral&amp;since={first}" class="spend">€1.75 spent' in body
    assert "answered 1 request another did not" in body and f"/audit/?provider=mistral&amp;since={first}&amp;q=fell+back" in body
    groq = body.split("groq</strong>")[1]
    assert "did not answer first 1 time" in groq and f"/audit/?since={first}&amp;q=groq" in groq
    listed = owner_client.get(f"/audit/?provider=mistral&since={first}").content.decode()
    assert listed.count('href="/audit/') >= 2 and "fell back: groq" in listed


# --- presets and adding ------------------------------------------------------------------


def test_every_preset_names_its_terms_a_tier_and_an_address() -> None:
    found = providers_service.presets()
    assert {"openai", "anthropic", "mistral", "groq", "openrouter", "ollama-lan", "llamacpp-lan"} <= set(found)
    for p in found.values():
        assert p.terms_url.startswith("https://") and p.retention and p.tier in ("trusted", "cloud")
        assert p.base_url.startswith(("https://", "http://")) and p.family in ("openai", "anthropic") and p.model
    assert found["openrouter"].routing, "OpenRouter's zero-data-retention routing is named"


def test_picking_a_preset_fills_the_form_and_claims_no_zero_data_retention(owner_client: Client) -> None:
    body = owner_client.get("/providers/new/?preset=mistral").content.decode()
    assert 'value="https://api.mistral.ai/v1"' in body and 'value="mistral-small-latest"' in body
    assert "Check the terms yourself" in body and 'href="https://mistral.ai/terms"' in body
    box = body.split('name="zero_data_retention"')[1].split(">")[0]
    assert "checked" not in box


def test_prices_in_another_currency_are_not_filled_in_as_the_household_s(owner_client: Client, euros: None) -> None:
    body = owner_client.get("/providers/new/?preset=openai").content.decode()
    assert 'name="price_in_per_mtok" value="0"' in body and "$0.15 in, $0.60 out" in body and "convert it" in body


def test_mistral_is_added_from_its_preset_with_its_terms_and_model_figures(owner_client: Client) -> None:
    response = owner_client.post("/providers/new/", added_form())
    added = Provider.objects.get(name="mistral")
    assert response.status_code == 302 and response["Location"] == f"/providers/?added={added.pk}#provider-{added.pk}"
    assert added.zdr_recorded and added.api_key() == "sk-mistral-0000111122"
    assert added.model_caps == {"mistral-small-latest": {"context": 32000, "quality": {"code": 7}}}
    body = owner_client.get(response["Location"]).content.decode()
    assert f'hx-post="/providers/{added.pk}/check/" hx-trigger="load"' in body, "the key is checked as the page opens"


def test_the_key_is_checked_by_listing_models_which_costs_nothing(owner_client: Client, capture: CaptureUpstream) -> None:
    p = provider(base_url=capture.url)
    body = owner_client.post(f"/providers/{p.pk}/check/").content.decode()
    assert "The key works" in body and "capture-model" in body
    assert [(r.method, r.path) for r in capture.requests] == [("GET", "/v1/models")]


def test_a_server_on_the_home_network_needs_no_key(owner_client: Client) -> None:
    form = added_form(
        preset="ollama-lan", name="ollama", tier="cloud", base_url="http://ollama.local:11434/v1", key="", zero_data_retention=None,
        jurisdiction="DE", models="llama3.2", cap0_model="", cap0_context="", cap0_code="",
    )  # fmt: skip
    assert owner_client.post("/providers/new/", form).status_code == 302
    assert Provider.objects.get(name="ollama").key_prefix == ""


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"key": ""}, "A provider on the internet needs its API key."),
        ({"base_url": "not a url at all"}, "Enter a valid URL."),
        ({"cap0_code": "11"}, "Ensure this value is less than or equal to 10."),
        ({"zero_data_retention": None}, "A trusted provider must keep no data"),
        ({"zdr_checked_on": ""}, "Record where the provider&#x27;s terms promise zero data retention"),
        ({"cap0_model": "mistral-large"}, "capabilities name the model &#x27;mistral-large&#x27;, which this provider does not list"),
        ({"models": "a, a"}, "A model is named twice."),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_typed_is_lost(owner_client: Client, change: dict[str, Any], error: str) -> None:
    response = owner_client.post("/providers/new/", added_form(**change))
    body = response.content.decode()
    assert response.status_code == 200 and error in body
    assert not Provider.objects.filter(name="mistral").exists()
    assert 'value="mistral-small-latest"' in body or 'value="a, a"' in body, "the answers are kept"


# --- changing ----------------------------------------------------------------------------


def test_the_editor_shows_each_model_s_figures_as_fields_and_saves_them(owner_client: Client) -> None:
    p = provider(model_names=["small", "large"], model_caps={"large": {"context": 128000, "quality": {"reason": 8}}})
    body = owner_client.get(f"/providers/{p.pk}/").content.decode()
    assert 'name="cap1_model" value="large"' in body and 'name="cap1_context" value="128000"' in body
    assert 'name="cap1_reason" value="8"' in body and "{&quot;" not in body
    form = added_form(models="small, large", cap0_model="small", cap0_context="8000", cap0_code="", cap1_model="large", key="")
    form.update(cap1_context="128000", cap1_reason="9", base_url=p.base_url)
    assert owner_client.post(f"/providers/{p.pk}/", form).status_code == 302
    p.refresh_from_db()
    assert p.model_caps == {"small": {"context": 8000}, "large": {"context": 128000, "quality": {"reason": 9}}}
    assert p.api_key() == "sk-page-0000111122", "an empty key keeps the key"


def test_a_new_base_url_gets_the_key_only_when_it_is_typed_again(owner_client: Client) -> None:
    p = provider()
    form = added_form(key="", base_url="https://elsewhere.example/v1", cap0_context="", cap0_code="")
    body = owner_client.post(f"/providers/{p.pk}/", form).content.decode()
    assert "The base URL changed: type the key again" in body
    p.refresh_from_db()
    assert p.base_url == "https://api.mistral.example/v1"


def test_a_provider_is_turned_off_and_on_and_removed(owner_client: Client) -> None:
    p = provider()
    owner_client.post(f"/providers/{p.pk}/switch/", {"enabled": "0"})
    p.refresh_from_db()
    assert not p.enabled and "Turned off: no request goes to it." in page(owner_client)
    owner_client.post(f"/providers/{p.pk}/switch/", {"enabled": "1"})
    p.refresh_from_db()
    assert p.enabled
    owner_client.post(f"/providers/{p.pk}/remove/")
    assert not Provider.objects.filter(pk=p.pk).exists()
    assert SettingsChange.objects.filter(kind="provider", name="mistral", action="removed").exists()


def test_the_home_engine_is_listed_but_not_changed_here(owner_client: Client) -> None:
    home, _ = Provider.objects.get_or_create(name="home", defaults={"tier": "home", "base_url": "http://127.0.0.1:9/v1"})
    assert "Home: on this box" in page(owner_client)
    assert owner_client.get(f"/providers/{home.pk}/").status_code == 404
    assert owner_client.post(f"/providers/{home.pk}/remove/").status_code == 404


# --- the household's priorities ----------------------------------------------------------


def test_the_priorities_are_saved_read_by_the_router_at_once_and_recorded(owner_client: Client) -> None:
    policies_services.HOUSEHOLD.get()  # held by this process, as the router holds it
    form = {"priority": "cheapest", "cloud_allow": "eu, CH", "trusted_deny": "US", "trusted_allow": "", "cloud_deny": ""}
    assert owner_client.post("/providers/priorities/", form).status_code == 302
    assert Household.objects.values_list("priority", "jurisdictions").get(pk=1) == (
        "cheapest",
        {"cloud": {"allow": ["CH", "EU"]}, "trusted": {"deny": ["US"]}},
    )
    read = policies_services.HOUSEHOLD.get().priorities
    assert read.choice.name == "cheapest" and read.tiers["cloud"].allow == {"EU", "CH"}
    changes = {(c.field, c.old_value, c.new_value) for c in SettingsChange.objects.filter(kind="household", actor="owner")}
    assert ("priority", "Keep it home whenever it can answer well", "Cheapest that is good enough") in changes
    assert ("jurisdiction limits", "none", "trusted: never in US; cloud: only in CH or EU") in changes
    body = page(owner_client)
    assert "When several providers may answer: cheapest that is good enough." in body and "Cloud providers: only in CH or EU." in body


@pytest.mark.parametrize(
    ("fields", "error", "kept"),
    [
        ({"cloud_allow": "Europe"}, "a jurisdiction is a two-letter country code or EU", 'value="Europe"'),
        ({"trusted_deny": "E1, DE"}, "has E1", 'value="E1, DE"'),
        ({"cloud_allow": "EU", "cloud_deny": "EU"}, "denies everything it allows", 'name="cloud_deny" value="EU"'),
        ({"priority": "loudest"}, "Select a valid choice", 'name="priority"'),
    ],
)
def test_bad_limits_are_a_form_error_and_nothing_is_stored(owner_client: Client, fields: dict[str, str], error: str, kept: str) -> None:
    form = {"priority": "fastest", "trusted_allow": "", "trusted_deny": "", "cloud_allow": "", "cloud_deny": "", **fields}
    body = owner_client.post("/providers/priorities/", form).content.decode()
    assert error in body and kept in body, "the error in words, and what was typed kept"
    assert Household.objects.values_list("priority", "jurisdictions").get(pk=1) == ("home_first", {})


def test_the_wizard_offers_the_same_priority_choice(owner_client: Client) -> None:
    body = owner_client.get("/setup/providers/").content.decode()
    assert 'name="priority" value="fastest"' in body and "Cheapest that is good enough" in body
    form = {"priority": "fastest", "trusted_allow": "EU", "trusted_deny": "", "cloud_allow": "", "cloud_deny": ""}
    assert owner_client.post("/setup/providers/", form)["Location"] == "/setup/providers/#priorities"
    assert Household.objects.values_list("priority", "jurisdictions").get(pk=1) == ("fastest", {"trusted": {"allow": ["EU"]}})


# --- who may ------------------------------------------------------------------------------


def test_members_read_the_page_but_see_no_controls(member_client: Client) -> None:
    provider()
    body = page(member_client)
    assert "mistral" in body and "When several providers may answer" in body
    assert "/providers/new/" not in body and 'id="priorities-form"' not in body and "Check the key" not in body
    assert member_client.post("/providers/priorities/", {"priority": "best"}).status_code == 403
