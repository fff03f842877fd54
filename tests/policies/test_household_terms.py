"""The household's private terms: the owner adds them in the admin or the wizard, and
screening finds them in every request from then on, before anything leaves the house."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client

from gateway.capture import CaptureUpstream
from gateway.models import AuditEvent, Provider
from policies import terms
from policies.detectors import HouseholdTerm as Term
from policies.models import HouseholdRule, HouseholdTerm
from policies.screening import screen
from tests.conftest import Live, PairedDevice, audited
from tests.support.served import wait_for_cloud

ADMIN = "/admin/policies/householdterm/"


@pytest.fixture
def owner_client(owner: Any) -> Client:
    c = Client()
    c.force_login(owner)
    return c


@pytest.mark.django_db
def test_the_owner_adds_a_term_in_the_admin_and_screening_finds_it_at_once(owner_client: Client) -> None:
    assert terms.cached_terms() == ()
    response = owner_client.post(ADMIN + "add/", {"label": "child's name", "value": "  Finn  ", "_save": "Save"})
    assert response.status_code == 302
    assert terms.cached_terms() == (Term("child's name", "Finn"),)
    found = screen("chat", {"messages": [{"role": "user", "content": "Is FINN at school?"}]}, 30.0, terms.cached_terms)
    assert not found["failed"], found["failed"]
    assert ("HOUSEHOLD", 3, 7) in [(k, s, e) for _, k, s, e in found["spans"]]


@pytest.mark.django_db
def test_an_edited_or_removed_term_is_read_again_at_once(owner_client: Client) -> None:
    term = terms.add_term("pet", "Biscuit")
    assert terms.cached_terms() == (Term("pet", "Biscuit"),)
    owner_client.post(f"{ADMIN}{term.pk}/change/", {"label": "pet", "value": "Pickle", "_save": "Save"})
    assert terms.cached_terms() == (Term("pet", "Pickle"),)
    owner_client.post(f"{ADMIN}{term.pk}/delete/", {"post": "yes"})
    assert terms.cached_terms() == ()


@pytest.mark.django_db
def test_a_household_member_cannot_see_or_change_the_terms(owner: Any) -> None:
    terms.add_term("street", "Elm Row")
    staff = get_user_model().objects.create_user("helper", password="x-unused-password-1", is_staff=True)
    c = Client()
    c.force_login(staff)
    assert c.get(ADMIN).status_code == 403
    assert c.post(ADMIN + "add/", {"label": "school", "value": "St Mary's"}).status_code == 403
    assert "Elm Row" not in c.get("/admin/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "  ", "F", "--", "a."])
def test_a_term_too_short_to_mean_anything_is_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        terms.add_term("child's name", value)
    assert not HouseholdTerm.objects.exists()


@pytest.mark.django_db
def test_the_history_of_a_change_names_the_term_by_its_label_never_its_value(owner: Any, owner_client: Client) -> None:
    owner_client.post(ADMIN + "add/", {"label": "school", "value": "St Mary's", "_save": "Save"})
    terms.add_term("pet", "Biscuit", by=owner)
    entries = list(LogEntry.objects.values_list("object_repr", "change_message", "user__username"))
    assert {e[0] for e in entries} == {"school", "pet"} and {e[2] for e in entries} == {"owner"}
    assert not any("St Mary" in f"{e[0]} {e[1]}" or "Biscuit" in f"{e[0]} {e[1]}" for e in entries)


@pytest.mark.django_db
def test_adding_a_term_writes_no_value_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        terms.add_term("child's name", "Finn")
        terms.cached_terms()
    assert "Finn" not in caplog.text


@pytest.mark.django_db
def test_the_wizard_asks_for_terms_and_lists_them(owner_client: Client) -> None:
    page = owner_client.get("/setup/rules/").content.decode()
    assert 'name="term-value"' in page and "private words" in page
    response = owner_client.post("/setup/rules/", {"term-label": "street", "term-value": "Elm Row"})
    assert response.status_code == 302
    assert list(HouseholdTerm.objects.values_list("label", "value")) == [("street", "Elm Row")]
    assert "Elm Row" in owner_client.get("/setup/rules/").content.decode()
    assert LogEntry.objects.get().object_repr == "street"
    owner_client.post("/setup/rules/", {"remove_term": str(HouseholdTerm.objects.get().pk)})
    assert not HouseholdTerm.objects.exists()


@pytest.mark.django_db
def test_the_wizard_shows_why_a_term_was_refused(owner_client: Client) -> None:
    response = owner_client.post("/setup/rules/", {"term-label": "pet", "term-value": "B"})
    assert response.status_code == 200 and "at least two letters" in response.content.decode()
    assert not HouseholdTerm.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_term_added_in_the_admin_is_replaced_before_a_cloud_provider_sees_it(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream, owner: Any
) -> None:
    HouseholdRule.objects.create(name="Up to the device's tier", conditions={}, actions={"max_tier": "cloud"})
    phone = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud")
    wait_for_cloud(live.api, phone.key)
    c = Client()
    c.force_login(owner)
    assert c.post(ADMIN + "add/", {"label": "child's name", "value": "Finn", "_save": "Save"}).status_code == 302
    capture.reset(echo=3)  # after the wait: only this request is recorded
    before = AuditEvent.objects.filter(device=phone.device).count()
    prompt = "Can Finn go to the party on Saturday? Finn said yes."
    response = httpx.post(
        f"{live.api}/chat/completions",
        json={"model": "cloudy-model", "messages": [{"role": "user", "content": prompt}]},
        headers={"Authorization": f"Bearer {phone.key}"},
        timeout=60,
    )
    assert response.status_code == 200 and response.headers["x-hearth-tier"] == "cloud"
    assert response.json()["choices"][0]["message"]["content"] == prompt, "the device gets the real name back"
    sent = capture.requests[0].json()["messages"][0]["content"]
    assert "finn" not in capture.all_bytes().decode().lower()
    assert sent.count("<HOUSEHOLD_1>") == 2
    event = audited(phone.device, before + 1)[-1]
    assert event.redactions.get("HOUSEHOLD") == 1
