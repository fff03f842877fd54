"""The rules and providers pages are worded in the household's language, rules' sentences and tiers included."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from appliance.models import Household
from devices.services import add_device
from gateway.models import Provider
from policies.models import HouseholdRule


def de(msgid: str, context: str = "") -> str:
    """Return the box's own German for an English msgid (its catalogue, appliance/locale/de)."""
    with translation.override("de"):
        german = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    assert german != msgid or context, f"no German for {msgid!r}"
    return german


@pytest.fixture
def german(owner: Any) -> None:
    """A household that speaks German."""
    Household.objects.filter(pk=1).update(language="de")


def test_the_rules_page_says_each_rule_in_the_household_s_language(owner_client: Client, german: None) -> None:
    HouseholdRule.objects.create(position=0, name="Away", conditions={"presence": "away"}, actions={"max_tier": "home"})
    body = owner_client.get("/rules/").content.decode()
    assert f"<h1>{de('Rules')}</h1>" in body
    sentence = body[body.index('id="rule-') :]
    sentence = sentence[: sentence.index("</li>")] if "</li>" in sentence else sentence
    assert de("while nobody is home") in sentence and "while nobody is home" not in sentence


def test_the_rule_editor_names_the_classifier_s_labels_in_the_household_s_language(owner_client: Client, german: None) -> None:
    body = owner_client.get("/rules/new/").content.decode()
    assert f"{de('Health')}</label>" in body and de("Save the rule") in body


def test_a_request_no_rule_matches_is_said_to_be_decided_by_the_built_in_rule_in_the_household_s_language(
    owner_client: Client, german: None
) -> None:
    laptop = add_device("laptop", "laptop", "cloud").device
    body = owner_client.post(
        "/rules/try/", {"device": laptop.pk, "prompt": "What is a good bedtime story?", "presence": "home"}
    ).content.decode()
    assert f'{de("Decided by:")} <strong id="sim-rule">{de("Private until proven otherwise")}</strong>' in body


def test_the_providers_page_says_tiers_limits_and_counts_in_the_household_s_language(owner_client: Client, german: None) -> None:
    Provider.objects.create(name="far-away", tier="cloud", base_url="https://api.example.com/v1", model_names=["m"], jurisdiction="US")
    Household.objects.filter(pk=1).update(jurisdictions={"cloud": {"allow": ["EU"]}})
    body = owner_client.get("/providers/").content.decode()
    assert f"<h1>{de('Providers')}</h1>" in body
    assert escape(de("Cloud: generic requests, personal data replaced before they leave")) in body
    before_why = de("Not used for %(tier)s requests: %(why)s.").split("%(why)s")[0]
    refused = before_why % {"tier": de("cloud", "tier")} + "it is in US, outside EU"
    assert escape(refused) in body, "the router's reason stays as policies says it"
    with translation.override("de"):
        counted = translation.ngettext("did not answer first %(n)s time", "did not answer first %(n)s times", 0) % {"n": 0}
    assert escape(counted) in body and counted != "did not answer first 0 times"
