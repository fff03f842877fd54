"""Verbs that change the device registry."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal, TypedDict

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from appliance.plumbing.versioned import Versioned

from . import broker, keys
from .choices import Category, DiscoveryState, PresenceState, Tier
from .discovery.parse import Sighting
from .models import Device, DiscoveredDevice, MqttAccount, PairingRequest, Presence

log = logging.getLogger(__name__)


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
    if MqttAccount.objects.filter(device=device).exists():
        sync_broker()  # a revoked device's broker account comes back with its new key
    return IssuedKey(device, key)


def revoke(device: Device) -> None:
    """Stop a device's key from working, and its broker account if it has one."""
    device.revoked_at = timezone.now()
    device.save(update_fields=["revoked_at"])
    if MqttAccount.objects.filter(device=device).exists():
        sync_broker()


def delete_devices(devices: QuerySet[Device]) -> None:
    """Forget devices; their broker accounts leave the broker's files with them."""
    had_accounts = MqttAccount.objects.filter(device__in=devices).exists()
    devices.delete()
    if had_accounts:
        sync_broker()


def _active_devices() -> dict[str, Device]:
    return {d.key_hash: d for d in Device.objects.filter(revoked_at__isnull=True)}


# Every device request looks its key up: the web process keeps the active devices, and
# reads them again as soon as any device is added, changed, revoked or deleted.
_ACTIVE = Versioned("devices", _active_devices)


async def authenticate(key: str) -> Device | None:
    """Return the active device holding this key, or None."""
    if not key.startswith(keys.PREFIX) or len(key) > 100:
        return None
    key_hash = keys.key_hash(key)
    device = (await _ACTIVE.aget()).get(key_hash)
    if device is None:
        # A key the kept devices do not know is looked up, so a device added by a process
        # that could not reach this one's Redis still works at once.
        device = await sync_to_async(_active_device, thread_sensitive=False)(key_hash)
    return device


def _active_device(key_hash: str) -> Device | None:
    return Device.objects.filter(key_hash=key_hash, revoked_at__isnull=True).first()


# --- discovery ------------------------------------------------------------------------

DISCOVERY_GROUP = "devices.discovery"


class DiscoveredEvent(TypedDict):
    """Channel-layer message to the admin's live list when a sighting changed something."""

    type: Literal["discovery.seen"]
    id: int
    change: Literal["new", "updated", "conflict"]
    state: str
    kind: str
    source: str
    name: str
    maker: str
    model: str
    address: str
    service_type: str


def _same_device(row: DiscoveredDevice, seen: Sighting) -> bool:
    # What a device says it is must not contradict what the first claimant said; an empty
    # field (a source that does not report it) contradicts nothing.
    def agree(a: str, b: str) -> bool:
        return not a or not b or a.casefold() == b.casefold()

    return agree(row.maker, seen.maker) and agree(row.model, seen.model)


def _apply(row: DiscoveredDevice, seen: Sighting, now: datetime) -> None:
    for name in ("name", "maker", "model", "address", "service_type"):
        value = getattr(seen, name)
        if value:
            setattr(row, name, value)
    row.details = {**row.details, **seen.details} if len(row.details) < 40 else row.details
    row.last_seen = now
    row.sightings += 1


def record_sighting(seen: Sighting) -> DiscoveredDevice:
    """Record a sighting by its identity: a known device is updated (its address too, its
    state kept, so an ignored device stays ignored); a different device claiming a known
    identity becomes a separate conflict row, never merged."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(DiscoveredDevice.objects.select_for_update().filter(identity=seen.identity))
        owner = next((r for r in rows if r.conflicts_with_id is None), None)
        change: Literal["new", "updated", "conflict"]
        if owner is not None and _same_device(owner, seen):
            row, change = owner, "updated"
            _apply(row, seen, now)
        else:
            claimant = next((r for r in rows if r.conflicts_with_id is not None and _same_device(r, seen)), None)
            if claimant is not None:
                row, change = claimant, "conflict"
                _apply(row, seen, now)
            else:
                row = DiscoveredDevice(
                    identity=seen.identity,
                    identity_kind=seen.identity_kind,
                    kind=seen.kind,
                    source=seen.source,
                    name=seen.name,
                    maker=seen.maker,
                    model=seen.model,
                    address=seen.address,
                    service_type=seen.service_type,
                    details=seen.details,
                    first_seen=now,
                    last_seen=now,
                    state=DiscoveryState.NEW if owner is None else DiscoveryState.CONFLICT,
                    conflicts_with=owner,
                )
                change = "new" if owner is None else "conflict"
        row.save()
    _announce(row, change)
    return row


def _announce(row: DiscoveredDevice, change: Literal["new", "updated", "conflict"]) -> None:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    event: DiscoveredEvent = {
        "type": "discovery.seen",
        "id": row.pk,
        "change": change,
        "state": row.state,
        "kind": row.kind,
        "source": row.source,
        "name": row.name,
        "maker": row.maker,
        "model": row.model,
        "address": row.address,
        "service_type": row.service_type,
    }
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(DISCOVERY_GROUP, dict(event))
    except Exception:  # a live page missing an update must not stop discovery
        log.warning("could not send a discovery update to the admin", exc_info=True)


def found_on_the_network(limit: int = 50) -> list[DiscoveredDevice]:
    """Return devices found and not yet paired or ignored, newest first (the wizard's list)."""
    return list(DiscoveredDevice.objects.filter(state=DiscoveryState.NEW)[:limit])


def ignore_discovered(row: DiscoveredDevice) -> None:
    """Ignore a discovered device by its identity: it stays ignored when it comes back."""
    row.state = DiscoveryState.IGNORED
    row.save(update_fields=["state"])


def pair_discovered(row: DiscoveredDevice, name: str = "") -> IssuedKey:
    """Register a discovered device with its kind's defaults and issue its key."""
    from .kinds import index

    if row.conflicts_with_id is not None:
        raise ValueError("a device in conflict with another over its identity cannot be paired")
    manifest = index().kinds.get(row.kind) or index().kinds["generic"]
    base = (name or row.name or row.model or row.identity)[:90]
    unique, n = base, 2
    while Device.objects.filter(name=unique).exists():
        unique, n = f"{base} ({n})", n + 1
    with transaction.atomic():
        issued = add_device(unique, manifest.category, manifest.max_tier)
        row.device, row.state = issued.device, DiscoveryState.PAIRED
        row.save(update_fields=["device", "state"])
    return issued


# --- pairing --------------------------------------------------------------------------

PAIRING_TTL = timedelta(minutes=10)
PAIRING_PER_ADDRESS = 5  # open requests one address may have at once
PAIRING_OPEN_MAX = 50  # open requests in all: a flood cannot bury the owner's list


class PairingRefused(Exception):
    """A pairing step that cannot happen; `code` names why, for the device."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class PairingStarted:
    pairing_id: str  # the device's secret to collect its key with; stored hashed
    code: str  # shown by the device and in the admin


def start_pairing(name: str, category: str, address: str | None) -> PairingStarted:
    """Open a pairing request for the owner to approve."""
    now = timezone.now()
    open_requests = PairingRequest.objects.filter(expires_at__gt=now, collected_at__isnull=True, denied_at__isnull=True)
    if address and open_requests.filter(address=address).count() >= PAIRING_PER_ADDRESS:
        raise PairingRefused(429, "rate_limited", "Too many pairing requests from this address; try again later.")
    if open_requests.count() >= PAIRING_OPEN_MAX:
        raise PairingRefused(429, "rate_limited", "Too many pairing requests are waiting; try again later.")
    token = keys.new_key().removeprefix(keys.PREFIX)
    digits = f"{secrets.randbelow(1_000_000):06d}"
    PairingRequest.objects.create(
        token_hash=keys.key_hash(token),
        code=f"{digits[:3]}-{digits[3:]}",
        name=name,
        category=category,
        address=address,
        created_at=now,
        expires_at=now + PAIRING_TTL,
    )
    return PairingStarted(token, f"{digits[:3]}-{digits[3:]}")


def approve_pairing(pairing: PairingRequest) -> None:
    """Let the device collect its key."""
    if pairing.approved_at is None and pairing.denied_at is None:
        pairing.approved_at = timezone.now()
        pairing.save(update_fields=["approved_at"])


def deny_pairing(pairing: PairingRequest) -> None:
    """Refuse a pairing request."""
    if pairing.collected_at is None:
        pairing.denied_at = timezone.now()
        pairing.save(update_fields=["denied_at"])


def collect_key(pairing_id: str) -> IssuedKey:
    """Register the device of an approved request and return its key, once."""
    now = timezone.now()
    with transaction.atomic():
        pairing = PairingRequest.objects.select_for_update().filter(token_hash=keys.key_hash(pairing_id[:100])).first()
        if pairing is None or pairing.collected_at is not None or pairing.denied_at is not None:
            raise PairingRefused(410, "pairing_closed", "This pairing is unknown, denied or already collected.")
        if pairing.approved_at is None:
            if pairing.expires_at <= now:
                raise PairingRefused(410, "pairing_closed", "This pairing expired before the owner approved it.")
            raise PairingRefused(409, "pairing_pending", "The owner has not approved this pairing yet; ask again shortly.")
        base, name, n = pairing.name[:90], pairing.name[:90], 2
        while Device.objects.filter(name=name).exists():
            name, n = f"{base} ({n})", n + 1
        issued = add_device(name, pairing.category)
        pairing.device, pairing.collected_at = issued.device, now
        pairing.save(update_fields=["device", "collected_at"])
    log.info("pairing: device %s collected its key", issued.device.pk)
    return issued


# --- MQTT accounts ----------------------------------------------------------------------


@dataclass(frozen=True)
class MqttCredentials:
    """A device's broker login, shown once, and its topics."""

    username: str
    password: str
    request_topic: str
    response_topic: str


def _mqtt_username(device: Device) -> str:
    slug = slugify(device.name)[:40].strip("-") or "device"
    return f"{slug}-{device.pk}"


def issue_mqtt_credentials(
    device: Device, *, publishes_presence: bool | None = None, publishes_discovery: bool | None = None
) -> MqttCredentials:
    """Give a device its own broker account (a new password if it had one; what it may
    publish kept unless given) and reload the broker."""
    if not device.is_active:
        raise ValueError("a revoked device gets no broker account; rotate its key first")
    password = keys.new_key().removeprefix(keys.PREFIX)
    with transaction.atomic():
        account = MqttAccount.objects.filter(device=device).first() or MqttAccount(device=device, username=_mqtt_username(device))
        account.password_hash = broker.password_hash(password)
        if publishes_presence is not None:
            account.publishes_presence = publishes_presence
        if publishes_discovery is not None:
            account.publishes_discovery = publishes_discovery
        account.save()
    sync_broker()
    return MqttCredentials(account.username, password, broker.request_topic(account.username), broker.response_topic(account.username))


def set_mqtt_permissions(account: MqttAccount, *, publishes_presence: bool, publishes_discovery: bool) -> None:
    """Change what a broker account may publish beyond its request topic; reload the broker."""
    account.publishes_presence, account.publishes_discovery = publishes_presence, publishes_discovery
    account.save(update_fields=["publishes_presence", "publishes_discovery"])
    sync_broker()


def delete_mqtt_accounts(accounts: QuerySet[MqttAccount]) -> None:
    """Take broker accounts away (the devices keep their keys for HTTP)."""
    accounts.delete()
    sync_broker()


def sync_broker() -> bool:
    """Rewrite the broker's password and ACL files from the registry; reload it. False if it is not running."""
    folder = Path(settings.HEARTH_MQTT_FILES_DIR)
    accounts = list(MqttAccount.objects.filter(device__revoked_at__isnull=True))
    hearth = settings.HEARTH_MQTT_USERNAME
    hashes = {a.username: a.password_hash for a in accounts} | {hearth: broker.password_hash(settings.HEARTH_MQTT_PASSWORD)}
    broker.write(
        broker.Accounts(
            hearth,
            hashes,
            [a.username for a in accounts],
            announcers=[a.username for a in accounts if a.publishes_discovery],
            presence_topic=settings.HEARTH_PRESENCE_TOPIC,
            presence_publishers=[a.username for a in accounts if a.publishes_presence],
        ),
        folder / "mosquitto.passwd",
        folder / "mosquitto.acl",
    )
    return broker.reload(folder / "mosquitto.pid")


# --- presence ---------------------------------------------------------------------------

PRESENCE_WORDS = {"home": "home", "away": "away", "on": "home", "off": "away", "not_home": "away", "true": "home", "false": "away"}


@dataclass(frozen=True)
class PresenceReading:
    """What the policies read: the household's state and where it came from."""

    state: str
    source: str
    updated_at: datetime | None


def presence_from_payload(payload: bytes) -> str | None:
    """Return home/away for a presence message (`home`, `away`, `on`/`off`, or JSON with `state`), or None."""
    if len(payload) > 256:
        return None
    raw = payload.decode("utf-8", "replace").strip()
    if raw.startswith("{"):
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        raw = str(data.get("state", "")) if isinstance(data, dict) else ""
    return PRESENCE_WORDS.get(raw.strip().lower())


def set_presence(state: str, source: str) -> None:
    """Record what the presence source says (an owner's override still wins)."""
    Presence.objects.update_or_create(pk=1, defaults={"state": state, "source": source[:200], "updated_at": timezone.now()})


def override_presence(state: str, by: str) -> None:
    """Set the owner's override (home or away), or clear it with an empty state."""
    if state not in ("", PresenceState.HOME, PresenceState.AWAY):
        raise ValueError("an override is home, away, or empty to clear it")
    Presence.objects.update_or_create(
        pk=1, defaults={"override": state, "override_by": by[:150] if state else "", "override_at": timezone.now() if state else None}
    )
    log.info("presence: override %s", state or "cleared")


def presence() -> PresenceReading:
    """Return the household's presence: the owner's override, else the source's, `unknown` until one has said."""
    row = Presence.objects.filter(pk=1).first()
    if row is None:
        return PresenceReading(PresenceState.UNKNOWN, "", None)
    if row.override:
        return PresenceReading(row.override, f"set by {row.override_by or 'the owner'} in the admin", row.override_at)
    return PresenceReading(row.state, row.source, row.updated_at)
