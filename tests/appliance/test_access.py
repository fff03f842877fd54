"""Who may do what on every page of the box: owner, household member, stranger, device key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from appliance.models import Notice
from appliance.services import backups
from devices import services as device_services
from devices.models import DiscoveredDevice, PairingRequest
from gateway.models import AuditEvent, Provider
from policies.models import HouseholdRule

# (method, path, who may): "member" pages are read by members too; "owner" pages change things.
MATRIX: list[tuple[str, str, str]] = [
    ("GET", "/dashboard/", "member"),
    ("GET", "/audit/", "member"),
    ("GET", "/audit/{event}/", "member"),
    ("GET", "/audit/export.csv", "member"),
    ("GET", "/audit/export.json", "member"),
    ("GET", "/audit/checkpoint/", "member"),
    ("POST", "/audit/verify/", "member"),
    ("GET", "/account/", "member"),
    ("POST", "/audit/settings/", "owner"),
    ("GET", "/setup/hardware/", "owner"),
    ("GET", "/setup/engine/", "owner"),
    ("POST", "/setup/hardware/models/pull/", "owner"),
    ("POST", "/setup/hardware/models/cancel/", "owner"),
    ("POST", "/setup/hardware/models/serve/", "owner"),
    ("POST", "/setup/hardware/models/remove/", "owner"),
    ("POST", "/setup/hardware/models/embeddings-off/", "owner"),
    ("GET", "/setup/providers/", "owner"),
    ("POST", "/setup/providers/", "owner"),
    ("POST", "/setup/providers/{provider}/check/", "owner"),
    ("POST", "/setup/providers/{provider}/remove/", "owner"),
    ("GET", "/setup/rules/", "owner"),
    ("POST", "/setup/rules/", "owner"),
    ("GET", "/setup/devices/", "owner"),
    ("POST", "/setup/devices/", "owner"),
    ("POST", "/setup/devices/found/{found}/pair/", "owner"),
    ("POST", "/setup/devices/found/{found}/ignore/", "owner"),
    ("GET", "/setup/finish/", "owner"),
    ("POST", "/setup/finish/", "owner"),
    ("GET", "/members/", "owner"),
    ("POST", "/members/", "owner"),
    ("POST", "/members/{member}/remove/", "owner"),
    ("GET", "/backups/", "owner"),
    ("POST", "/backups/passphrase/", "owner"),
    ("POST", "/backups/schedule/", "owner"),
    ("POST", "/backups/now/", "owner"),
    ("POST", "/backups/restore/", "owner"),
    ("GET", "/backups/{backup}", "owner"),
    ("GET", "/updates/", "owner"),
    ("GET", "/updates/progress/", "owner"),
    ("POST", "/updates/install/", "owner"),
    ("POST", "/updates/upload/", "owner"),
    ("POST", "/updates/restart/", "owner"),
    ("POST", "/updates/rollback/", "owner"),
    ("GET", "/admin/", "owner"),
    ("GET", "/rules/", "member"),
    ("POST", "/rules/try/", "member"),
    ("GET", "/rules/export.yaml", "member"),
    ("GET", "/rules/new/", "owner"),
    ("POST", "/rules/new/", "owner"),
    ("GET", "/rules/{rule}/", "owner"),
    ("POST", "/rules/{rule}/", "owner"),
    ("POST", "/rules/{rule}/move/", "owner"),
    ("POST", "/rules/{rule}/remove/", "owner"),
    ("POST", "/rules/order/", "owner"),
    ("POST", "/rules/preset/", "owner"),
    ("POST", "/rules/import/", "owner"),
    ("GET", "/devices/", "owner"),
    ("GET", "/devices/{device}/", "owner"),
    ("POST", "/devices/{device}/", "owner"),
    ("POST", "/devices/{device}/rotate/", "owner"),
    ("POST", "/devices/{device}/revoke/", "owner"),
    ("POST", "/devices/{device}/mqtt/", "owner"),
    ("POST", "/devices/{device}/mqtt/remove/", "owner"),
    ("POST", "/devices/add/", "owner"),
    ("POST", "/devices/found/{found}/pair/", "owner"),
    ("POST", "/devices/found/{found}/ignore/", "owner"),
    ("POST", "/devices/found/{ignored}/unignore/", "owner"),
    ("POST", "/devices/pairing/{pairing}/approve/", "owner"),
    ("POST", "/devices/pairing/{pairing}/deny/", "owner"),
    ("GET", "/providers/", "member"),
    ("GET", "/providers/new/", "owner"),
    ("POST", "/providers/new/", "owner"),
    ("POST", "/providers/priorities/", "owner"),
    ("GET", "/providers/{provider}/", "owner"),
    ("POST", "/providers/{provider}/", "owner"),
    ("POST", "/providers/{provider}/check/", "owner"),
    ("POST", "/providers/{provider}/switch/", "owner"),
    ("POST", "/providers/{provider}/remove/", "owner"),
    ("GET", "/notices/", "member"),
    ("POST", "/notices/{notice}/dismiss/", "owner"),
    ("POST", "/notices/channel/", "owner"),
]
# Open to anyone by design: the wizard's first step (refuses once claimed), signing in and out.
OPEN = {"/setup/", "/setup/restore/", "/login/", "/logout/", "/"}


def _routes(patterns: list[Any], prefix: str = "") -> list[str]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            found.append(prefix + str(p.pattern))
    return found


def test_the_matrix_covers_every_page_of_the_box() -> None:
    pages = {
        "/" + r for r in _routes(get_resolver().url_patterns) if not r.startswith(("v1/", "api/", "healthz", "admin/"))
    }  # api/: Ollama's device API
    covered = {
        path.replace("{event}", "<int:event_id>")
        .replace("{provider}", "<int:provider_id>")
        .replace("{member}", "<int:user_id>")
        .replace("{backup}", "<str:name>")
        .replace("{found}", "<int:found_id>")
        .replace("{ignored}", "<int:found_id>")
        .replace("{pairing}", "<int:pairing_id>")
        .replace("{rule}", "<int:rule_id>")
        .replace("{device}", "<int:device_id>")
        .replace("{notice}", "<int:notice_id>")
        for _, path, _ in MATRIX
    }
    assert pages - covered - OPEN == set()


@pytest.fixture
def targets(owner: Any, member: Any, tmp_path: Path) -> Iterator[dict[str, Any]]:
    provider = Provider(name="cloudy", tier="cloud", base_url="http://127.0.0.1:9/v1", model_names=["m"])
    provider.set_api_key("sk-matrix")
    provider.save()
    event = AuditEvent.objects.create(
        request_id="00000000-0000-0000-0000-000000000001",
        created_at="2026-01-01T00:00:00Z",
        device_name="tv",
        kind="chat",
        model_requested="m",
    )
    now = timezone.now()
    found = DiscoveredDevice.objects.create(
        identity="aa:bb:cc:dd:ee:ff", identity_kind="mac", kind="generic", source="mdns", name="tv", first_seen=now, last_seen=now
    )
    ignored = DiscoveredDevice.objects.create(
        identity="aa:bb:cc:dd:ee:00",
        identity_kind="mac",
        kind="generic",
        source="mdns",
        name="x",
        first_seen=now,
        last_seen=now,
        state="ignored",
    )
    device = device_services.add_device("matrix-speaker", "speaker", "home").device
    device_services.start_pairing("matrix-hub", "other", None)
    pairing = PairingRequest.objects.get()
    notice = Notice.objects.create(kind="device_found", key="found:matrix", title="A new device", created_at=now)
    rule = HouseholdRule.objects.create(name="Kids", conditions={"categories": ["kids"]}, actions={"max_tier": "home"})
    # Updates: a box that is not A/B and a restart that restarts nothing, whatever the machine running the tests is.
    updates = {
        "HEARTH_UPDATE_DIR": tmp_path / "updates",
        "HEARTH_KERNEL_CMDLINE": tmp_path / "no-cmdline",
        "HEARTH_REBOOT_COMMAND": ["true"],
    }
    with override_settings(HEARTH_BACKUP_DIR=str(tmp_path), **updates):
        backup = backups.backup_dir() / "hearth-20260101-000000.backup"
        backup.write_bytes(backups.MAGIC)
        yield {
            "event": event.pk,
            "provider": provider.pk,
            "member": member.pk,
            "backup": backup.name,
            "found": found.pk,
            "ignored": ignored.pk,
            "pairing": pairing.pk,
            "rule": rule.pk,
            "device": device.pk,
            "notice": notice.pk,
        }


def _call(client: Client, method: str, path: str, **extra: Any) -> int:
    response = client.get(path, **extra) if method == "GET" else client.post(path, {}, **extra)
    return int(response.status_code)


@pytest.mark.parametrize(("method", "path", "who"), MATRIX)
def test_strangers_and_device_keys_are_sent_to_sign_in(method: str, path: str, who: str, targets: dict[str, Any]) -> None:
    url = path.format(**targets)
    stranger = Client()
    assert _call(stranger, method, url) == 302
    assert "login" in stranger.get(url).headers.get("Location", "") if method == "GET" else True
    paired = device_services.add_device("matrix-tv", "tv", "home")
    assert _call(Client(), method, url, HTTP_AUTHORIZATION=f"Bearer {paired.key}") == 302


@pytest.mark.parametrize(("method", "path", "who"), MATRIX)
def test_members_read_but_change_nothing(method: str, path: str, who: str, targets: dict[str, Any], member_client: Client) -> None:
    status = _call(member_client, method, path.format(**targets))
    if who == "member":
        assert status == 200
    elif path == "/admin/":
        assert status == 302  # the Django admin's own sign-in: members are not staff
    else:
        assert status == 403


@pytest.mark.parametrize(("method", "path", "who"), MATRIX)
def test_the_owner_may_do_everything(method: str, path: str, who: str, targets: dict[str, Any], owner_client: Client) -> None:
    assert _call(owner_client, method, path.format(**targets)) in (200, 302)
