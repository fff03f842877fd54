"""Pairing: a device asks, the owner approves its code, the device collects its key once."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client

from devices import qr, services
from devices.keys import key_hash
from devices.models import Device, PairingRequest
from tests.conftest import Live, PairedDevice

pytestmark = pytest.mark.django_db(transaction=True)
HOST = "127.0.0.1"


def test_a_device_pairs_end_to_end_and_collects_its_key_exactly_once(live: Live, admin_client: Client) -> None:
    with httpx.Client(base_url=live.url, timeout=10) as http:
        started = http.post("/v1/pair", json={"name": "Kitchen speaker", "kind": "speaker"})
        assert started.status_code == 201, started.text
        body = started.json()
        assert len(body["code"]) == 7 and body["expires_in"] == 600
        pending = http.post("/v1/pair/collect", json={"pairing_id": body["pairing_id"]})
        assert pending.status_code == 409 and pending.json()["error"]["code"] == "pairing_pending"

        pairing = PairingRequest.objects.get()
        assert pairing.code == body["code"] and pairing.token_hash == key_hash(body["pairing_id"])
        # The owner sees the code in the admin and approves it there.
        listed = admin_client.get("/admin/devices/pairingrequest/", HTTP_HOST=HOST).content.decode()
        assert body["code"] in listed and "Kitchen speaker" in listed and "waiting for you" in listed
        approve = {"action": "approve", "_selected_action": [pairing.pk]}
        assert admin_client.post("/admin/devices/pairingrequest/", approve, HTTP_HOST=HOST).status_code == 302

        collected = http.post("/v1/pair/collect", json={"pairing_id": body["pairing_id"]})
        assert collected.status_code == 200 and collected.headers["Cache-Control"] == "no-store"
        key = collected.json()["key"]
        device = Device.objects.get(name="Kitchen speaker")
        assert (device.category, device.max_tier, device.key_hash) == ("speaker", "home", key_hash(key))
        assert key not in json.dumps(list(PairingRequest.objects.values()), default=str)

        again = http.post("/v1/pair/collect", json={"pairing_id": body["pairing_id"]})
        assert again.status_code == 410 and "key" not in again.text
        models = http.get("/v1/models", headers={"Authorization": f"Bearer {key}"})
        assert models.status_code == 200


def test_a_denied_pairing_never_yields_a_key(live: Live) -> None:
    with httpx.Client(base_url=live.url, timeout=10) as http:
        body = http.post("/v1/pair", json={"name": "Unknown thing"}).json()
        services.deny_pairing(PairingRequest.objects.get())
        refused = http.post("/v1/pair/collect", json={"pairing_id": body["pairing_id"]})
        assert refused.status_code == 410 and not Device.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b'{"name": "' + b"a" * 3000 + b'"}', 413, "request_too_large"),
        (b"not json", 400, "invalid_json"),
        (b'{"kind": "camera"}', 400, "invalid_name"),
        (b'{"name": "x", "kind": "../../etc"}', 400, "invalid_kind"),
    ],
)
def test_bad_pairing_requests_get_an_openai_shaped_error(body: bytes, status: int, code: str) -> None:
    response = Client().post("/v1/pair", body, content_type="application/json", HTTP_HOST="127.0.0.1")
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert not PairingRequest.objects.exists()


def test_pairing_requests_are_rate_limited_per_address() -> None:
    client = Client()
    codes = [
        client.post("/v1/pair", {"name": f"spam {i}"}, content_type="application/json", HTTP_HOST="127.0.0.1").status_code
        for i in range(services.PAIRING_PER_ADDRESS + 2)
    ]
    assert codes == [201] * services.PAIRING_PER_ADDRESS + [429, 429]


def test_the_owner_sees_the_code_and_an_escaped_name_in_the_admin() -> None:
    started = services.start_pairing("<svg onload=alert(1)>", "other", "192.168.1.30")
    User.objects.create_superuser("owner", "owner@example.com", "a-long-password-1")
    client = Client()
    client.force_login(User.objects.get(username="owner"))
    page = client.get("/admin/devices/pairingrequest/", HTTP_HOST="127.0.0.1").content.decode()
    assert started.code in page and "&lt;svg onload=alert(1)&gt;" in page and "<svg onload" not in page
    assert started.pairing_id not in page


def test_device_add_with_qr_draws_the_base_url_and_key() -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("device", "add", "thermostat", "--qr", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("hk-") and ("█" in err.getvalue() or "▀" in err.getvalue())
    data: dict[str, Any] = json.loads(qr.payload(key))
    assert data["key"] == key and data["api"].endswith("/v1")
    assert qr.svg_data_uri(key).startswith("data:image/svg+xml")


def shown_once(page: str, marker: str = "data-key") -> str:
    found = re.search(rf"<code {marker}>([^<]+)</code>", page)
    assert found, page
    return found[1]


def kept_anywhere(secret: str) -> bool:
    """Whether a secret is in the database: any table, sessions decoded."""
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    return secret in dump.getvalue() or any(secret in json.dumps(s.get_decoded()) for s in Session.objects.all())


def test_a_device_added_by_hand_in_the_admin_gets_its_key_and_qr_code_once_and_nothing_keeps_it(live: Live, admin_client: Client) -> None:
    added = admin_client.post("/admin/devices/device/add/", {"name": "Hall tablet", "category": "kids", "max_tier": "home"}, HTTP_HOST=HOST)
    assert added.status_code == 200 and "no-store" in added["Cache-Control"]
    page = added.content.decode()
    key = shown_once(page)
    assert 'alt="QR code with the base URL and the key of Hall tablet" src="data:image/svg+xml' in page
    device = Device.objects.get(name="Hall tablet")
    assert (device.category, device.key_hash) == ("kids", key_hash(key))
    assert not kept_anywhere(key) and key not in str(added.cookies)
    assert key not in admin_client.get(f"/admin/devices/device/{device.pk}/change/", HTTP_HOST=HOST).content.decode()
    assert httpx.get(f"{live.api}/models", headers={"Authorization": f"Bearer {key}"}, timeout=10).status_code == 200


def test_rotating_or_revoking_a_key_in_the_admin_takes_effect_within_a_second(
    live: Live, admin_client: Client, make_device: Callable[..., PairedDevice]
) -> None:
    paired = make_device()
    selected = {"_selected_action": [paired.device.pk]}
    with httpx.Client(base_url=live.api, timeout=10) as http:

        def status(key: str) -> int:
            return http.get("/models", headers={"Authorization": f"Bearer {key}"}).status_code

        assert status(paired.key) == 200
        rotated = admin_client.post("/admin/devices/device/", {"action": "rotate_keys", **selected}, HTTP_HOST=HOST)
        new_key = shown_once(rotated.content.decode())
        done = time.monotonic()
        assert (status(paired.key), status(new_key)) == (401, 200)
        assert time.monotonic() - done < 1.0
        assert not kept_anywhere(new_key)

        admin_client.post("/admin/devices/device/", {"action": "revoke_keys", **selected}, HTTP_HOST=HOST)
        done = time.monotonic()
        assert status(new_key) == 401 and time.monotonic() - done < 1.0


def test_racing_collectors_get_the_key_exactly_once(live: Live) -> None:
    body = httpx.post(f"{live.url}/v1/pair", json={"name": "Racer"}, timeout=10).json()
    services.approve_pairing(PairingRequest.objects.get())

    def collect(_: int) -> int:
        return httpx.post(f"{live.url}/v1/pair/collect", json={"pairing_id": body["pairing_id"]}, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(collect, range(8)))
    assert statuses == [200] + [410] * 7 and Device.objects.filter(name="Racer").count() == 1
