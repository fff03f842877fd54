"""The household's currency: asked when the box is claimed, used wherever a price or budget is shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.test.utils import override_settings

from appliance import setupcode
from appliance.household import money
from appliance.models import Household
from tests.conftest import OWNER_PASSWORD


@pytest.fixture
def code(tmp_path: Path) -> Iterator[str]:
    with override_settings(HEARTH_SETUP_CODE_FILE=str(tmp_path / "setup-code")):
        yield setupcode.ensure_setup_code()


def claim(code: str, **fields: str) -> None:
    form = {
        "code": code,
        "username": "owner",
        "password": OWNER_PASSWORD,
        "password2": OWNER_PASSWORD,
        "household": "The Smiths",
        "time_zone": "Europe/Zurich",
        "language": "de",
        **fields,
    }
    assert Client().post("/setup/", form).status_code == 302


def test_the_wizard_asks_the_household_s_currency_and_keeps_it(db: None, code: str) -> None:
    assert "Currency for prices and budgets" in Client().get("/setup/").content.decode()
    claim(code, currency="CHF")
    assert Household.objects.get(pk=1).currency == "CHF"


def test_a_claim_without_a_currency_gets_the_default(db: None, code: str) -> None:
    claim(code)
    assert Household.objects.get(pk=1).currency == "USD"


def test_a_currency_the_wizard_does_not_offer_is_a_form_error(db: None, code: str) -> None:
    form = {"code": code, "username": "owner", "password": OWNER_PASSWORD, "password2": OWNER_PASSWORD}
    body = Client().post("/setup/", {**form, "household": "H", "time_zone": "UTC", "language": "en", "currency": "XXX"}).content.decode()
    assert "Select a valid choice" in body and not Household.objects.exists()


def test_amounts_carry_their_currency() -> None:
    assert (money("1234.5", "EUR"), money(2, "CHF"), money("0.0125", "USD")) == ("€1,234.50", "CHF 2.00", "$0.01")
