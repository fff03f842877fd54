"""A device on another machine of the home network reaches the box at the address Hearth
announces: a client in a network namespace of its own, linked to the box by a veth pair,
finds `_hearth._tcp` over mDNS, resolves the announced host name and calls the API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import override_settings
from zeroconf import Zeroconf

from appliance.plumbing.stack import Ports, Stack, free_port
from devices.discovery import announce
from tests.conftest import Live, PairedDevice

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass(frozen=True)
class Lan:
    """A second host on a link of its own: the namespace, the box's address and the client's."""

    namespace: str
    box_ip: str
    client_ip: str


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@pytest.fixture
def lan() -> Iterator[Lan]:
    # 198.18.0.0/15 is set aside for testing networks (RFC 2544): no real host has it. The
    # pid keeps two test sessions on this machine apart.
    pid = os.getpid()
    namespace, box_end, client_end = f"hearth-lan-{pid}", f"hlb{pid}"[:15], f"hlc{pid}"[:15]
    prefix = f"198.{18 + (pid >> 8) % 2}.{pid % 256}"
    _ip("netns", "add", namespace)
    try:
        _ip("link", "add", box_end, "type", "veth", "peer", "name", client_end)
        _ip("link", "set", client_end, "netns", namespace)
        _ip("addr", "add", f"{prefix}.1/30", "dev", box_end)
        _ip("link", "set", box_end, "up")
        _ip("-n", namespace, "addr", "add", f"{prefix}.2/30", "dev", client_end)
        _ip("-n", namespace, "link", "set", client_end, "up")
        _ip("-n", namespace, "link", "set", "lo", "up")
        yield Lan(namespace, f"{prefix}.1", f"{prefix}.2")
    finally:
        subprocess.run(["ip", "netns", "del", namespace], check=False, capture_output=True)  # takes the veth pair with it
        subprocess.run(["ip", "link", "del", box_end], check=False, capture_output=True)


# What a device does, written as a device would: browse, read the TXT record, resolve the
# host name it names over mDNS, call the API with its key.
DEVICE = textwrap.dedent(
    """
    import json, sys, time, urllib.request
    from urllib.parse import urlsplit
    from zeroconf import AddressResolverIPv4, ServiceBrowser, Zeroconf

    client_ip, instance, key = sys.argv[1:4]
    zc = Zeroconf(interfaces=[client_ip])
    found = []
    ServiceBrowser(zc, "_hearth._tcp.local.", handlers=[lambda zeroconf, service_type, name, state_change: found.append(name)])
    deadline = time.monotonic() + 10
    while f"{instance}._hearth._tcp.local." not in found and time.monotonic() < deadline:
        time.sleep(0.05)
    info = zc.get_service_info("_hearth._tcp.local.", f"{instance}._hearth._tcp.local.", timeout=5000)
    api = info.properties[b"api"].decode()
    host, port = urlsplit(api).hostname, urlsplit(api).port
    address = host
    if host.endswith(".local"):
        resolver = AddressResolverIPv4(host + ".")
        resolver.request(zc, 5000)
        address = resolver.parsed_addresses()[0]
    request = urllib.request.Request(f"http://{address}:{port}/v1/models", headers={"Authorization": f"Bearer {key}", "Host": f"{host}:{port}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        models = json.load(response)
    zc.close()
    print(json.dumps({"browsed": sorted(set(found)), "api": api, "address": address, "models": [m["id"] for m in models["data"]]}))
    """
)


def test_a_device_in_another_network_namespace_reaches_the_api_at_the_announced_address(
    live: Live, lan: Lan, make_device: Callable[..., PairedDevice]
) -> None:
    tablet = make_device()
    name = f"hearth-{os.getpid()}"
    # The web process as `make run` starts it: listening on every interface.
    box = Stack(
        live.stack.data_dir,
        Ports(redis=live.stack.ports.redis, mqtt=live.stack.ports.mqtt, engine=live.stack.ports.engine, web=free_port()),
        env={**live.stack.env, "HEARTH_MDNS_HOSTNAME": name},
        log_dir=live.stack.log_dir,
        web_host="0.0.0.0",
    )
    box.start(box.web())
    announced = dict(
        HEARTH_WEB_HOST="0.0.0.0",
        HEARTH_WEB_PORT=box.ports.web,
        HEARTH_MDNS_HOSTNAME=name,
        HEARTH_MDNS_NAME=name,
        HEARTH_DISCOVERY_INTERFACES=[lan.box_ip],  # announce on the test link only
        HEARTH_MDNS_ANNOUNCE_HOST=True,
        HEARTH_PUBLIC_URL="",
    )
    zeroconf = Zeroconf(interfaces=[lan.box_ip])
    try:
        with override_settings(**announced):
            announce.register(zeroconf)
        device = subprocess.run(
            ["ip", "netns", "exec", lan.namespace, sys.executable, "-c", DEVICE, lan.client_ip, name, tablet.key],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        zeroconf.close()
        box.stop_all()
    assert device.returncode == 0, device.stderr[-2000:]
    seen = json.loads(device.stdout)
    assert seen["api"] == f"http://{name}.local:{box.ports.web}/v1", "the box announces its mDNS name, not a loopback address"
    assert seen["address"] == lan.box_ip, "the name resolves to the box's address on the device's network"
    assert seen["models"], "the device is answered with the models it may use"


def test_what_devices_are_told_matches_where_the_web_process_listens() -> None:
    with override_settings(HEARTH_PUBLIC_URL="", HEARTH_MDNS_HOSTNAME="hearth", HEARTH_WEB_PORT=8080, HEARTH_WEB_HOST="0.0.0.0"):
        assert announce.base_url() == "http://hearth.local:8080"
    with override_settings(HEARTH_PUBLIC_URL="", HEARTH_WEB_PORT=8080, HEARTH_WEB_HOST="127.0.0.1"):
        assert announce.base_url() == "http://127.0.0.1:8080", "a box only this machine can reach says so"
    with override_settings(HEARTH_PUBLIC_URL="", HEARTH_WEB_PORT=80, HEARTH_WEB_HOST="192.0.2.7"):
        assert announce.base_url() == "http://192.0.2.7"
    with override_settings(HEARTH_PUBLIC_URL="http://hearth.local", HEARTH_WEB_HOST="0.0.0.0"):
        assert announce.base_url() == "http://hearth.local"


def test_the_wizard_tells_the_owner_an_address_a_device_can_reach(owner_client: Any, settings: Any) -> None:
    settings.HEARTH_WEB_HOST, settings.HEARTH_WEB_PORT, settings.HEARTH_PUBLIC_URL = "0.0.0.0", 8080, ""
    page = owner_client.post("/setup/devices/", {"name": "kitchen-tablet", "category": "laptop", "max_tier": "home"}).content.decode()
    assert "http://hearth.local:8080/v1" in page
    assert "127.0.0.1" not in page, "the owner's browser on the box itself is no address for a tablet"
