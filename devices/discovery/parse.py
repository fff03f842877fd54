"""Turn what devices announce (mDNS records, MQTT discovery messages) into sightings.

Everything here is device-supplied: sizes are limited before parsing, strings are cut to
their field's length and stripped of control characters, and anything that does not have
the expected shape raises Malformed, which the listener counts and drops.
"""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from devices.choices import DiscoverySource
from devices.kinds import DiscoveryIndex

MAX_CONFIG_BYTES = 16 * 1024  # one Home Assistant or Tasmota discovery config
MAX_LIST_BYTES = 2 * 1024 * 1024  # zigbee2mqtt's whole device list (a few KiB per device)
MAX_LIST_DEVICES = 1000
MAX_TXT_ENTRIES = 32
_MAC = re.compile(r"^[0-9a-f]{2}([:-]?[0-9a-f]{2}){5}$", re.IGNORECASE)
# TXT keys devices use for a stable id, most trustworthy first (HomeKit and AirPlay
# `id`/`deviceid` are MACs or stable pseudo-MACs; Cast `id` is a UUID).
_TXT_IDS = (("mac", "mac"), ("serial", "serial"), ("sn", "serial"), ("deviceid", "unique_id"), ("id", "unique_id"), ("uuid", "unique_id"))


class Malformed(ValueError):
    """A discovery payload that is not what it claims to be; `reason` is counted."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Sighting:
    """One device as one announcement described it."""

    identity: str
    identity_kind: str
    source: str
    kind: str
    name: str = ""
    maker: str = ""
    model: str = ""
    address: str = ""
    service_type: str = ""
    details: dict[str, str] = field(default_factory=dict)


def text(value: Any, limit: int = 100) -> str:
    """Return a device-supplied value as a short printable string."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    raw = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    clean = "".join(c for c in raw if unicodedata.category(c)[0] != "C")
    return clean.strip()[:limit]


def mac(value: str) -> str | None:
    """Return a MAC address in canonical form (aa:bb:cc:dd:ee:ff), or None."""
    value = value.strip()
    if not _MAC.match(value):
        return None
    digits = re.sub(r"[^0-9a-f]", "", value.lower())
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def _identity(kind: str, value: str) -> tuple[str, str]:
    canonical = mac(value) if kind == "mac" else None
    ident = text(canonical or value, 180)
    if not ident:
        raise Malformed("no identity")
    return f"{'mac' if canonical else kind}:{ident}", "mac" if canonical else kind


def _json(payload: bytes, limit: int) -> Any:
    if len(payload) > limit:
        raise Malformed("oversize")
    try:
        return json.loads(payload)
    except (ValueError, RecursionError):
        raise Malformed("not json") from None


def _address(value: Any) -> str:
    try:
        return str(ipaddress.ip_address(text(value, 45)))
    except ValueError:
        return ""


def _url_host(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 500:
        return ""
    try:
        return _address(urlsplit(value).hostname or "")
    except ValueError:
        return ""


# --- Home Assistant MQTT discovery -----------------------------------------------------


def homeassistant(topic: str, payload: bytes, index: DiscoveryIndex) -> Sighting | None:
    """Parse `homeassistant/<component>/[<node_id>/]<object_id>/config`; None for a removal."""
    if not payload:
        return None  # an empty config removes the entity; the device stays known
    config = _json(payload, MAX_CONFIG_BYTES)
    if not isinstance(config, dict):
        raise Malformed("not an object")
    device = config.get("device", config.get("dev"))
    device = device if isinstance(device, dict) else {}
    connections = device.get("connections", device.get("cns")) or []
    identifiers = device.get("identifiers", device.get("ids")) or []
    if isinstance(identifiers, str):
        identifiers = [identifiers]
    ident: tuple[str, str] | None = None
    for conn in connections if isinstance(connections, list) else []:
        if isinstance(conn, list) and len(conn) == 2 and conn[0] == "mac" and isinstance(conn[1], str) and mac(conn[1]):
            ident = _identity("mac", conn[1])
            break
    if ident is None and isinstance(identifiers, list) and identifiers and isinstance(identifiers[0], (str, int)):
        ident = _identity("unique_id", str(identifiers[0]))
    unique = config.get("unique_id", config.get("uniq_id"))
    if ident is None and isinstance(unique, (str, int)):
        ident = _identity("unique_id", str(unique))
    if ident is None:
        raise Malformed("no identity")
    component = topic.split("/")[1]
    return Sighting(
        identity=ident[0],
        identity_kind=ident[1],
        source=DiscoverySource.HOMEASSISTANT,
        kind=index.kind_for_topic(topic),
        name=text(device.get("name") or config.get("name")),
        maker=text(device.get("manufacturer", device.get("mf"))),
        model=text(device.get("model", device.get("mdl"))),
        address=_url_host(device.get("configuration_url", device.get("cu"))),
        service_type=text(component, 40),
        details={"component": text(component, 40), "sw": text(device.get("sw_version", device.get("sw")), 40)},
    )


# --- zigbee2mqtt ------------------------------------------------------------------------


def zigbee2mqtt(topic: str, payload: bytes, index: DiscoveryIndex) -> list[Sighting]:
    """Parse zigbee2mqtt's retained `bridge/devices` list; the coordinator is the bridge itself, not a device."""
    if not payload:
        return []  # a retained message being cleared
    devices = _json(payload, MAX_LIST_BYTES)
    if not isinstance(devices, list):
        raise Malformed("not a list")
    kind = index.kind_for_topic(topic)
    found = []
    for entry in devices[:MAX_LIST_DEVICES]:
        if not isinstance(entry, dict) or entry.get("type") == "Coordinator" or not isinstance(entry.get("ieee_address"), str):
            continue
        definition: dict[str, Any] = entry["definition"] if isinstance(entry.get("definition"), dict) else {}
        ident, ident_kind = _identity("ieee", entry["ieee_address"].lower())
        found.append(
            Sighting(
                identity=ident,
                identity_kind=ident_kind,
                source=DiscoverySource.ZIGBEE2MQTT,
                kind=kind,
                name=text(entry.get("friendly_name")),
                maker=text(definition.get("vendor") or entry.get("manufacturer")),
                model=text(definition.get("model") or entry.get("model_id")),
                service_type="zigbee",
                details={"description": text(definition.get("description"), 200), "power": text(entry.get("power_source"), 40)},
            )
        )
    return found


# --- Tasmota -----------------------------------------------------------------------------


def tasmota(topic: str, payload: bytes, index: DiscoveryIndex) -> Sighting | None:
    """Parse `tasmota/discovery/<MAC>/config`; the `sensors` messages carry no identity and are skipped."""
    if not topic.endswith("/config"):
        return None
    config = _json(payload, MAX_CONFIG_BYTES)
    if not isinstance(config, dict) or not isinstance(config.get("mac"), str):
        raise Malformed("not a tasmota config")
    ident, ident_kind = _identity("mac", config["mac"])
    names: list[Any] = config["fn"] if isinstance(config.get("fn"), list) else []
    return Sighting(
        identity=ident,
        identity_kind=ident_kind,
        source=DiscoverySource.TASMOTA,
        kind=index.kind_for_topic(topic),
        name=text(config.get("dn") or next((n for n in names if n), "")),
        maker="Tasmota",
        model=text(config.get("md")),
        address=_address(config.get("ip")),
        service_type="tasmota",
        details={"hostname": text(config.get("hn")), "sw": text(config.get("sw"), 40)},
    )


def mqtt_message(topic: str, payload: bytes, index: DiscoveryIndex) -> list[Sighting]:
    """Dispatch a discovery message by topic."""
    if topic.startswith("homeassistant/"):
        found = homeassistant(topic, payload, index)
        return [found] if found else []
    if topic == "zigbee2mqtt/bridge/devices":
        return zigbee2mqtt(topic, payload, index)
    if topic.startswith("tasmota/discovery/"):
        found = tasmota(topic, payload, index)
        return [found] if found else []
    return []


# --- mDNS ----------------------------------------------------------------------------------


def mdns(
    service_type: str, instance: str, server: str, addresses: list[str], txt: Mapping[bytes, bytes | None], index: DiscoveryIndex
) -> Sighting:
    """Make a sighting of a resolved zeroconf service.

    A TXT id (MAC, serial, device id) is preferred; without one the instance name, which
    a device keeps across address changes, is the identity.
    """
    if len(txt) > MAX_TXT_ENTRIES:
        raise Malformed("too many txt records")
    records = {text(k, 40).lower(): text(v, 200) for k, v in txt.items() if v is not None}
    ident: tuple[str, str] | None = None
    for key, kind in _TXT_IDS:
        if records.get(key):
            ident = _identity("mac" if mac(records[key]) else kind, records[key])
            break
    if ident is None:
        ident = _identity("instance", f"{service_type}/{instance}")
    label = instance.removesuffix("." + service_type)
    return Sighting(
        identity=ident[0],
        identity_kind=ident[1],
        source=DiscoverySource.MDNS,
        kind=index.kind_for_service(service_type),
        name=text(records.get("fn") or records.get("n") or label),
        maker=text(records.get("manufacturer") or records.get("mf") or records.get("vendor")),
        model=text(records.get("md") or records.get("model") or records.get("am")),
        address=next((a for a in (_address(x) for x in addresses) if a), ""),
        service_type=text(service_type),
        details={"server": text(server, 200), **{k: v for k, v in list(records.items())[:12] if k not in {"mac", "serial", "sn"}}},
    )
