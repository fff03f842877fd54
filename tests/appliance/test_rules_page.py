"""The rules page: rules as sentences, edited with form controls, reordered, tried; JSON only for files."""

from __future__ import annotations

import io
from typing import Any

from django.test import Client

from appliance.rules_words import active_preset, sentence
from devices.services import add_device
from gateway.models import Provider, SettingsChange
from policies import services as rule_services
from policies.models import HouseholdRule
from policies.rules import parse_rule


def rule(name: str, conditions: dict[str, Any], actions: dict[str, Any], position: int = 0, enabled: bool = True) -> HouseholdRule:
    return HouseholdRule.objects.create(position=position, name=name, conditions=conditions, actions=actions, enabled=enabled)


def names() -> list[str]:
    return list(HouseholdRule.objects.values_list("name", flat=True))


def form_for(name: str, **fields: Any) -> dict[str, Any]:
    """Return what the editor posts for a rule with these answers (the rest left as the form starts)."""
    data: dict[str, Any] = {
        "name": name,
        "enabled": "on",
        "outcome": "allow",
        "max_tier": "home",
        "prefer": "",
        "keep_prompt_days": "0",
        "rate_per_minute": "0",
        "monthly_budget": "0",
    }
    data.update(fields)
    return data


def test_a_rule_reads_as_a_sentence_with_labels_and_kinds_by_name() -> None:
    spec = parse_rule(
        "Money",
        {"categories": ["kids"], "labels": {"identity_contact": 0.6}, "data": ["IBAN"]},
        {"max_tier": "trusted", "prefer": "home", "data": {"EMAIL": "keep"}},
    )
    text = sentence(spec, "Europe/Paris")
    assert text == (
        "Requests from a kids' device, about identity and contact details (at least 60 %), containing bank account numbers (IBAN): "
        "may go to a trusted provider, personal data replaced except e-mail addresses; prefer home."
    )
    assert "identity_contact" not in text


def test_the_page_lists_the_rules_as_sentences_and_the_built_in_last_rule(owner_client: Client) -> None:
    rule("Kids' devices", {"categories": ["kids"]}, {"max_tier": "home"})
    body = owner_client.get("/rules/").content.decode()
    assert "Requests from a kids&#x27; device: stays home." in body
    assert '{"categories"' not in body and "max_tier" not in body, "no JSON on the page"
    assert body.index("Kids&#x27; devices") < body.index("Private until proven otherwise")


def test_the_page_names_the_active_preset_and_says_when_it_was_changed(owner_client: Client) -> None:
    owner_client.post("/rules/preset/", {"preset": "household"})
    assert "Preset: <strong>The household&#x27;s stories</strong>" in owner_client.get("/rules/").content.decode()
    HouseholdRule.objects.filter(name="Generic questions").update(actions={"max_tier": "cloud", "blur_faces": True})
    assert "changed since it was applied" in owner_client.get("/rules/").content.decode()


def test_a_preset_lowered_to_the_box_s_providers_still_counts_as_that_preset(db: None) -> None:
    rule_services.apply_preset("household", set())  # no providers: every tier lowered to home
    stored = [{"name": r.name, "enabled": r.enabled, "conditions": r.conditions, "actions": r.actions} for r in HouseholdRule.objects.all()]
    match = active_preset(stored, rule_services.presets())
    assert (match.name, match.changed) == ("household", False)


def test_a_warning_is_shown_beside_the_rule_it_concerns(owner_client: Client) -> None:
    rule("Everything to the cloud", {}, {"max_tier": "cloud"}, position=0)
    rule("Kids", {"categories": ["kids"]}, {"max_tier": "home"}, position=1)
    body = owner_client.get("/rules/").content.decode()
    kids = body[body.index('id="rule-' + str(HouseholdRule.objects.get(name="Kids").pk)) :]
    kids = kids[: kids.index("</li>")]
    assert "shadowed by the earlier rule" in kids
    cloud = body[body.index("Everything to the cloud") :]
    assert "no cloud provider is configured" in cloud[: cloud.index("</li>")]


def test_the_owner_adds_a_rule_with_form_controls(owner_client: Client) -> None:
    fields = form_for(
        "Health stays home at night",
        label_health="on",
        label_health_min="0.7",
        categories=["speaker", "tv"],
        time_on="on",
        time_from="22:00",
        time_to="06:00",
        time_days=["mon", "tue"],
        do_EMAIL="block",
    )
    response = owner_client.post("/rules/new/", fields)
    assert response.status_code == 302
    saved = HouseholdRule.objects.get(name="Health stays home at night")
    assert saved.conditions == {
        "categories": ["speaker", "tv"],
        "labels": {"health": 0.7},
        "time": {"from": "22:00", "to": "06:00", "days": ["mon", "tue"]},
    }
    assert saved.actions == {"max_tier": "home", "data": {"EMAIL": "block"}}


def test_the_editor_shows_a_stored_rule_with_its_controls_set(owner_client: Client) -> None:
    stored = rule("Kids", {"categories": ["kids"], "labels": {"health": 0.65}}, {"max_tier": "trusted", "blur_faces": True})
    body = owner_client.get(f"/rules/{stored.pk}/").content.decode()
    assert 'name="categories" value="kids" id="id_categories_4" checked' in body
    assert 'type="range" name="label_health_min" value="0.65"' in body
    assert '<option value="trusted" selected>' in body
    assert 'name="blur_faces" id="id_blur_faces" checked' in body


def test_editing_a_rule_changes_it_and_records_who_changed_what(owner_client: Client) -> None:
    stored = rule("Generic", {"labels": {"general": 0.5}}, {"max_tier": "cloud"})
    fields = form_for("Generic", label_general="on", label_general_min="0.5", max_tier="trusted")
    assert owner_client.post(f"/rules/{stored.pk}/", fields).status_code == 302
    stored.refresh_from_db()
    assert stored.actions == {"max_tier": "trusted"}
    [change] = SettingsChange.objects.filter(kind="rule", name="Generic", action="changed")
    assert change.actor == "owner" and "cloud" in change.old_value and "trusted" in change.new_value


def test_a_rule_that_cannot_be_saved_gets_a_form_error_and_keeps_every_answer(owner_client: Client) -> None:
    fields = form_for("Late", max_tier="home", prefer="cloud", categories=["tv"], label_finance="on", label_finance_min="0.8")
    response = owner_client.post("/rules/new/", fields)
    body = response.content.decode()
    assert response.status_code == 200 and "This rule cannot be saved" in body and "less trusted than" in body
    assert 'value="Late"' in body and 'value="tv" id="id_categories_3" checked' in body and 'value="0.8"' in body
    assert not HouseholdRule.objects.exists()


def test_a_rule_keeps_health_in_the_eu_with_form_controls_and_reads_so(owner_client: Client) -> None:
    fields = form_for("Health in the EU", max_tier="cloud", label_health="on", label_health_min="0.6", only_in="eu, ch", require_zdr="on")
    assert owner_client.post("/rules/new/", fields).status_code == 302
    stored = HouseholdRule.objects.get(name="Health in the EU")
    assert stored.actions["jurisdictions"] == {"allow": ["eu", "ch"]} and stored.actions["require_zdr"] is True
    assert stored.spec().actions.jurisdictions.allow == {"EU", "CH"}
    assert "only to providers in CH or EU, only where zero data retention is on record" in owner_client.get("/rules/").content.decode()


def test_a_jurisdiction_that_is_not_a_country_code_gets_a_form_error_and_keeps_the_answer(owner_client: Client) -> None:
    body = owner_client.post("/rules/new/", form_for("Where", max_tier="cloud", never_in="United States")).content.decode()
    assert "This rule cannot be saved" in body and "two-letter country code" in body and 'value="United States"' in body
    assert not HouseholdRule.objects.exists()


def test_a_time_window_without_times_gets_a_form_error(owner_client: Client) -> None:
    body = owner_client.post("/rules/new/", form_for("Nights", time_on="on", time_from="")).content.decode()
    assert "say from and to what time" in body and not HouseholdRule.objects.exists()


def test_a_refusal_without_a_message_gets_a_form_error(owner_client: Client) -> None:
    body = owner_client.post("/rules/new/", form_for("No", outcome="block", block="  ")).content.decode()
    assert "write the message a refused device receives" in body and not HouseholdRule.objects.exists()


def test_two_rules_cannot_share_a_name(owner_client: Client) -> None:
    rule("Kids", {"categories": ["kids"]}, {"max_tier": "home"})
    body = owner_client.post("/rules/new/", form_for("Kids")).content.decode()
    assert "already called" in body and HouseholdRule.objects.count() == 1


def test_the_arrows_move_a_rule_without_javascript(owner_client: Client) -> None:
    rule("A", {"categories": ["tv"]}, {"max_tier": "home"}, position=0)
    b = rule("B", {"categories": ["kids"]}, {"max_tier": "home"}, position=1)
    assert owner_client.post(f"/rules/{b.pk}/move/", {"direction": "up"}).status_code == 302
    assert names() == ["B", "A"]
    owner_client.post(f"/rules/{b.pk}/move/", {"direction": "up"})  # already first: stays
    assert names() == ["B", "A"]


def test_dragging_sends_the_whole_order_and_a_partial_one_changes_nothing(owner_client: Client) -> None:
    a = rule("A", {"categories": ["tv"]}, {"max_tier": "home"}, position=0)
    b = rule("B", {"categories": ["kids"]}, {"max_tier": "home"}, position=1)
    c = rule("C", {"categories": ["camera"]}, {"max_tier": "home"}, position=2)
    assert owner_client.post("/rules/order/", {"order": [c.pk, a.pk, b.pk]}).status_code == 200
    assert names() == ["C", "A", "B"]
    refused = owner_client.post("/rules/order/", {"order": [b.pk, a.pk]})
    assert refused.status_code == 400 and names() == ["C", "A", "B"]


def test_a_member_reads_the_rules_but_sees_no_editing_controls(member_client: Client) -> None:
    stored = rule("Kids", {"categories": ["kids"]}, {"max_tier": "home"})
    body = member_client.get("/rules/").content.decode()
    assert "Requests from a kids&#x27; device" in body and f"/rules/{stored.pk}/" not in body and "Add a rule" not in body
    assert member_client.post(f"/rules/{stored.pk}/", form_for("Kids", max_tier="cloud")).status_code == 403


def test_try_a_request_applies_the_rules_on_the_same_page_and_sends_nothing(owner_client: Client) -> None:
    rule("Laptop to the cloud", {"categories": ["laptop"]}, {"max_tier": "cloud"})
    laptop = add_device("laptop", "laptop", "cloud").device
    Provider.objects.create(name="far-away", tier="cloud", base_url="http://127.0.0.1:9/v1", model_names=["far-model"])
    Provider.objects.filter(name="home").update(enabled=False)  # else the home engine would answer first
    body = owner_client.post(
        "/rules/try/", {"device": laptop.pk, "prompt": "Mail maria.lopez@example.org about Tuesday", "presence": "home"}
    ).content.decode()
    assert 'id="simulation"' in body and 'id="sim-rule">Laptop to the cloud<' in body and 'id="sim-tier">cloud<' in body
    assert 'id="sim-provider">far-away (cloud)<' in body, "the provider the real path would use"
    assert "e-mail addresses: <code>maria.lopez@example.org</code>" in body
    assert "Mail &lt;EMAIL_1&gt; about Tuesday" in body
    assert "Requests from a phone, laptop or app: may go to the cloud" in body, "the rules stay listed beside the result"


def test_try_a_request_lists_every_provider_in_order_with_why_each_was_kept_or_ruled_out(owner_client: Client) -> None:
    rule("Health stays in the EU", {"categories": ["laptop"]}, {"max_tier": "cloud", "jurisdictions": {"allow": ["EU"]}})
    laptop = add_device("laptop", "laptop", "cloud").device
    Provider.objects.create(name="far-away", tier="cloud", base_url="http://127.0.0.1:9/v1", model_names=["m"], jurisdiction="US")
    Provider.objects.create(name="near-by", tier="cloud", base_url="http://127.0.0.1:9/v1", model_names=["n"], jurisdiction="DE")
    body = owner_client.post(
        "/rules/try/", {"device": laptop.pk, "prompt": "What is a good bedtime story?", "presence": "home"}
    ).content.decode()
    table = body[body.index('id="sim-candidates"') :]
    assert table.index("near-by") < table.index("far-away"), "the kept ones first"
    assert "ruled out</span></td><td>it is in US, outside EU (rule &#x27;Health stays in the EU&#x27; keeps data only in EU)" in table
    assert 'id="sim-task">' in body


def test_try_a_request_without_a_device_or_kind_gets_a_form_error_and_keeps_the_text(owner_client: Client) -> None:
    body = owner_client.post("/rules/try/", {"prompt": "Who is at the door?", "presence": "home"}).content.decode()
    assert "Pick a device or a kind of device" in body and "Who is at the door?" in body and 'id="simulation"' not in body


def test_the_rules_export_as_yaml_and_a_bad_file_changes_nothing(owner_client: Client) -> None:
    rule("Kids", {"categories": ["kids"]}, {"max_tier": "home"})
    exported = owner_client.get("/rules/export.yaml").content.decode()
    assert "name: Kids" in exported
    bad = io.BytesIO(b"rules:\n  - name: Oops\n    actions: {max_tier: moon}\n")
    bad.name = "bad.yaml"
    owner_client.post("/rules/import/", {"file": bad})
    assert names() == ["Kids"]
    assert "Nothing was changed" in owner_client.get("/rules/").content.decode()
    good = io.BytesIO(exported.replace("Kids", "Children").encode())
    good.name = "good.yaml"
    owner_client.post("/rules/import/", {"file": good})
    assert names() == ["Children"]


def test_a_budget_is_shown_in_the_household_s_currency(owner_client: Client) -> None:
    from appliance.models import Household

    Household.objects.filter(pk=1).update(currency="EUR")
    rule("Capped", {"categories": ["laptop"]}, {"max_tier": "cloud", "monthly_budget": 5.0})
    Provider.objects.create(name="cloudy", tier="cloud", base_url="http://127.0.0.1:9/v1")
    assert "at most EUR 5 a month per device outside the home" in owner_client.get("/rules/").content.decode()
