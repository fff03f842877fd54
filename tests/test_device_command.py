"""`manage.py device add` for headless setups: the key is printed once and stored hashed."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from devices.keys import key_hash
from devices.models import Device

pytestmark = pytest.mark.django_db


def test_device_add_prints_a_256_bit_key_once_and_stores_only_its_hash() -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("device", "add", "laptop", "--category", "laptop", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("hk-") and len(key) >= 3 + 43  # 32 random bytes, base64url
    device = Device.objects.get(name="laptop")
    assert device.key_hash == key_hash(key) and key not in device.key_hash
    assert device.key_prefix == key[:10] and device.max_tier == "home"
    listing = io.StringIO()
    call_command("device", "list", stdout=listing)
    assert "laptop" in listing.getvalue() and key not in listing.getvalue()


def test_device_add_refuses_a_duplicate_name_with_a_clear_error() -> None:
    call_command("device", "add", "tv", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("device", "add", "tv", stdout=io.StringIO(), stderr=io.StringIO())


def test_rotating_a_key_invalidates_the_old_one() -> None:
    out = io.StringIO()
    call_command("device", "add", "cam", "--category", "camera", stdout=out, stderr=io.StringIO())
    old = out.getvalue().strip()
    out = io.StringIO()
    call_command("device", "rotate", "cam", stdout=out, stderr=io.StringIO())
    assert Device.objects.get(name="cam").key_hash == key_hash(out.getvalue().strip()) != key_hash(old)
