# mypy: disable-error-code="no-untyped-call"
"""Discovery: identity rules on the database, and the real `discovery` command over a real
Mosquitto and real zeroconf on loopback."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from zeroconf import AddressResolverIPv4, ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

from devices import services
from devices.discovery import announce
from devices.discovery.network import addresses, zeroconf_interfaces
from devices.discovery.parse import Sighting
from devices.models import Device, DiscoveredDevice
from tests.devices.conftest import Broker, fixture, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
T = TypeVar("T")


def off_the_loop(call: Callable[[], T]) -> T:
    """Run `call` in a thread of its own: browser tests may leave an event loop running in
    this one, and zeroconf and asyncio.run would then try to use it."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(call).result()


def sighting(**fields: Any) -> Sighting:
    base: dict[str, Any] = {
        "identity": "mac:aa:bb:cc:00:00:01",
        "identity_kind": "mac",
        "source": "mdns",
        "kind": "speaker",
        "name": "Kitchen speaker",
        "maker": "Google",
        "model": "Nest Mini",
        "address": "192.168.1.20",
    }
    return Sighting(**(base | fields))


def test_a_device_whose_address_changes_is_updated_not_duplicated() -> None:
    services.record_sighting(sighting())
    row = services.record_sighting(sighting(address="192.168.1.77"))
    assert DiscoveredDevice.objects.count() == 1
    assert (row.address, row.sightings, row.state) == ("192.168.1.77", 2, "new")


def test_ignoring_sticks_to_the_identity_when_the_device_comes_back_elsewhere() -> None:
    services.ignore_discovered(services.record_sighting(sighting()))
    again = services.record_sighting(sighting(address="10.0.0.5", name="Renamed"))
    assert (again.state, again.address, DiscoveredDevice.objects.count()) == ("ignored", "10.0.0.5", 1)
    other = services.record_sighting(sighting(identity="mac:aa:bb:cc:00:00:02", name="Hall speaker"))
    assert services.found_on_the_network() == [other]  # what the wizard offers to pair


def test_a_second_device_claiming_a_known_identity_is_flagged_never_merged() -> None:
    first = services.record_sighting(sighting())
    other = services.record_sighting(sighting(maker="Acme", model="Cloned cam", kind="camera", address="192.168.1.99"))
    assert other.pk != first.pk and other.state == "conflict" and other.conflicts_with == first
    first.refresh_from_db()
    assert (first.maker, first.address, first.state) == ("Google", "192.168.1.20", "new")
    # The claimant seen again updates its own conflict row, not the owner's.
    services.record_sighting(sighting(maker="Acme", model="Cloned cam", address="192.168.1.100"))
    assert DiscoveredDevice.objects.filter(state="conflict").get().address == "192.168.1.100"
    with pytest.raises(ValueError, match="conflict"):
        services.pair_discovered(other)
    # The owner ignores the claimant: it stays ignored, still apart from the first device.
    services.ignore_discovered(DiscoveredDevice.objects.get(state="conflict"))
    again = services.record_sighting(sighting(maker="Acme", model="Cloned cam", address="192.168.1.101"))
    assert (again.state, again.conflicts_with, again.address) == ("ignored", first, "192.168.1.101")
    assert DiscoveredDevice.objects.count() == 2


def test_pairing_a_discovered_device_uses_its_kinds_defaults_and_issues_a_key() -> None:
    row = services.record_sighting(sighting(kind="camera", name="Porch cam"))
    issued = services.pair_discovered(row)
    assert (issued.device.name, issued.device.category, issued.device.max_tier) == ("Porch cam", "camera", "home")
    row.refresh_from_db()
    assert row.state == "paired" and row.device == issued.device
    assert Device.objects.get(name="Porch cam").key_hash != issued.key


def test_device_supplied_strings_are_escaped_in_the_admin_list() -> None:
    services.record_sighting(sighting(name="<script>alert('x')</script>", maker="<img src=x onerror=alert(1)>"))
    User.objects.create_superuser("owner", "owner@example.com", "a-long-password-1")
    client = Client()
    client.force_login(User.objects.get(username="owner"))
    page = client.get("/admin/devices/discovereddevice/", HTTP_HOST="127.0.0.1").content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "<img src=x" not in page


def test_mqtt_discovery_records_real_payloads_and_survives_hostile_ones(mqtt_broker: Broker, run_command: Any, make_device: Any) -> None:
    hub = services.issue_mqtt_credentials(make_device(category="appliance").device, publishes_discovery=True)
    proc = run_command("discovery", "--no-mdns")
    publisher = mqtt_broker.client(hub.username, hub.password)
    # zigbee2mqtt's list is retained: the listener gets it whenever it subscribes, which
    # tells the test that it is listening.
    z2m = fixture("zigbee2mqtt_bridge_devices.json")
    publisher.publish(z2m["topic"], json.dumps(z2m["payload"]), qos=1, retain=True).wait_for_publish(5)
    assert wait_for(lambda: DiscoveredDevice.objects.count() == 2, 20)
    bad = [b"{not json", b"[]", b'{"uniq_id": "' + b"x" * 3_000_000 + b'"}', b'{"name": "no id"}']
    for payload in bad:
        publisher.publish("homeassistant/sensor/evil/x/config", payload, qos=1).wait_for_publish(5)
    for case in fixture("homeassistant.json") + fixture("tasmota.json"):
        publisher.publish(case["topic"], json.dumps(case["payload"]), qos=1).wait_for_publish(5)
    publisher.publish(z2m["topic"], b"", qos=1, retain=True).wait_for_publish(5)  # clear the retained list
    publisher.disconnect()
    expected = 5 + 2 + 1
    assert wait_for(lambda: DiscoveredDevice.objects.count() >= expected) and DiscoveredDevice.objects.count() == expected
    kettle = DiscoveredDevice.objects.get(identity="mac:dc:4f:22:a1:b2:c3")
    assert (kettle.source, kettle.kind, kettle.address, kettle.state) == ("tasmota", "appliance", "192.168.1.88", "new")
    assert set(DiscoveredDevice.objects.values_list("kind", flat=True)) == {"appliance", "vacuum", "camera", "generic"}
    code, log = proc.terminate()
    assert code == 0, log
    assert "discovery stopped: 8 sightings recorded" in log
    assert "'not json': 1" in log, log
    assert "'not json': 1" in log and "'oversize': 1" in log and "'no identity': 1" in log and "'not an object': 1" in log


def test_anonymous_clients_are_refused_by_the_broker(mqtt_broker: Broker) -> None:
    with pytest.raises(ConnectionRefusedError):
        mqtt_broker.client(None, None)
    with pytest.raises(ConnectionRefusedError):
        mqtt_broker.client("hearth", "not-the-password")


def test_a_device_announcing_over_mdns_is_found_and_hearth_is_announced(run_command: Any) -> None:
    # The web process as make run starts it (every interface); the announcement on loopback only.
    proc = run_command("discovery", "--no-mqtt", HEARTH_DISCOVERY_INTERFACES="127.0.0.1", HEARTH_WEB_HOST="0.0.0.0", HEARTH_WEB_PORT="8123")
    zc = off_the_loop(lambda: Zeroconf(interfaces=["127.0.0.1"]))
    found: dict[str, float] = {}
    try:
        started = time.monotonic()

        def on_change(zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange) -> None:
            found.setdefault(name, time.monotonic() - started)

        browser = ServiceBrowser(zc, ["_hearth._tcp.local.", "_http._tcp.local."], handlers=[on_change])
        assert wait_for(lambda: len(found) >= 2, 15), found
        info = zc.get_service_info("_hearth._tcp.local.", "Hearth._hearth._tcp.local.", timeout=3000)
        assert info is not None and info.server == "hearth.local." and info.port == 8123
        assert info.properties[b"api"] == b"http://hearth.local:8123/v1" and info.parsed_addresses() == ["127.0.0.1"]
        assert info.properties[b"pair"] == b"/v1/pair"
        http = zc.get_service_info("_http._tcp.local.", "Hearth._http._tcp.local.", timeout=3000)
        assert http is not None and http.properties[b"path"] == b"/admin/" and http.port == 8123
        # A person's browser asks for the host name alone.
        host = AddressResolverIPv4("hearth.local.")
        assert host.request(zc, 3000) and host.parsed_addresses() == ["127.0.0.1"]
        browser.cancel()

        speaker = ServiceInfo(
            "_googlecast._tcp.local.",
            "Google-Nest-Mini-<b>x</b>._googlecast._tcp.local.",
            port=8009,
            properties={"id": "3d2f1a6b9c0e4d8f", "md": "Google Nest Mini", "fn": "Kitchen <speaker>"},
            server="nest-mini.local.",
            addresses=[bytes([127, 0, 0, 1])],
        )
        announced = time.monotonic()
        zc.register_service(speaker)
        row = wait_for(lambda: DiscoveredDevice.objects.filter(source="mdns").first(), 15)
        latency = time.monotonic() - announced
        assert row is not None, proc.terminate()[1]
        assert (row.identity, row.kind, row.name, row.model, row.address) == (
            "unique_id:3d2f1a6b9c0e4d8f",
            "speaker",
            "Kitchen <speaker>",
            "Google Nest Mini",
            "127.0.0.1",
        )
        print(
            f"\nmDNS on loopback: Hearth found {max(found.values()):.2f} s after the discovery process was started, a device recorded {latency:.2f} s after it announced"
        )
    finally:
        zc.close()
    code, log = proc.terminate()
    assert code == 0, log


def test_presence_is_read_from_its_mqtt_topic_and_exposed_with_its_source(
    mqtt_broker: Broker, run_command: Any, make_device: Any, settings: Any
) -> None:
    settings.HEARTH_PRESENCE_TOPIC = "home/presence"
    phone = services.issue_mqtt_credentials(make_device().device, publishes_presence=True)
    other = services.issue_mqtt_credentials(make_device().device)
    proc = run_command("discovery", "--no-mdns", HEARTH_PRESENCE_TOPIC="home/presence")
    proc.wait_for_line("MQTT discovery: subscribed")
    assert services.presence().state == "unknown"
    intruder = mqtt_broker.client(other.username, other.password)
    intruder.publish("home/presence", b"away", qos=1).wait_for_publish(5)
    publisher = mqtt_broker.client(phone.username, phone.password)
    publisher.publish("home/presence", b"garbage", qos=1).wait_for_publish(5)
    time.sleep(0.5)
    assert services.presence().state == "unknown"  # the intruder may not publish it; garbage is dropped
    publisher.publish("home/presence", b"away", qos=1).wait_for_publish(5)
    assert wait_for(lambda: services.presence().state == "away")
    publisher.publish("home/presence", b'{"state": "home"}', qos=1).wait_for_publish(5)
    assert wait_for(lambda: services.presence().state == "home")
    reading = services.presence()
    assert reading.source == "mqtt:home/presence" and reading.updated_at is not None
    for c in (intruder, publisher):
        c.disconnect()
    code, log = proc.terminate()
    assert code == 0 and "'presence': 1" in log, log


def test_a_found_device_is_pushed_live_to_a_signed_in_owner_and_not_to_others() -> None:
    from asgiref.sync import sync_to_async
    from asgiref.testing import ApplicationCommunicator
    from django.contrib.auth.models import AnonymousUser

    from devices.consumers import DiscoveredConsumer

    owner = User.objects.create_superuser("owner", "owner@example.com", "a-long-password-1")

    def socket(user: Any) -> ApplicationCommunicator:
        scope = {"type": "websocket", "path": "/ws/devices/discovered/", "headers": [], "subprotocols": [], "user": user}
        return ApplicationCommunicator(DiscoveredConsumer.as_asgi(), scope)

    async def scenario() -> tuple[str, dict[str, Any]]:
        stranger = socket(AnonymousUser())
        await stranger.send_input({"type": "websocket.connect"})
        refused = (await stranger.receive_output(5))["type"]
        live = socket(owner)
        await live.send_input({"type": "websocket.connect"})
        assert (await live.receive_output(5))["type"] == "websocket.accept"
        await sync_to_async(services.record_sighting)(sighting(name="<b>Nest</b>"))
        sent = await live.receive_output(5)
        await live.send_input({"type": "websocket.disconnect", "code": 1000})
        await live.wait(2)
        return refused, json.loads(sent["text"])

    refused, message = off_the_loop(lambda: asyncio.run(scenario()))
    assert refused == "websocket.close"
    assert (message["type"], message["change"], message["name"], message["kind"]) == ("discovery.seen", "new", "<b>Nest</b>", "speaker")


def test_discovery_interfaces_are_a_setting_and_a_wrong_one_fails_at_start(settings: Any) -> None:
    settings.HEARTH_DISCOVERY_INTERFACES = ["lo"]
    assert addresses() == ["127.0.0.1"] and zeroconf_interfaces() == ["127.0.0.1"]
    settings.HEARTH_DISCOVERY_INTERFACES = ["no-such-port0"]
    with pytest.raises(SystemCheckError, match=r"hearth\.E102"):
        call_command("check")


@pytest.mark.parametrize("topic", ["home/+/presence", "home/#", "hearth/phone-1/request", "$SYS/broker/uptime"])
def test_a_presence_topic_that_is_not_one_plain_topic_fails_at_start(settings: Any, topic: str) -> None:
    settings.HEARTH_PRESENCE_TOPIC = topic
    with pytest.raises(SystemCheckError, match=r"hearth\.E101"):
        call_command("check")


def test_where_avahi_owns_the_host_name_the_services_point_at_it_without_address_records(settings: Any) -> None:
    settings.HEARTH_DISCOVERY_INTERFACES, settings.HEARTH_MDNS_ANNOUNCE_HOST = ["127.0.0.1"], False
    records = announce.services()
    assert [(r.type, r.server, r.addresses) for r in records] == [
        ("_hearth._tcp.local.", "hearth.local.", []),
        ("_http._tcp.local.", "hearth.local.", []),
    ]
