"""Verbs that change the device registry."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import keys
from .choices import Category, Tier
from .models import Device


@dataclass(frozen=True)
class IssuedKey:
    """A device and its key in full: the only moment the key exists outside the device."""

    device: Device
    key: str


def add_device(name: str, category: str = Category.OTHER, max_tier: str = Tier.HOME) -> IssuedKey:
    """Register a device and issue its key."""
    key = keys.new_key()
    device = Device(
        name=name,
        category=category,
        max_tier=max_tier,
        key_hash=keys.key_hash(key),
        key_prefix=keys.shown_prefix(key),
    )
    device.full_clean()
    device.save()
    return IssuedKey(device, key)


@transaction.atomic
def rotate_key(device: Device) -> IssuedKey:
    """Replace a device's key; the old one stops working at once."""
    key = keys.new_key()
    device.key_hash = keys.key_hash(key)
    device.key_prefix = keys.shown_prefix(key)
    device.revoked_at = None
    device.save(update_fields=["key_hash", "key_prefix", "revoked_at"])
    return IssuedKey(device, key)


def revoke(device: Device) -> None:
    """Stop a device's key from working."""
    device.revoked_at = timezone.now()
    device.save(update_fields=["revoked_at"])


async def authenticate(key: str) -> Device | None:
    """Return the active device holding this key, or None."""
    if not key.startswith(keys.PREFIX) or len(key) > 100:
        return None
    return await Device.objects.filter(key_hash=keys.key_hash(key), revoked_at__isnull=True).afirst()
