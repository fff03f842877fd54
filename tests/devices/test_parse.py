"""Recorded discovery payloads become sightings; hostile ones are refused, not trusted."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from django.db.models import CharField

from devices.discovery import parse
from devices.kinds import index
from devices.models import DiscoveredDevice
from tests.devices.conftest import fixture


def _as_dict(s: parse.Sighting, keys: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(s, k) for k in keys}


@pytest.mark.parametrize("case", fixture("homeassistant.json"), ids=lambda c: c["topic"])
def test_home_assistant_discovery_configs_are_recognised(case: dict[str, Any]) -> None:
    seen = parse.mqtt_message(case["topic"], json.dumps(case["payload"]).encode(), index())
    assert [_as_dict(s, case["expect"]) for s in seen] == [case["expect"]]


def test_zigbee2mqtt_device_list_yields_each_device_but_not_the_coordinator() -> None:
    case = fixture("zigbee2mqtt_bridge_devices.json")
    seen = parse.mqtt_message(case["topic"], json.dumps(case["payload"]).encode(), index())
    assert [_as_dict(s, e) for s, e in zip(seen, case["expect"], strict=True)] == case["expect"]


@pytest.mark.parametrize("case", fixture("tasmota.json"), ids=lambda c: c["topic"])
def test_tasmota_discovery_is_recognised_by_its_mac(case: dict[str, Any]) -> None:
    seen = parse.mqtt_message(case["topic"], json.dumps(case["payload"]).encode(), index())
    assert [_as_dict(s, case["expect"]) for s in seen] == ([case["expect"]] if case["expect"] else [])


def test_an_empty_home_assistant_config_removes_an_entity_and_records_nothing() -> None:
    assert parse.mqtt_message("homeassistant/sensor/x/y/config", b"", index()) == []


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        ("homeassistant/sensor/x/config", b"{not json", "not json"),
        ("homeassistant/sensor/x/config", b"[1, 2]", "not an object"),
        ("homeassistant/sensor/x/config", b'{"name": "no identity at all"}', "no identity"),
        ("homeassistant/sensor/x/config", b'{"uniq_id": "' + b"a" * 20000 + b'"}', "oversize"),
        ("homeassistant/sensor/x/config", b"[" * 100_00 + b"]" * 100_00, "oversize"),
        ("zigbee2mqtt/bridge/devices", b'{"not": "a list"}', "not a list"),
        ("tasmota/discovery/AABB/config", b'{"ip": "1.2.3.4"}', "not a tasmota config"),
        ("homeassistant/sensor/x/config", b'{"uniq_id": "\\u0000\\u0007"}', "no identity"),
    ],
)
def test_malformed_or_oversize_payloads_are_refused_with_a_reason(topic: str, payload: bytes, reason: str) -> None:
    with pytest.raises(parse.Malformed) as caught:
        parse.mqtt_message(topic, payload, index())
    assert caught.value.reason == reason


def test_device_supplied_strings_are_cut_and_stripped_of_control_characters() -> None:
    config = {"uniq_id": "x1", "dev": {"name": "Lamp\u202e\x1b[31m" + "A" * 500, "mf": "<b>Evil</b>\r\n"}}
    (seen,) = parse.mqtt_message("homeassistant/light/x1/config", json.dumps(config).encode(), index())
    assert seen.name.startswith("Lamp[31mAAA") and len(seen.name) == 100
    assert seen.maker == "<b>Evil</b>"  # kept as data; escaping is the page's job (see test_discovery)


def test_mdns_identity_prefers_a_txt_mac_over_the_instance_name() -> None:
    txt = {b"id": b"AA:BB:CC:DD:EE:01", b"md": b"Google Home Mini", b"fn": b"Kitchen speaker"}
    seen = parse.mdns("_googlecast._tcp.local.", "Google-Home-Mini-1234._googlecast._tcp.local.", "x.local.", ["192.168.1.9"], txt, index())
    assert (seen.identity, seen.kind, seen.name, seen.model, seen.address) == (
        "mac:aa:bb:cc:dd:ee:01",
        "speaker",
        "Kitchen speaker",
        "Google Home Mini",
        "192.168.1.9",
    )
    bare = parse.mdns("_rtsp._tcp.local.", "Porch cam._rtsp._tcp.local.", "cam.local.", ["fe80::1%2"], {}, index())
    assert bare.identity == "instance:_rtsp._tcp.local./Porch cam._rtsp._tcp.local." and bare.kind == "camera"


def _junk(rng: random.Random, depth: int = 0) -> Any:
    choices: list[Any] = [
        None,
        True,
        rng.randint(-(2**70), 2**70),
        rng.random(),
        "",
        "\x00\u202e<script>" * rng.randint(1, 40),
        "aa:bb:cc:dd:ee:ff",
        "x" * rng.randint(0, 5000),
        ["mac", "not-a-mac"],
    ]
    if depth < 4:
        choices += [[_junk(rng, depth + 1) for _ in range(rng.randint(0, 4))], {"k": _junk(rng, depth + 1)}]
    return rng.choice(choices)


def _mutate(rng: random.Random, value: Any) -> Any:
    """Replace one node somewhere in a JSON document with junk."""
    if isinstance(value, dict) and value and rng.random() < 0.8:
        key = rng.choice(list(value))
        return value | {key: _mutate(rng, value[key])}
    if isinstance(value, list) and value and rng.random() < 0.8:
        i = rng.randrange(len(value))
        return [*value[:i], _mutate(rng, value[i]), *value[i + 1 :]]
    return _junk(rng)


def _seeds() -> list[tuple[str, Any]]:
    z2m = fixture("zigbee2mqtt_bridge_devices.json")
    return [(c["topic"], c["payload"]) for c in fixture("homeassistant.json") + fixture("tasmota.json")] + [(z2m["topic"], z2m["payload"])]


LIMITS: dict[str, int] = {f.name: f.max_length for f in DiscoveredDevice._meta.get_fields() if isinstance(f, CharField) and f.max_length}


def _fits_the_database(seen: parse.Sighting) -> bool:
    return all(len(getattr(seen, name)) <= limit for name, limit in LIMITS.items() if hasattr(seen, name)) and bool(seen.identity)


def test_fuzzed_mqtt_discovery_payloads_are_recognised_or_refused_never_crash() -> None:
    rng, outcomes = random.Random(20261123), {"recognised": 0, "refused": 0}
    seeds = _seeds()
    for _ in range(2000):
        topic, document = rng.choice(seeds)
        for _ in range(rng.randint(1, 3)):
            document = _mutate(rng, document)
        payload = json.dumps(document).encode()
        if rng.random() < 0.2:  # and bytes that are no longer JSON at all
            cut = rng.randrange(len(payload) + 1)
            payload = payload[:cut] + rng.randbytes(rng.randint(0, 8)) + payload[cut:]
        try:
            seen = parse.mqtt_message(topic, payload, index())
        except parse.Malformed:
            outcomes["refused"] += 1
            continue
        outcomes["recognised"] += 1
        assert all(_fits_the_database(s) for s in seen)
    assert outcomes["recognised"] > 200 and outcomes["refused"] > 200, outcomes


def test_fuzzed_mdns_records_are_recognised_or_refused_never_crash() -> None:
    rng = random.Random(7)
    keys = [b"id", b"mac", b"serial", b"sn", b"deviceid", b"fn", b"md", b"mf", b"\xff\x00", b"x" * 300]
    for _ in range(2000):
        txt = {
            rng.choice(keys) + bytes([rng.randrange(256)]) * rng.randint(0, 1): rng.choice(
                [None, b"", b"AA:BB:CC:DD:EE:FF", rng.randbytes(rng.randint(0, 300))]
            )
            for _ in range(rng.randint(0, 40))
        }
        instance = "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randint(0, 80))) + "._googlecast._tcp.local."
        addresses = [rng.choice(["192.168.1.2", "fe80::1%2", "not an address", "999.1.1.1"])]
        try:
            seen = parse.mdns("_googlecast._tcp.local.", instance, "x.local.", addresses, txt, index())
        except parse.Malformed:
            continue
        assert _fits_the_database(seen)
