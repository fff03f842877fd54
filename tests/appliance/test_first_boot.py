"""First boot: the setup code, the redirect to the wizard, claiming the box once."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import override_settings

from appliance import setupcode
from appliance.models import Household

PASSWORD = "ember-lantern-quiet-42"


@pytest.fixture
def code_file(tmp_path: Path) -> Iterator[Path]:
    file = tmp_path / "setup-code"
    with override_settings(HEARTH_SETUP_CODE_FILE=str(file)):
        yield file


def claim(client: Client, code: str, **extra: str) -> Client:
    client.post(
        "/setup/",
        {
            "code": code,
            "username": "owner",
            "password": PASSWORD,
            "password2": PASSWORD,
            "household": "The Smiths",
            "time_zone": "UTC",
            "language": "en",
        },
        **extra,
    )
    return client


def test_the_setup_code_is_made_once_readable_by_the_box_only(code_file: Path) -> None:
    code = setupcode.ensure_setup_code()
    assert code_file.read_text().strip() == code and len(code) == 9 and code[4] == "-"
    assert stat.S_IMODE(code_file.stat().st_mode) == 0o640
    assert setupcode.ensure_setup_code() == code


def test_a_code_the_image_wrote_is_used_as_it_is(code_file: Path) -> None:
    code_file.write_text("ABCD-EFGH\n")
    assert setupcode.matches("abcd efgh") and not setupcode.matches("ABCD-EFGX")


def test_until_the_box_has_an_owner_every_page_leads_to_the_wizard(db: None, code_file: Path) -> None:
    client = Client()
    for path in ["/", "/dashboard/", "/audit/", "/admin/", "/login/", "/members/"]:
        assert client.get(path).headers["Location"] == "/setup/", path
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/v1/models").status_code == 401
    assert client.get("/static/appliance/hearth.css").status_code != 302


def test_the_box_is_claimed_only_with_its_setup_code(db: None, code_file: Path) -> None:
    claim(Client(), "WRNG-CODE")
    assert not get_user_model().objects.exists()
    client = claim(Client(), setupcode.ensure_setup_code())
    owner = get_user_model().objects.get()
    assert owner.is_superuser and owner.check_password(PASSWORD) and owner.password.startswith("argon2")
    assert Household.objects.get().name == "The Smiths"
    assert client.get("/dashboard/").status_code == 200


def test_nobody_claims_a_box_that_has_an_owner(db: None, code_file: Path) -> None:
    claim(Client(), setupcode.ensure_setup_code())
    response = Client().post("/setup/", {"code": setupcode.ensure_setup_code(), "username": "intruder"})
    assert response.status_code == 302 and response.headers["Location"] == "/login/"
    assert get_user_model().objects.count() == 1


def test_guessing_the_setup_code_is_throttled_per_address(db: None, code_file: Path) -> None:
    for _ in range(5):
        claim(Client(), "WRNG-CODE", REMOTE_ADDR="10.0.0.66")
    claim(Client(), setupcode.ensure_setup_code(), REMOTE_ADDR="10.0.0.66")
    assert not get_user_model().objects.exists()
    claim(Client(), setupcode.ensure_setup_code(), REMOTE_ADDR="10.0.0.7")
    assert get_user_model().objects.count() == 1


def test_a_weak_password_does_not_claim_the_box(db: None, code_file: Path) -> None:
    Client().post(
        "/setup/",
        {
            "code": setupcode.ensure_setup_code(),
            "username": "owner",
            "password": "password",
            "password2": "password",
            "household": "x",
            "time_zone": "UTC",
            "language": "en",
        },
    )
    assert not get_user_model().objects.exists()
