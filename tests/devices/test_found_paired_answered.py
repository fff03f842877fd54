# mypy: disable-error-code="no-untyped-call"
"""Tried as a new household would: a device announcing itself over mDNS and one over MQTT
discovery show up in the admin, are paired there, and get answers (over HTTP and over
MQTT) that the audit log keeps under their names."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from django.test import Client
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from zeroconf import ServiceInfo, Zeroconf

from devices import services
from devices.models import Device, DiscoveredDevice
from tests.conftest import Live, PairedDevice, audited
from tests.devices.conftest import Broker, wait_for
from tests.devices.test_discovery import off_the_loop
from tests.devices.test_mqtt import answers, inbox

pytestmark = pytest.mark.django_db(transaction=True)
HOST = "127.0.0.1"
ASK = {"model": "hearth-auto", "messages": [{"role": "user", "content": "Name a colour."}], "max_tokens": 8}


def shown(page: str, marker: str) -> str:
    found = re.search(rf"<code {marker}>([^<]+)</code>", page)
    assert found, page
    return found[1]


def pair_in_the_admin(admin_client: Client, row: DiscoveredDevice) -> tuple[Device, str]:
    listed = admin_client.get("/admin/devices/discovereddevice/", HTTP_HOST=HOST).content.decode()
    assert row.name in listed
    page = admin_client.post(
        "/admin/devices/discovereddevice/", {"action": "pair", "_selected_action": [row.pk]}, HTTP_HOST=HOST
    ).content.decode()
    row.refresh_from_db()
    assert row.state == "paired" and row.device is not None
    return row.device, shown(page, "data-key")


def test_a_device_found_over_mdns_is_paired_in_the_admin_and_answered_over_http(live: Live, run_command: Any, admin_client: Client) -> None:
    finder = run_command("discovery", "--no-mqtt", "--no-announce", HEARTH_DISCOVERY_INTERFACES="127.0.0.1")
    zc = off_the_loop(lambda: Zeroconf(interfaces=["127.0.0.1"]))
    try:
        zc.register_service(
            ServiceInfo(
                "_wyoming._tcp.local.",
                "Hall satellite._wyoming._tcp.local.",
                port=10700,
                properties={"mac": "b8:27:eb:00:11:22", "md": "Wyoming satellite"},
                server="hall-satellite.local.",
                addresses=[bytes([127, 0, 0, 1])],
            )
        )
        row = wait_for(lambda: DiscoveredDevice.objects.filter(identity="mac:b8:27:eb:00:11:22").first(), 20)
        assert row is not None, finder.terminate()[1]
    finally:
        zc.close()
    device, key = pair_in_the_admin(admin_client, row)
    assert (device.name, device.category, device.max_tier) == ("Hall satellite", "speaker", "home")

    answered = httpx.post(f"{live.api}/chat/completions", json=ASK, headers={"Authorization": f"Bearer {key}"}, timeout=60)
    assert answered.status_code == 200 and answered.json()["choices"][0]["message"]["content"].strip()
    [event] = audited(device)
    assert (event.device_name, event.tier, event.outcome) == ("Hall satellite", "home", "ok")
    assert finder.terminate()[0] == 0


def test_a_device_found_over_mqtt_discovery_is_paired_in_the_admin_and_answered_over_mqtt(
    live: Live, mqtt_broker: Broker, run_command: Any, admin_client: Client, make_device: Callable[..., PairedDevice]
) -> None:
    hub = services.issue_mqtt_credentials(make_device(category="appliance").device, publishes_discovery=True)
    finder = run_command("discovery", "--no-mdns")
    bridge = run_command("mqtt_bridge")
    finder.wait_for_line("MQTT discovery: subscribed")
    announcer = mqtt_broker.client(hub.username, hub.password)
    config = {
        "name": None,
        "uniq_id": "kitchen-voice-assist",
        "dev": {"ids": ["kitchen-voice-0a1b2c"], "name": "Kitchen voice", "mf": "Nabu Casa", "mdl": "Home Assistant Voice PE"},
    }
    announcer.publish("homeassistant/assist_satellite/kitchen-voice/config", json.dumps(config), qos=1).wait_for_publish(5)
    announcer.disconnect()
    row = wait_for(lambda: DiscoveredDevice.objects.filter(identity="unique_id:kitchen-voice-0a1b2c").first(), 20)
    assert row is not None, finder.terminate()[1]
    device, _ = pair_in_the_admin(admin_client, row)
    assert (device.name, device.category) == ("Kitchen voice", "speaker")

    page = admin_client.post(
        "/admin/devices/device/", {"action": "give_mqtt_accounts", "_selected_action": [device.pk]}, HTTP_HOST=HOST
    ).content.decode()
    username, password = shown(page, "data-mqtt-username"), shown(page, "data-mqtt-password")
    speaker = mqtt_broker.client(username, password)
    got = inbox(speaker, f"hearth/{username}/response/#")
    bridge.wait_for_line("MQTT bridge: listening")
    props = Properties(PacketTypes.PUBLISH)
    props.ResponseTopic, props.CorrelationData = f"hearth/{username}/response/1", b"ask-1"
    speaker.publish(f"hearth/{username}/request", json.dumps(ASK), qos=1, properties=props).wait_for_publish(5)
    (answer,) = answers(got, lambda p: True)
    assert answer.properties.CorrelationData == b"ask-1"
    assert json.loads(answer.payload)["choices"][0]["message"]["content"].strip()
    [event] = audited(device)
    assert (event.device_name, event.tier, event.outcome) == ("Kitchen voice", "home", "ok")
    speaker.disconnect()
    for process in (bridge, finder):
        assert process.terminate()[0] == 0
