"""The devices page: each paired device with what it did today, and the owner's changes to it.

Who changed what is written by gateway.settings_audit from the rows' own saves (never a key).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from devices import services as device_services
from devices.choices import DiscoveryState
from devices.models import Device, DiscoveredDevice, MqttAccount, PairingRequest
from gateway.models import AuditEvent

OUTSIDE = ("trusted", "cloud")


@dataclass(frozen=True)
class DeviceRow:
    device: Device
    kind: str  # what it announced itself as when found on the network; how it was paired otherwise
    last_seen: dt.datetime | None
    today: int
    left_today: int  # requests answered outside the house today


def _midnight() -> dt.datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def rows() -> list[DeviceRow]:
    """Return every paired device with its kind, last request and today's counts."""
    midnight = _midnight()
    counts: dict[int, Any] = {
        c["device"]: c
        for c in AuditEvent.objects.filter(device__isnull=False)
        .values("device")
        .annotate(
            last=Max("created_at"),
            today=Count("id", filter=Q(created_at__gte=midnight)),
            left=Count("id", filter=Q(created_at__gte=midnight, tier__in=OUTSIDE)),
        )
    }
    found: dict[int, str] = {}
    for device_id, kind in DiscoveredDevice.objects.filter(device__isnull=False).values_list("device", "kind"):
        found.setdefault(device_id, kind)
    paired_by_code = set(PairingRequest.objects.filter(device__isnull=False).values_list("device", flat=True))
    shown = []
    for d in Device.objects.all():
        c: dict[str, Any] = counts.get(d.pk, {})
        kind = found.get(d.pk) or (_("paired by code") if d.pk in paired_by_code else _("added by hand"))
        shown.append(DeviceRow(d, kind, c.get("last"), int(c.get("today", 0)), int(c.get("left", 0))))
    return shown


@transaction.atomic
def change_device(device_id: int, name: str, category: str, max_tier: str) -> Device:
    """Rename a device or change its category or tier cap (raises ValidationError)."""
    device: Device = Device.objects.select_for_update().get(pk=device_id)
    device.name, device.category, device.max_tier = name, category, max_tier
    device.full_clean()
    device.save(update_fields=["name", "category", "max_tier"])
    return device


def rotate_key(device_id: int) -> device_services.IssuedKey:
    """Give a device a new key (shown once); the old one stops working."""
    return device_services.rotate_key(Device.objects.get(pk=device_id))


def revoke(device_id: int) -> Device:
    """Stop a device's key from working."""
    device = Device.objects.get(pk=device_id)
    device_services.revoke(device)
    return device


def add(name: str, category: str, max_tier: str) -> device_services.IssuedKey:
    """Add a device by hand; its key is shown once (raises ValidationError for a name in use)."""
    return device_services.add_device(name, category, max_tier)


def waiting_pairings() -> list[PairingRequest]:
    """Return the pairing requests a device is waiting on: not yet approved, denied, collected or expired."""
    return list(
        PairingRequest.objects.filter(
            expires_at__gt=timezone.now(), approved_at__isnull=True, denied_at__isnull=True, collected_at__isnull=True
        )
    )


def approve(pairing_id: int) -> PairingRequest:
    """Let a waiting device collect its key (raises PairingRequest.DoesNotExist for one that is not waiting)."""
    pairing = _waiting(pairing_id)
    device_services.approve_pairing(pairing)
    return pairing


def deny(pairing_id: int) -> PairingRequest:
    """Refuse a waiting pairing request."""
    pairing = _waiting(pairing_id)
    device_services.deny_pairing(pairing)
    return pairing


def _waiting(pairing_id: int) -> PairingRequest:
    return PairingRequest.objects.get(
        pk=pairing_id, expires_at__gt=timezone.now(), approved_at__isnull=True, denied_at__isnull=True, collected_at__isnull=True
    )


def ignored(limit: int = 50) -> list[DiscoveredDevice]:
    """Return devices found on the network that the household chose to ignore, newest first."""
    return list(DiscoveredDevice.objects.filter(state=DiscoveryState.IGNORED)[:limit])


def found(found_id: int, state: str) -> DiscoveredDevice:
    """Return a device found on the network in the given state (raises DiscoveredDevice.DoesNotExist)."""
    return DiscoveredDevice.objects.get(pk=found_id, state=state)


def stop_ignoring(found_id: int) -> DiscoveredDevice:
    """Put an ignored device back among those waiting to be paired."""
    row = found(found_id, DiscoveryState.IGNORED)
    row.state = DiscoveryState.NEW
    row.save(update_fields=["state"])
    return row


def give_mqtt_account(device_id: int, *, publishes_presence: bool, publishes_discovery: bool) -> device_services.MqttCredentials:
    """Give a device its own broker account, or a new password for the one it has (shown once)."""
    device = Device.objects.get(pk=device_id)
    return device_services.issue_mqtt_credentials(device, publishes_presence=publishes_presence, publishes_discovery=publishes_discovery)


def take_mqtt_account(device_id: int) -> None:
    """Take a device's broker account away; its key keeps working over HTTP."""
    device_services.delete_mqtt_accounts(MqttAccount.objects.filter(device_id=device_id))
