"""The record of settings changes: who changed what, from what to what, sealed on a chain of its own."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from devices import services as device_services
from gateway.models import Provider, SettingsChange
from policies import services as rule_services
from policies.models import HouseholdRule, HouseholdTerm

KEY = "sk-live-UNMISTAKABLE7c1d9e-4b2a"


@pytest.fixture
def owner_client(owner: Any) -> Client:
    c = Client()
    c.force_login(owner)
    return c


def changes(**match: str) -> list[SettingsChange]:
    return list(SettingsChange.objects.filter(**match).order_by("seq"))


def dump() -> str:
    """Every row of every table, as `manage.py dumpdata` writes it."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def provider_form(provider: Provider, **changed: Any) -> dict[str, Any]:
    """The admin's change form of a provider as the page fills it in, with some fields changed."""
    data: dict[str, Any] = {
        "name": provider.name, "family": provider.family, "tier": provider.tier, "base_url": provider.base_url,
        "model_names": json.dumps(provider.model_names), "jurisdiction": provider.jurisdiction,
        "price_in_per_mtok": str(provider.price_in_per_mtok), "price_out_per_mtok": str(provider.price_out_per_mtok),
        "quality": provider.quality, "first_byte_timeout": provider.first_byte_timeout, "api_key": "",
    }  # fmt: skip
    for flag in ("zero_data_retention", "takes_images", "forces_tool_calls", "enabled"):
        if getattr(provider, flag):
            data[flag] = "on"
    data.update(changed)
    return data


def rule_form(rule: HouseholdRule, **changed: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "position": rule.position,
        "name": rule.name,
        "conditions": json.dumps(rule.conditions),
        "actions": json.dumps(rule.actions),
    }
    if rule.enabled:
        data["enabled"] = "on"
    data.update(changed)
    return data


def test_changing_the_privacy_level_records_the_owner_with_the_old_and_new_level(owner_client: Client) -> None:
    response = owner_client.post("/audit/settings/", {"retention_days": 0, "privacy": "no_names"})
    assert response.status_code == 302
    [change] = changes(kind="household", action="changed")
    assert (change.actor, change.field) == ("owner", "privacy level")
    assert (change.old_value, change.new_value) == ("Full metadata", "Without device names")


def test_changing_the_retention_alone_records_only_the_retention(owner_client: Client) -> None:
    owner_client.post("/audit/settings/", {"retention_days": 30, "privacy": "full"})
    assert [(c.field, c.old_value, c.new_value) for c in changes(kind="household", action="changed")] == [
        ("keep audit rows", "forever", "30 days")
    ]


def test_a_new_provider_key_is_recorded_as_key_changed_and_the_key_is_nowhere_in_the_database(owner_client: Client) -> None:
    provider = Provider(name="openai", tier="cloud", base_url="https://api.openai.com/v1", model_names=["gpt-4o-mini"])
    provider.set_api_key("sk-old-key-000000000000")
    provider.save()
    response = owner_client.post(f"/admin/gateway/provider/{provider.pk}/change/", provider_form(provider, api_key=KEY))
    assert response.status_code == 302, response.content.decode()[:2000]
    [change] = changes(kind="provider", name="openai", action="changed")
    assert (change.actor, change.field, change.old_value, change.new_value) == ("owner", "API key", "", "key changed")
    everything = dump()
    assert KEY not in everything and "UNMISTAKABLE" not in everything


def test_editing_a_provider_in_the_admin_records_each_changed_field(owner_client: Client) -> None:
    provider = Provider.objects.create(name="eu-trusted", tier="trusted", base_url="https://eu.example/v1", model_names=["m"])
    owner_client.post(f"/admin/gateway/provider/{provider.pk}/change/", provider_form(provider, tier="cloud", quality=8))
    recorded = {(c.field, c.old_value, c.new_value) for c in changes(kind="provider", name="eu-trusted", action="changed")}
    assert recorded == {("tier", "trusted", "cloud"), ("quality", "5", "8")}


def test_adding_a_household_term_records_its_label_never_its_value(owner_client: Client) -> None:
    response = owner_client.post("/admin/policies/householdterm/add/", {"label": "child's name", "value": "Finnegan"})
    assert response.status_code == 302
    assert HouseholdTerm.objects.filter(value="Finnegan").exists()
    [change] = changes(kind="household term")
    assert (change.actor, change.name, change.action) == ("owner", "child's name", "added")
    recorded = json.dumps([[c.name, c.field, c.old_value, c.new_value] for c in SettingsChange.objects.all()])
    assert "Finnegan" not in recorded


def test_changing_a_household_terms_value_records_that_it_changed_not_what_to(owner_client: Client) -> None:
    term = HouseholdTerm.objects.create(label="street", value="Elm Row")
    owner_client.post(f"/admin/policies/householdterm/{term.pk}/change/", {"label": "street", "value": "Birch Lane"})
    [change] = changes(kind="household term", action="changed")
    assert (change.name, change.field, change.new_value) == ("street", "value", "value changed")
    assert "Birch" not in json.dumps([[c.old_value, c.new_value] for c in SettingsChange.objects.all()])


def test_a_rule_edited_in_the_admin_is_recorded_with_its_old_and_new_actions(owner_client: Client) -> None:
    rule = HouseholdRule.objects.create(name="Kids stay home", conditions={"categories": ["kids"]}, actions={"max_tier": "home"})
    form = rule_form(rule, actions=json.dumps({"max_tier": "trusted"}))
    response = owner_client.post(f"/admin/policies/householdrule/{rule.pk}/change/", form)
    assert response.status_code == 302
    [change] = changes(kind="rule", name="Kids stay home", action="changed")
    assert (change.actor, change.field) == ("owner", "actions")
    assert (change.old_value, change.new_value) == ('{"max_tier": "home"}', '{"max_tier": "trusted"}')


def test_a_yaml_import_records_only_what_changed_in_each_rule(owner_client: Client) -> None:
    rule_services.replace_rules(
        [
            {"name": "Kids stay home", "conditions": {"categories": ["kids"]}, "actions": {"max_tier": "home"}},
            {"name": "Laptops", "conditions": {"categories": ["laptop"]}, "actions": {"max_tier": "cloud"}},
        ]
    )
    before = SettingsChange.objects.count()
    text = rule_services.export_yaml().replace("max_tier: cloud", "max_tier: trusted")
    upload = SimpleUploadedFile("rules.yaml", text.encode(), content_type="application/yaml")
    response = owner_client.post("/admin/policies/householdrule/import/", {"file": upload})
    assert response.status_code == 302
    recorded = [(c.actor, c.name, c.action, c.field) for c in SettingsChange.objects.filter(seq__gt=before).order_by("seq")]
    assert recorded == [("owner", "Laptops", "changed", "actions")]  # "Kids stay home" is as it was
    change = SettingsChange.objects.get(name="Laptops", action="changed")
    assert (change.old_value, change.new_value) == ('{"max_tier": "cloud"}', '{"max_tier": "trusted"}')


def test_a_change_from_a_management_command_is_recorded_as_the_console() -> None:
    call_command("device", "add", "kitchen-speaker", stdout=io.StringIO())
    [change] = changes(kind="device", name="kitchen-speaker")
    assert (change.actor, change.action) == ("console", "paired")


def test_revoking_a_device_in_the_admin_records_its_key_state(owner_client: Client) -> None:
    device = device_services.add_device("tv").device
    response = owner_client.post("/admin/devices/device/", {"action": "revoke_keys", "_selected_action": [device.pk]})
    assert response.status_code == 302
    [change] = changes(kind="device", name="tv", action="changed")
    assert (change.actor, change.field, change.old_value, change.new_value) == ("owner", "key state", "active", "revoked")


def test_rotating_a_device_key_records_key_rotated_and_never_the_key(owner_client: Client) -> None:
    device = device_services.add_device("phone").device
    response = owner_client.post("/admin/devices/device/", {"action": "rotate_keys", "_selected_action": [device.pk]})
    assert response.status_code == 200
    [change] = changes(kind="device", name="phone", action="changed")
    assert (change.field, change.old_value, change.new_value) == ("key", "", "key rotated")
    device.refresh_from_db()
    assert device.key_hash not in json.dumps([[c.old_value, c.new_value] for c in SettingsChange.objects.all()])


def test_audit_verify_finds_a_tampered_settings_change(owner_client: Client) -> None:
    owner_client.post("/audit/settings/", {"retention_days": 0, "privacy": "counts"})
    owner_client.post("/audit/settings/", {"retention_days": 0, "privacy": "full"})
    call_command("audit", "verify", stdout=io.StringIO())  # intact so far
    loosened = SettingsChange.objects.get(field="privacy level", new_value="Full metadata")
    SettingsChange.objects.filter(pk=loosened.pk).update(actor="teen")
    with pytest.raises(CommandError, match=f"settings change {loosened.seq}.*does not match its hash"):
        call_command("audit", "verify", stdout=io.StringIO())


def test_audit_verify_finds_a_deleted_settings_change(owner_client: Client) -> None:
    owner_client.post("/audit/settings/", {"retention_days": 7, "privacy": "full"})
    owner_client.post("/audit/settings/", {"retention_days": 0, "privacy": "full"})
    SettingsChange.objects.filter(field="keep audit rows", new_value="forever").delete()
    with pytest.raises(CommandError, match="settings changes' chain breaks at its end"):
        call_command("audit", "verify", stdout=io.StringIO())
