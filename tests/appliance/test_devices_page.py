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


def shown_key(body: str) -> str:
    return body.split('id="device-key">')[1].split("<")[0]


def test_a_device_added_by_hand_on_the_page_gets_its_key_once_with_a_qr_code(owner_client: Client) -> None:
    response = owner_client.post("/devices/add/", {"name": "garage-laptop", "category": "laptop", "max_tier": "trusted"})
    body = response.content.decode()
    key = shown_key(body)
    assert response.status_code == 200 and works(key)
    assert 'id="device-qr" ' in body and 'src="data:image/svg+xml' in body
    assert response["Cache-Control"] == "no-store", "no browser or proxy keeps a page with a key"
    assert Device.objects.get(name="garage-laptop").max_tier == "trusted"
    assert key not in owner_client.get("/devices/").content.decode()


def test_adding_a_device_under_a_name_in_use_is_refused_with_a_form_error(owner_client: Client) -> None:
    device_services.add_device("laptop", "laptop", "cloud")
    response = owner_client.post("/devices/add/", {"name": "laptop", "category": "kids", "max_tier": "home"})
    assert "already exists" in response.content.decode()
    assert Device.objects.filter(name="laptop").get().category == "laptop"


def test_bad_input_to_add_a_device_gets_form_errors_and_adds_nothing(owner_client: Client) -> None:
    for data in ({}, {"name": "x" * 101, "category": "laptop", "max_tier": "home"}, {"name": "a", "category": "moon", "max_tier": "home"}):
        response = owner_client.post("/devices/add/", data)
        assert 'class="errorlist' in response.content.decode()
    assert not Device.objects.exists()


def test_a_device_asking_to_pair_is_approved_on_the_page_by_its_code_and_collects_its_key(owner_client: Client) -> None:
    started = device_services.start_pairing("hall-speaker", "speaker", "192.168.1.40")
    body = owner_client.get("/devices/").content.decode()
    assert started.code in body and "hall-speaker" in body
    pairing_id = body.split('id="pairing-')[1].split('"')[0]
    approved = owner_client.post(f"/devices/pairing/{pairing_id}/approve/", follow=True).content.decode()
    assert "Approved hall-speaker" in approved
    issued = device_services.collect_key(started.pairing_id)
    assert works(issued.key) and issued.device.category == "speaker"
    assert started.code not in owner_client.get("/devices/").content.decode(), "an answered request leaves the list"


def test_a_refused_pairing_request_never_gets_a_key(owner_client: Client) -> None:
    started = device_services.start_pairing("stranger", "other", "192.168.1.66")
    pairing_id = owner_client.get("/devices/").content.decode().split('id="pairing-')[1].split('"')[0]
    assert owner_client.post(f"/devices/pairing/{pairing_id}/deny/").status_code == 302
    try:
        device_services.collect_key(started.pairing_id)
    except device_services.PairingRefused as refused:
        assert refused.code == "pairing_closed"
    else:
        raise AssertionError("a refused device collected a key")
    assert not Device.objects.exists()


def test_an_expired_pairing_request_cannot_be_approved(owner_client: Client) -> None:
    from devices.models import PairingRequest

    started = device_services.start_pairing("late", "other", None)
    pairing = PairingRequest.objects.get()
    PairingRequest.objects.filter(pk=pairing.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = owner_client.post(f"/devices/pairing/{pairing.pk}/approve/", follow=True)
    assert "no longer waiting" in response.content.decode()
    assert PairingRequest.objects.get().approved_at is None
    assert started.code not in owner_client.get("/devices/").content.decode()


def found(identity: str, name: str, state: str = "new") -> DiscoveredDevice:
    now = timezone.now()
    return DiscoveredDevice.objects.create(
        identity=identity, identity_kind="mac", kind="chromecast", name=name, source="mdns", first_seen=now, last_seen=now, state=state
    )


def test_a_device_found_on_the_network_is_paired_from_the_page(owner_client: Client) -> None:
    row = found("aa:01", "Kitchen display")
    body = owner_client.post(f"/devices/found/{row.pk}/pair/").content.decode()
    assert works(shown_key(body))
    row.refresh_from_db()
    assert row.state == "paired" and row.device is not None and row.device.name == "Kitchen display"


def test_an_ignored_device_is_listed_apart_and_can_come_back(owner_client: Client) -> None:
    row = found("aa:02", "Neighbour's TV")
    assert owner_client.post(f"/devices/found/{row.pk}/ignore/").status_code == 302
    body = owner_client.get("/devices/").content.decode()
    assert f'id="found-{row.pk}"' not in body
    assert "Neighbour&#x27;s TV" in body[body.index('id="ignored"') :]
    assert owner_client.post(f"/devices/found/{row.pk}/unignore/").status_code == 302
    assert f'id="found-{row.pk}"' in owner_client.get("/devices/").content.decode()


def test_pairing_or_ignoring_a_device_that_is_not_waiting_is_not_found(owner_client: Client) -> None:
    row = found("aa:03", "Paired already", state="paired")
    for path in (
        f"/devices/found/{row.pk}/pair/",
        f"/devices/found/{row.pk}/ignore/",
        f"/devices/found/{row.pk}/unignore/",
        "/devices/found/999/pair/",
    ):
        assert owner_client.post(path).status_code == 404, path
    assert owner_client.post("/devices/pairing/999/approve/", follow=True).status_code == 200


def test_a_device_gets_a_broker_account_shown_once_that_the_broker_will_accept(owner_client: Client) -> None:
    import base64

    from devices import broker
    from devices.models import MqttAccount

    hub = device_services.add_device("hall-hub", "other", "home").device
    response = owner_client.post(f"/devices/{hub.pk}/mqtt/", {"publishes_presence": "on"})
    body = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    username = body.split('id="mqtt-username">')[1].split("<")[0]
    password = body.split('id="mqtt-password">')[1].split("<")[0]
    account = MqttAccount.objects.get(device=hub)
    assert account.username == username and account.publishes_presence and not account.publishes_discovery
    salt = base64.b64decode(account.password_hash.split("$")[3])
    assert broker.password_hash(password, salt) == account.password_hash
    assert password not in owner_client.get(f"/devices/{hub.pk}/").content.decode()
    assert owner_client.post(f"/devices/{hub.pk}/mqtt/remove/").status_code == 302
    assert not MqttAccount.objects.filter(device=hub).exists() and works(device_services.rotate_key(hub).key)


def test_a_revoked_device_gets_no_broker_account(owner_client: Client) -> None:
    from devices.models import MqttAccount

    issued = device_services.add_device("old-speaker", "speaker", "home")
    device_services.revoke(issued.device)
    response = owner_client.post(f"/devices/{issued.device.pk}/mqtt/", {})
    assert "revoked device gets no broker account" in response.content.decode()
    assert not MqttAccount.objects.exists()


def test_members_cannot_pair_or_approve(member_client: Client) -> None:
    device_services.start_pairing("sneaky", "other", None)
    from devices.models import PairingRequest

    pk = PairingRequest.objects.get().pk
    assert member_client.post("/devices/add/", {"name": "x", "category": "laptop", "max_tier": "cloud"}).status_code == 403
    assert member_client.post(f"/devices/pairing/{pk}/approve/").status_code == 403
    assert PairingRequest.objects.get().approved_at is None and not Device.objects.exists()
