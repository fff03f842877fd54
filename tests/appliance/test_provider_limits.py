"""Trust terms as hard limits where providers are added, and the household's priorities as read by the router."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client

from appliance.models import Household
from appliance.store import catalogue
from gateway.models import Provider
from gateway.services import ensure_home_provider
from policies import services as policies_services

TRUSTED = {
    "name": "mistral-eu", "tier": "trusted", "family": "openai", "base_url": "https://api.mistral.example/v1",
    "key": "sk-limits-0000111", "model": "mistral-large", "jurisdiction": "FR",
    "price_in_per_mtok": "2", "price_out_per_mtok": "6",
}  # fmt: skip


def test_the_wizard_refuses_a_trusted_provider_without_zero_data_retention(owner_client: Client) -> None:
    body = owner_client.post("/setup/providers/", TRUSTED).content.decode()
    assert "A trusted provider must keep no data" in body and not Provider.objects.filter(name="mistral-eu").exists()
    assert 'value="https://api.mistral.example/v1"' in body, "what was typed is kept"


def test_the_wizard_asks_where_the_terms_say_so_and_when_they_were_read(owner_client: Client) -> None:
    body = owner_client.post("/setup/providers/", {**TRUSTED, "zero_data_retention": "on"}).content.decode()
    assert "Record where the provider&#x27;s terms promise zero data retention" in body
    assert not Provider.objects.filter(name="mistral-eu").exists()


def test_a_trusted_provider_with_its_terms_on_record_is_added_and_used(owner_client: Client) -> None:
    form = {**TRUSTED, "zero_data_retention": "on", "zdr_terms_url": "https://mistral.example/terms", "zdr_checked_on": "2026-11-20"}
    assert owner_client.post("/setup/providers/", form).status_code == 302
    added = Provider.objects.get(name="mistral-eu")
    assert added.zdr_recorded and added.zdr_checked_on == dt.date(2026, 11, 20)


@pytest.mark.django_db
def test_a_trusted_provider_saved_before_terms_were_asked_for_is_not_on_record() -> None:
    # What an upgraded box holds: the flag without terms; the router does not admit it to the tier.
    old = Provider.objects.create(name="old-trusted", tier="trusted", base_url="https://t.example/v1", zero_data_retention=True)
    assert not old.zdr_recorded
    with pytest.raises(ValidationError):
        old.full_clean()


@pytest.mark.django_db
def test_capabilities_naming_a_model_the_provider_does_not_list_are_refused() -> None:
    provider = Provider(name="c", tier="cloud", base_url="https://c.example/v1", model_names=["a"], model_caps={"b": {"context": 10}})
    with pytest.raises(ValidationError, match="does not list"):
        provider.full_clean()


@pytest.mark.django_db
def test_the_router_reads_the_household_s_priority_and_limits_as_soon_as_they_change() -> None:
    Household.objects.create(pk=1, name="The Smiths", priority="cheapest", jurisdictions={"cloud": {"deny": ["us"]}})
    read = policies_services.HOUSEHOLD.get()
    assert read.priorities.choice.name == "cheapest" and read.priorities.tiers["cloud"].deny == {"US"}
    Household.objects.filter(pk=1).update(priority="fastest")  # a queryset update bumps the version too
    assert policies_services.HOUSEHOLD.get().priorities.choice.name == "fastest"


@pytest.mark.django_db
def test_hand_edited_limits_that_cannot_be_read_let_nothing_leave_the_house() -> None:
    Household.objects.create(pk=1, name="The Smiths", jurisdictions={"cloud": {"allow": "nowhere at all"}})
    limits = policies_services.HOUSEHOLD.get().priorities.tiers
    assert set(limits) == {"trusted", "cloud"} and limits["cloud"].refuses("DE")


@pytest.mark.django_db
def test_the_home_provider_carries_the_served_model_s_context_and_quality_from_the_catalogue() -> None:
    ensure_home_provider()
    home = Provider.objects.get(name="home")
    bundled = catalogue.load().bundled()
    assert home.model_names == [settings.HEARTH_HOME_MODEL_NAME, bundled.name], "asked for by the engine's alias or its catalogue name"
    caps = home.model_caps[bundled.name]
    assert caps == home.model_caps[settings.HEARTH_HOME_MODEL_NAME]
    assert caps["quality"] == dict(bundled.quality) and 0 < caps["context"] <= bundled.context_length
    assert home.quality == dict(bundled.quality)["chat"]


def test_the_home_engine_is_asked_for_its_alias_whatever_name_the_device_used() -> None:
    from decimal import Decimal

    from gateway.providers import ProviderConfig

    home = ProviderConfig(
        1, "home", "openai", "home", "http://127.0.0.1:1/v1", "", ("home", "smollm2-135m-instruct"), Decimal(0), Decimal(0), 5
    )
    assert home.model_for("smollm2-135m-instruct") == home.model_for("hearth-auto") == "home"


def test_a_catalogue_entry_with_a_quality_for_an_unknown_task_is_refused() -> None:
    text = catalogue.BUILT_IN.read_text().replace("quality: {chat: 1,", "quality: {poetry: 1,", 1)
    with pytest.raises(catalogue.CatalogueError, match="poetry"):
        catalogue.parse(text)
