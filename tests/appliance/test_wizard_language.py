"""The wizard and the account pages in the household's language: their marked words reach the catalogue."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from appliance.models import Household


def de(msgid: str) -> str:
    """Return the box's own German for an English msgid (its catalogue, appliance/locale/de)."""
    with translation.override("de"):
        german = translation.gettext(msgid)
    assert german != msgid, f"no German for {msgid!r}"
    return german


PAGES = ["/setup/hardware/", "/setup/providers/", "/setup/rules/", "/setup/devices/", "/setup/finish/", "/account/", "/members/"]


def _speaks(language: str) -> None:
    Household.objects.filter(pk=1).update(language=language)


def test_the_hardware_step_is_shown_in_the_households_language(owner_client: Client) -> None:
    _speaks("de")
    page = owner_client.get("/setup/hardware/").content.decode()
    assert f"<h1>{de('Hardware found')}</h1>" in page
    assert f'<a href="/setup/providers/">{de("Providers")}</a>' in page  # a step's title, from the view
    assert de("%(cores)s cores").replace("%(cores)s", "") + "</p>" in page and " cores</p>" not in page  # a sentence with a number
    assert escape(de("in the box's memory")) in page  # where the store's fit puts a model, from Python


def test_the_finish_steps_form_and_buttons_are_shown_in_the_households_language(owner_client: Client) -> None:
    _speaks("de")
    page = owner_client.get("/setup/finish/").content.decode()
    assert f">{de('Backup passphrase')}:</label>" in page
    assert f">{de('Skip: no backups for now')}</button>" in page


def test_a_refused_sign_in_is_told_in_the_households_language(owner: Any) -> None:
    _speaks("de")
    page = Client().post("/login/", {"username": "owner", "password": "not-the-password"}).content.decode()
    assert f'id="login-error">{de("That user name and password (or code) do not match.")}</p>' in page
    assert f"<h1>{de('Sign in')}</h1>" in page


def test_a_household_whose_language_has_no_pages_sees_them_in_english(owner_client: Client) -> None:
    _speaks("it")
    page = owner_client.get("/setup/hardware/").content.decode()
    assert "<h1>Hardware found</h1>" in page and "fitted in the box&#x27;s memory" in page


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_every_wizard_and_account_page_opens_in_each_language_of_the_box(owner_client: Client, language: str) -> None:
    _speaks(language)
    for path in PAGES:
        response = owner_client.get(path)
        assert response.status_code == 200, path
        assert f'<html lang="{language}"' in response.content.decode(), path
