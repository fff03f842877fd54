"""The rules and providers pages are worded in the household's language, rules' sentences and tiers included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from appliance.models import Household
from devices.services import add_device
from gateway.models import Provider
from policies.models import HouseholdRule
from tests.appliance.test_notices_language import write_catalogue

# What a German catalogue will say; written here because the box's own has no German yet.
GERMAN = {
    "Rules": "Regeln",
    "requests %(conditions)s": "Anfragen %(conditions)s",
    "while nobody is home": "während niemand zu Hause ist",
    "stays home": "bleibt zu Hause",
    "Health": "Gesundheit",
    "Save the rule": "Regel speichern",
    "Decided by:": "Entschieden von:",
    "Private until proven otherwise": "Privat, bis das Gegenteil bewiesen ist",
    "Providers": "Anbieter",
    "Cloud: generic requests, personal data replaced before they leave": "Cloud: allgemeine Anfragen, persönliche Daten ersetzt",
    "Not used for %(tier)s requests: %(why)s.": "Nicht genutzt für %(tier)s-Anfragen: %(why)s.",
    "tier\x04cloud": "Cloud",
    "did not answer first %(n)s time\x00did not answer first %(n)s times": "hat %(n)s Mal nicht zuerst geantwortet\x00hat %(n)s Mal nicht zuerst geantwortet",
}


@pytest.fixture
def german(settings: Any, tmp_path: Path) -> None:
    """A household that speaks German, with a German catalogue (LOCALE_PATHS changed: Django reads catalogues again)."""
    write_catalogue(tmp_path, "de", GERMAN)
    settings.LOCALE_PATHS = [tmp_path]
    Household.objects.filter(pk=1).update(language="de")


def test_the_rules_page_says_each_rule_in_the_household_s_language(owner_client: Client, german: None) -> None:
    HouseholdRule.objects.create(position=0, name="Away", conditions={"presence": "away"}, actions={"max_tier": "home"})
    body = owner_client.get("/rules/").content.decode()
    assert "<h1>Regeln</h1>" in body
    assert "Anfragen während niemand zu Hause ist: bleibt zu Hause." in body


def test_the_rule_editor_names_the_classifier_s_labels_in_the_household_s_language(owner_client: Client, german: None) -> None:
    body = owner_client.get("/rules/new/").content.decode()
    assert "Gesundheit</label>" in body and "Regel speichern" in body


def test_a_request_no_rule_matches_is_said_to_be_decided_by_the_built_in_rule_in_the_household_s_language(
    owner_client: Client, german: None
) -> None:
    laptop = add_device("laptop", "laptop", "cloud").device
    body = owner_client.post(
        "/rules/try/", {"device": laptop.pk, "prompt": "What is a good bedtime story?", "presence": "home"}
    ).content.decode()
    assert 'Entschieden von: <strong id="sim-rule">Privat, bis das Gegenteil bewiesen ist</strong>' in body


def test_the_providers_page_says_tiers_limits_and_counts_in_the_household_s_language(owner_client: Client, german: None) -> None:
    Provider.objects.create(name="far-away", tier="cloud", base_url="https://api.example.com/v1", model_names=["m"], jurisdiction="US")
    Household.objects.filter(pk=1).update(jurisdictions={"cloud": {"allow": ["EU"]}})
    body = owner_client.get("/providers/").content.decode()
    assert "<h1>Anbieter</h1>" in body and "Cloud: allgemeine Anfragen, persönliche Daten ersetzt" in body
    assert "Nicht genutzt für Cloud-Anfragen: it is in US, outside EU" in body, "the router's reason stays as policies says it"
    assert "hat 0 Mal nicht zuerst geantwortet" in body
