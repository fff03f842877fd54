"""The wizard and the account pages in the household's language: their marked words reach the catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from appliance.models import Household
from tests.appliance.test_notices_language import write_catalogue

# What a German catalogue will say; written here because the box's own has no German yet.
GERMAN = {
    "Hardware found": "Gefundene Hardware",
    "Providers": "Anbieter",
    "%(cores)s cores": "%(cores)s Kerne",
    "in the box's memory": "im Speicher der Box",
    "Backup passphrase": "Passphrase der Sicherung",
    "Skip: no backups for now": "Überspringen: vorerst keine Sicherungen",
    "That user name and password (or code) do not match.": "Benutzername und Passwort (oder Code) passen nicht zusammen.",
    "Sign in": "Anmelden",
}

PAGES = ["/setup/hardware/", "/setup/providers/", "/setup/rules/", "/setup/devices/", "/setup/finish/", "/account/", "/members/"]


@pytest.fixture
def german(settings: Any, tmp_path: Path) -> None:
    """The box with a German catalogue (changing LOCALE_PATHS makes Django read catalogues again)."""
    write_catalogue(tmp_path, "de", GERMAN)
    settings.LOCALE_PATHS = [tmp_path]


def _speaks(language: str) -> None:
    Household.objects.filter(pk=1).update(language=language)


def test_the_hardware_step_is_shown_in_the_households_language(owner_client: Client, german: None) -> None:
    _speaks("de")
    page = owner_client.get("/setup/hardware/").content.decode()
    assert "<h1>Gefundene Hardware</h1>" in page
    assert '<a href="/setup/providers/">Anbieter</a>' in page  # a step's title, from the view
    assert " Kerne</p>" in page and " cores</p>" not in page  # a sentence with a number in it
    assert "fitted im Speicher der Box" in page  # where the store's fit puts a model, from Python


def test_the_finish_steps_form_and_buttons_are_shown_in_the_households_language(owner_client: Client, german: None) -> None:
    _speaks("de")
    page = owner_client.get("/setup/finish/").content.decode()
    assert ">Passphrase der Sicherung:</label>" in page
    assert ">Überspringen: vorerst keine Sicherungen</button>" in page


def test_a_refused_sign_in_is_told_in_the_households_language(owner: Any, german: None) -> None:
    _speaks("de")
    page = Client().post("/login/", {"username": "owner", "password": "not-the-password"}).content.decode()
    assert 'id="login-error">Benutzername und Passwort (oder Code) passen nicht zusammen.</p>' in page
    assert "<h1>Anmelden</h1>" in page


def test_a_household_whose_language_has_no_pages_sees_them_in_english(owner_client: Client, german: None) -> None:
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
