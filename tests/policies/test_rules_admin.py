"""Editing rules in the admin: presets, validation, warnings, YAML, and the simulator."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from devices.services import add_device
from gateway.models import Provider
from policies.models import HouseholdRule

pytestmark = pytest.mark.django_db
BASE = "/admin/policies/householdrule/"


def test_the_owner_picks_a_preset_and_sees_warnings_for_missing_providers(admin_client: Client) -> None:
    response = admin_client.post(BASE + "preset/", {"preset": "household"})
    assert response.status_code == 302
    assert HouseholdRule.objects.filter(name="Kids' devices").exists()
    # No trusted or cloud provider here: the preset was fitted down to home.
    assert set(HouseholdRule.objects.values_list("actions__max_tier", flat=True)) == {"home"}
    Provider.objects.create(name="cloudy", tier="cloud", base_url="https://example.invalid/v1", model_names=["m"])
    HouseholdRule.objects.create(position=99, name="Late cloud", conditions={"labels": {"general": 0.9}}, actions={"max_tier": "cloud"})
    page = admin_client.get(BASE).content.decode()
    assert "Try a request" in page
    HouseholdRule.objects.create(position=100, name="Trusted too", conditions={}, actions={"max_tier": "trusted"})
    page = admin_client.get(BASE).content.decode()
    assert "allows the trusted tier, but no trusted provider is configured" in page


def test_an_invalid_rule_gets_a_form_error_and_is_not_saved(admin_client: Client) -> None:
    response = admin_client.post(
        BASE + "add/",
        {"position": 0, "name": "Bad", "enabled": "on", "conditions": '{"categories": ["toaster"]}', "actions": '{"max_tier": "home"}'},
    )
    assert response.status_code == 200
    assert "unknown values toaster" in response.content.decode()
    assert not HouseholdRule.objects.filter(name="Bad").exists()


def test_yaml_export_and_a_rejected_import_keep_the_rules(admin_client: Client) -> None:
    admin_client.post(BASE + "preset/", {"preset": "careful"})
    exported = admin_client.get(BASE + "export/").content
    assert b"Cameras stay home" in exported
    bad = io.BytesIO(b"rules:\n  - name: x\n    actions: {max_tier: everywhere}\n")
    bad.name = "rules.yaml"
    response = admin_client.post(BASE + "import/", {"file": bad})
    assert "must be one of home, trusted, cloud" in response.content.decode()
    assert HouseholdRule.objects.filter(name="Cameras stay home").exists()
    good = io.BytesIO(exported)
    good.name = "rules.yaml"
    assert admin_client.post(BASE + "import/", {"file": good}).status_code == 302


def test_the_simulator_shows_labels_spans_decision_and_the_redacted_text_without_sending(admin_client: Client) -> None:
    admin_client.post(BASE + "preset/", {"preset": "household"})
    HouseholdRule.objects.create(
        position=0, name="Laptop to the cloud", conditions={"categories": ["laptop"]}, actions={"max_tier": "cloud"}
    )
    laptop = add_device("laptop", "laptop", "cloud").device
    Provider.objects.create(name="far-away", tier="cloud", base_url="http://127.0.0.1:9/v1", model_names=["far-model"])
    Provider.objects.filter(name="home").update(enabled=False)  # else the home engine ranks first
    page = admin_client.post(
        BASE + "simulate/", {"device": laptop.pk, "prompt": "Mail maria.lopez@example.org about Tuesday", "presence": "home"}
    ).content.decode()
    assert "Laptop to the cloud" in page and "cloud" in page
    assert '<td id="provider">far-away</td>' in page, "the provider the real path would use"
    assert "EMAIL: <code>maria.lopez@example.org</code>" in page
    assert "Mail &lt;EMAIL_1&gt; about Tuesday" in page, "the text exactly as the provider would receive it"


def test_the_simulator_says_when_no_provider_the_rules_allow_is_there(admin_client: Client) -> None:
    HouseholdRule.objects.create(position=0, name="Laptop to the cloud", conditions={}, actions={"max_tier": "cloud"})
    Provider.objects.filter(name="home").update(enabled=False)
    laptop = add_device("laptop", "laptop", "cloud").device
    page = admin_client.post(
        BASE + "simulate/", {"device": laptop.pk, "prompt": "Mail maria.lopez@example.org about Tuesday", "presence": "home"}
    ).content.decode()
    assert "none: No provider the household&#x27;s rules allow can answer" in page
    assert "maria.lopez@example.org about Tuesday</pre>" in page, "nothing is sent, so nothing is shown redacted"


def test_the_simulator_tries_a_category_without_a_device_and_asks_for_one_of_them(admin_client: Client) -> None:
    admin_client.post(BASE + "preset/", {"preset": "household"})
    page = admin_client.post(
        BASE + "simulate/", {"category": "camera", "prompt": "Who is at the door?", "presence": "home"}
    ).content.decode()
    assert "Cameras stay home" in page and "stays home" in page
    neither = admin_client.post(BASE + "simulate/", {"prompt": "Who is at the door?", "presence": "home"}).content.decode()
    assert "Pick a device or a category" in neither and 'id="simulation"' not in neither
    laptop = add_device("laptop", "laptop", "cloud").device
    both = admin_client.post(
        BASE + "simulate/", {"device": laptop.pk, "category": "camera", "prompt": "hi", "presence": "home"}
    ).content.decode()
    assert "Pick a device or a category" in both


def test_a_household_member_cannot_change_rules(client: Client, django_user_model) -> None:  # type: ignore[no-untyped-def]
    django_user_model.objects.create_user("member", password="a-long-password-1", is_staff=True)
    client.login(username="member", password="a-long-password-1")
    assert client.post(BASE + "preset/", {"preset": "home-only"}).status_code == 403


def test_the_rule_list_warns_with_an_example_when_more_sensitivity_gets_less_protection(admin_client: Client) -> None:
    HouseholdRule.objects.create(
        position=0, name="Health to trusted", conditions={"labels": {"health": 0.5}}, actions={"max_tier": "trusted"}
    )
    page = admin_client.get(BASE).content.decode()
    assert 'id="monotonicity"' in page
    assert "Raising health from 0.00 to 0.50" in page
    assert "Private until proven otherwise" in page and "Health to trusted" in page


def test_the_household_preset_gets_no_monotonicity_warning(admin_client: Client) -> None:
    for tier in ("trusted", "cloud"):
        Provider.objects.create(name=tier, tier=tier, base_url="https://example.invalid/v1", model_names=["m"])
    admin_client.post(BASE + "preset/", {"preset": "household"})
    assert HouseholdRule.objects.filter(actions__max_tier="cloud").exists()
    assert 'id="monotonicity"' not in admin_client.get(BASE).content.decode()


def test_the_rule_editor_explains_that_general_means_no_sensitive_label(admin_client: Client) -> None:
    page = admin_client.get(BASE + "add/").content.decode()
    assert "general is the absence of sensitivity" in page
