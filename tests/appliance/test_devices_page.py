"""The devices page: paired devices with what they did today; rename, category, tier cap, new key, revoke."""

from __future__ import annotations

import datetime as dt
import uuid

from django.test import Client
from django.utils import timezone

from devices import keys
from devices import services as device_services
from devices.models import Device, DiscoveredDevice
from gateway.models import AuditEvent, SettingsChange


def works(key: str) -> bool:
    """Return True when the box would let a device in with this key."""
    return Device.objects.filter(key_hash=keys.key_hash(key), revoked_at__isnull=True).exists()


def asked(device: Device, tier: str, at: dt.datetime | None = None) -> None:
    AuditEvent.objects.create(
        request_id=uuid.uuid4(),
        created_at=at or timezone.now(),
        device=device,
        device_name=device.name,
        kind="chat",
        model_requested="m",
        tier=tier,
    )


def test_the_page_lists_devices_with_kind_category_tier_cap_last_seen_and_today(owner_client: Client) -> None:
    tv = device_services.add_device("living-room-tv", "tv", "trusted").device
    now = timezone.now()
    DiscoveredDevice.objects.create(
        identity="aa:bb", identity_kind="mac", kind="chromecast", source="mdns", first_seen=now, last_seen=now, device=tv, state="paired"
    )
    asked(tv, "home")
    asked(tv, "trusted")
    asked(tv, "cloud", now - dt.timedelta(days=2))
    device_services.add_device("kitchen-speaker", "speaker", "home")
    body = owner_client.get("/devices/").content.decode()
    row = body[body.index(f'id="device-{tv.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "chromecast" in row and "TV" in row and "Trusted provider" in row
    assert '<td class="num">2</td>\n<td class="num">1</td>' in row, "two today, one of them left the house"
    assert "/audit/?device=living-room-tv" in row
    speaker = body[body.index("kitchen-speaker") :]
    assert "added by hand" in speaker[: speaker.index("</tr>")] and "never" in speaker[: speaker.index("</tr>")]


def test_the_owner_renames_a_device_and_changes_its_category_and_tier_cap(owner_client: Client) -> None:
    tv = device_services.add_device("tv", "tv", "home").device
    response = owner_client.post(f"/devices/{tv.pk}/", {"name": "bedroom-tv", "category": "kids", "max_tier": "trusted"})
    assert response.status_code == 302
    tv.refresh_from_db()
    assert (tv.name, tv.category, tv.max_tier) == ("bedroom-tv", "kids", "trusted")
    changed = {(c.field, c.old_value, c.new_value) for c in SettingsChange.objects.filter(kind="device", action="changed", actor="owner")}
    assert ("name", "tv", "bedroom-tv") in changed


def test_a_name_already_taken_gets_a_form_error_and_keeps_the_answers(owner_client: Client) -> None:
    device_services.add_device("laptop", "laptop", "cloud")
    tv = device_services.add_device("tv", "tv", "home").device
    body = owner_client.post(f"/devices/{tv.pk}/", {"name": "laptop", "category": "kids", "max_tier": "trusted"}).content.decode()
    assert "already exists" in body and '<option value="kids" selected>' in body
    tv.refresh_from_db()
    assert (tv.name, tv.category) == ("tv", "tv")


def test_an_unknown_tier_gets_a_form_error(owner_client: Client) -> None:
    tv = device_services.add_device("tv", "tv", "home").device
    body = owner_client.post(f"/devices/{tv.pk}/", {"name": "tv", "category": "tv", "max_tier": "moon"}).content.decode()
    assert "Select a valid choice" in body and Device.objects.get(pk=tv.pk).max_tier == "home"


def test_a_new_key_is_shown_once_and_the_old_one_stops_working(owner_client: Client) -> None:
    issued = device_services.add_device("tv", "tv", "home")
    body = owner_client.post(f"/devices/{issued.device.pk}/rotate/").content.decode()
    new_key = body.split('id="device-key">')[1].split("<")[0]
    assert new_key.startswith(keys.PREFIX) and new_key != issued.key
    assert not works(issued.key) and works(new_key)
    assert new_key not in owner_client.get(f"/devices/{issued.device.pk}/").content.decode()


def test_a_revoked_device_is_refused_and_the_page_says_so(owner_client: Client) -> None:
    issued = device_services.add_device("tv", "tv", "home")
    assert owner_client.post(f"/devices/{issued.device.pk}/revoke/").status_code == 302
    assert not works(issued.key)
    assert "revoked" in owner_client.get("/devices/").content.decode()


def test_members_cannot_see_or_change_devices(member_client: Client) -> None:
    tv = device_services.add_device("tv", "tv", "home").device
    assert member_client.get("/devices/").status_code == 403
    assert member_client.post(f"/devices/{tv.pk}/revoke/").status_code == 403
    assert Device.objects.get(pk=tv.pk).is_active
