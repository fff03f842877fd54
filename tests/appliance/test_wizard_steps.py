"""The wizard's steps after the claim: hardware, rules, devices found on the network."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from appliance import hardware
from devices import keys
from devices.models import Device, DiscoveredDevice
from policies.models import HouseholdRule


@pytest.mark.parametrize(
    ("vram_mib", "model"),
    [(0, "SmolLM2"), (4_096, "Qwen2.5 3B"), (8_192, "Llama 3.1 8B"), (16_384, "14B"), (24_576, "30B-A3B"), (81_920, "32B")],
)
def test_the_home_model_is_recommended_to_fit_the_vram(vram_mib: int, model: str) -> None:
    assert model in hardware.recommend(vram_mib).name


def test_a_box_without_an_nvidia_gpu_is_surveyed_gracefully(owner_client: Client) -> None:
    found = hardware.survey()
    assert found.cores >= 1 and found.memory_mib > 0 and found.disk_total_gib > 0
    page = owner_client.get("/setup/hardware/").content.decode()
    if not found.gpus:  # this test machine: no driver, or no pynvml
        assert "no NVIDIA GPU" in page and "SmolLM2" in page
    else:
        assert found.gpus[0].name in page and found.gpus[0].driver in page


def test_the_rules_step_applies_a_preset_through_the_rules_service(owner_client: Client) -> None:
    response = owner_client.post("/setup/rules/", {"preset": "household"})
    assert "rules from that preset" in response.content.decode()
    assert HouseholdRule.objects.filter(name="Kids' devices").exists()
    response = owner_client.post("/setup/rules/", {"preset": "no-such-preset"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()


def found_section(client: Client) -> str:
    return client.get("/setup/devices/").content.decode().split('id="found"')[1].split("</div>")[0]


def _found(name: str, identity: str) -> DiscoveredDevice:
    now = timezone.now()
    return DiscoveredDevice.objects.create(
        identity=identity, identity_kind="mac", kind="generic", source="mdns", name=name, first_seen=now, last_seen=now
    )


def test_a_device_found_on_the_network_is_paired_from_the_wizard(owner_client: Client) -> None:
    porch = _found("<b>Porch speaker</b>", "aa:bb:cc:00:00:01")
    page = owner_client.get("/setup/devices/").content.decode()
    assert "&lt;b&gt;Porch speaker&lt;/b&gt;" in page and "<b>Porch speaker" not in page
    page = owner_client.post(f"/setup/devices/found/{porch.pk}/pair/").content.decode()
    key = page.split('id="device-key">')[1].split("<")[0].strip()
    device = Device.objects.get(key_hash=keys.key_hash(key), revoked_at__isnull=True)
    assert device.name == "<b>Porch speaker</b>"
    assert "Porch speaker" not in found_section(owner_client), "paired: no longer listed as found"
    assert owner_client.post(f"/setup/devices/found/{porch.pk}/pair/").status_code == 404, "paired once only"


def test_an_ignored_device_leaves_the_list(owner_client: Client, owner: Any) -> None:
    printer = _found("printer", "aa:bb:cc:00:00:02")
    assert "printer" in found_section(owner_client)
    owner_client.post(f"/setup/devices/found/{printer.pk}/ignore/")
    assert "printer" not in found_section(owner_client)
    assert not Device.objects.exists()


def test_the_hardware_step_says_what_the_home_engine_is_doing(owner_client: Client, settings: Any) -> None:
    from gateway.models import Provider
    from gateway.services import ensure_home_provider

    settings.HEARTH_HOME_PORT = 9  # nothing listens there: the engine is still starting
    ensure_home_provider()
    assert Provider.objects.filter(tier="home").exists()
    fragment = owner_client.get("/setup/engine/").content.decode()
    assert "Starting: loading the model" in fragment and 'hx-trigger="every 2s"' in fragment
