"""Accounts and safety: throttling that cannot lock the owner out, CSRF, headers, TOTP, deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyotp
from django.test import Client

from appliance.models import Household, SecondFactor
from gateway import crypto

from .conftest import PASSWORD


def sign_in(address: str, password: str = PASSWORD, code: str = "", username: str = "owner") -> int:
    response = Client().post("/login/", {"username": username, "password": password, "code": code}, REMOTE_ADDR=address)
    return int(response.status_code)


def test_failed_sign_ins_from_one_address_never_lock_the_owner_out_from_another(owner: Any) -> None:
    for _ in range(8):
        assert sign_in("10.0.0.66", "wrong-password") == 200
    assert sign_in("10.0.0.66") == 200  # paused there, even with the right password
    assert sign_in("192.168.1.20") == 302  # the owner at home signs in


def test_one_address_guessing_many_accounts_is_paused(owner: Any) -> None:
    for i in range(20):
        sign_in("10.0.0.66", "wrong", username=f"user{i}")
    assert sign_in("10.0.0.66") == 200
    assert sign_in("10.0.0.67") == 302


def test_a_change_without_the_csrf_token_is_refused(owner: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post("/audit/settings/", {"retention_days": 1, "privacy": "full"}).status_code == 403
    assert Household.objects.get().audit_retention_days == 0


def test_nothing_changes_on_get(owner_client: Client) -> None:
    assert owner_client.get("/logout/").status_code == 405
    assert owner_client.get("/audit/settings/?retention_days=1&privacy=counts").status_code == 405
    owner_client.get("/setup/finish/")
    assert Household.objects.get().setup_finished_at is None
    assert owner_client.get("/audit/verify/").status_code == 405


def test_pages_forbid_framing_and_carry_a_content_security_policy(owner_client: Client) -> None:
    response = owner_client.get("/dashboard/")
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp


def test_device_supplied_names_are_escaped_in_the_audit_log(owner_client: Client) -> None:
    from gateway.models import AuditEvent

    AuditEvent.objects.create(
        request_id="00000000-0000-0000-0000-0000000000aa",
        created_at="2026-01-01T00:00:00Z",
        device_name="<script>alert(1)</script>",
        kind="chat",
        model_requested="m",
    )
    body = owner_client.get("/audit/").content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_a_member_can_be_added_and_reads_the_audit_log(owner_client: Client) -> None:
    owner_client.post("/members/", {"username": "teen", "password": PASSWORD})
    member = Client()
    assert member.post("/login/", {"username": "teen", "password": PASSWORD}).status_code == 302
    assert member.get("/audit/").status_code == 200
    assert member.post("/audit/settings/", {"retention_days": 1, "privacy": "full"}).status_code == 403


def test_with_a_second_factor_the_password_alone_does_not_sign_in(owner: Any) -> None:
    secret = pyotp.random_base32()
    SecondFactor.objects.create(user=owner, secret_encrypted=crypto.encrypt(secret), confirmed=True)
    client = Client()
    response = client.post("/login/", {"username": "owner", "password": PASSWORD})
    assert response.status_code == 200 and b"authenticator" in response.content
    assert client.post("/login/", {"username": "owner", "password": PASSWORD, "code": "000000"}).status_code == 200
    assert client.post("/login/", {"username": "owner", "password": PASSWORD, "code": pyotp.TOTP(secret).now()}).status_code == 302


def test_the_second_factor_is_turned_on_with_a_current_code(owner_client: Client, owner: Any) -> None:
    owner_client.post("/account/", {"action": "start"})
    secret = crypto.decrypt(SecondFactor.objects.get(user=owner).secret_encrypted)
    owner_client.post("/account/", {"action": "confirm", "code": pyotp.TOTP(secret).now()})
    assert SecondFactor.objects.get(user=owner).confirmed


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "HEARTH_DEBUG": "0",
        "HEARTH_HTTPS": "1",
        "HEARTH_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "appliance.settings",
    }
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], env=env, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2]
    )
    assert out.returncode == 0, out.stderr
    report = out.stdout + out.stderr
    assert "security." not in report and "hearth." not in report, report


def test_a_session_lasts_hours_not_weeks_and_scripts_cannot_read_it(owner: Any, settings: Any) -> None:
    response = Client().post("/login/", {"username": "owner", "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert 0 < int(cookie["max-age"]) <= 24 * 3600
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_the_admin_sign_in_is_the_box_s_own_with_its_second_factor(owner: Any) -> None:
    secret = pyotp.random_base32()
    SecondFactor.objects.create(user=owner, secret_encrypted=crypto.encrypt(secret), confirmed=True)
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "owner", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/login/?next=%2Fadmin%2F"
    assert client.get("/admin/").status_code == 302, "the password alone opened no admin session"
    assert client.get("/admin/gateway/provider/").status_code == 302
    client.post("/login/", {"username": "owner", "password": PASSWORD, "code": pyotp.TOTP(secret).now(), "next": "/admin/"})
    assert client.get("/admin/").status_code == 200, "the box's sign-in, with the code, opens the admin"


def test_the_admin_sends_strangers_to_the_box_s_sign_in(owner: Any) -> None:
    response = Client().get("/admin/gateway/provider/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/?next=")
    assert b"authenticator" not in response.content and response.status_code == 200


def test_a_throttled_account_cannot_get_in_through_the_admin_sign_in(owner: Any) -> None:
    client = Client()
    for _ in range(12):
        client.post("/login/", {"username": "owner", "password": "wrong-guess"})
    assert b"Too many failed sign-ins" in client.post("/login/", {"username": "owner", "password": PASSWORD}).content
    client.post("/admin/login/", {"username": "owner", "password": PASSWORD, "next": "/admin/"})
    assert client.get("/admin/").status_code == 302, "the admin's sign-in is no way around the throttle"
