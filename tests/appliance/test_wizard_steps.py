"""The wizard's steps after the claim: hardware, rules, devices found on the network."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from appliance import hardware
from appliance.services import setup as setup_service
from devices import keys
from devices.models import Device, DiscoveredDevice
from policies.models import HouseholdRule


@pytest.mark.parametrize(
    ("vram_mib", "model"),
    # 8 GiB: Llama 3.1 8B (AWQ) needs 7.5 GiB with 8k tokens of context, more than vLLM's 0.9 of the card (appliance.store.fit).
    [
        (0, "SmolLM2"),
        (4_096, "Qwen2.5 3B"),
        (8_192, "Qwen2.5 3B"),
        (12_288, "Llama 3.1 8B"),
        (16_384, "14B"),
        (24_576, "30B-A3B"),
        (81_920, "32B"),
    ],
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


def test_the_hardware_step_names_the_model_the_engine_serves(owner_client: Client, settings: Any) -> None:
    settings.HEARTH_HOME_MODEL = ""  # the model installed with Hearth
    page = owner_client.get("/setup/hardware/").content.decode()
    serving = page.split('id="serving"')[1].split("</article>")[0]
    assert "SmolLM2 135M Instruct" in serving and "SmolLM2-135M-Instruct.Q4_1.gguf" in serving
    assert "360M" not in page


def _box(vram_mib: int) -> hardware.Hardware:
    gpus = [hardware.Gpu("NVIDIA RTX 4090", vram_mib, "535.216")] if vram_mib else []
    return hardware.Hardware("x86-64", 8, 32_768, 900.0, 800.0, gpus)


def test_without_a_gpu_what_would_fit_is_the_model_installed_with_hearth(settings: Any) -> None:
    settings.HEARTH_HOME_MODEL = ""
    home = setup_service.home_model(_box(0))
    assert home.served is not None and home.served_as is not None and home.served_as == home.fits
    assert home.serves_the_fit and "135M" in home.fits.name


def test_a_gpu_box_serving_a_smaller_model_says_both(owner_client: Client, settings: Any) -> None:
    settings.HEARTH_HOME_ENGINE = "vllm"
    settings.HEARTH_HOME_MODEL = "/var/lib/hearth/models/Meta-Llama-3.1-8B-Instruct-AWQ-INT4"
    home = setup_service.home_model(_box(24_576))
    assert home.served_as is not None and home.served_as.name == "Llama 3.1 8B Instruct (AWQ)"
    assert home.fits.name == "Qwen3 30B-A3B (GPTQ-Int4)" and not home.serves_the_fit
    page = owner_client.get("/setup/hardware/").content.decode()
    serving = page.split('id="serving"')[1].split("</article>")[0]
    assert "Llama 3.1 8B Instruct" in serving and "vLLM on the GPU" in serving and "Meta-Llama-3.1-8B-Instruct-AWQ-INT4" in serving


def test_a_model_file_outside_the_table_is_shown_by_its_file_name(owner_client: Client, settings: Any) -> None:
    settings.HEARTH_HOME_MODEL = "/srv/models/granite-3b-code.gguf"
    page = owner_client.get("/setup/hardware/").content.decode()
    assert 'id="served-model">granite-3b-code.gguf<' in page
    assert "The box serves <code>granite-3b-code.gguf</code> instead" in page
