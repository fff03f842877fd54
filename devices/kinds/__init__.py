"""Device kinds as plugins: one folder per kind with a manifest and an icon.

A manifest declares how devices of its kind are discovered (zeroconf service types and
MQTT discovery topic filters), the category and highest tier a device of the kind starts
with, the rule preset it suggests and its icon. The discovery index is built from all of
them; a service type or topic filter claimed twice is an error, not a silent winner.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devices.choices import Category, Tier

KINDS_DIR = Path(__file__).resolve().parent
FALLBACK_KIND = "generic"
_FIELDS = {"kind", "title", "category", "max_tier", "rule_preset", "icon", "zeroconf", "mqtt"}


class ManifestError(ValueError):
    """A manifest is malformed, or two manifests claim the same thing."""


@dataclass(frozen=True)
class KindManifest:
    """What one device kind declares."""

    kind: str
    title: str
    category: str
    max_tier: str
    rule_preset: str
    icon: Path
    zeroconf: tuple[str, ...]
    mqtt: tuple[str, ...]


def _manifest(folder: Path) -> KindManifest:
    data: Any = json.loads((folder / "manifest.json").read_text())
    if not isinstance(data, dict) or set(data) != _FIELDS:
        raise ManifestError(f"{folder.name}: a manifest has exactly the fields {sorted(_FIELDS)}")
    if data["kind"] != folder.name:
        raise ManifestError(f"{folder.name}: 'kind' must be the folder's name")
    if data["category"] not in Category.values or data["max_tier"] not in Tier.values:
        raise ManifestError(f"{folder.name}: unknown category or tier")
    icon = folder / data["icon"]
    if icon.parent != folder or not icon.is_file():
        raise ManifestError(f"{folder.name}: icon {data['icon']!r} is not a file in the folder")
    for service in data["zeroconf"]:
        if not (isinstance(service, str) and service.startswith("_") and service.endswith(("._tcp.local.", "._udp.local."))):
            raise ManifestError(f"{folder.name}: zeroconf type {service!r} must look like '_name._tcp.local.'")
    for pattern in data["mqtt"]:
        if not isinstance(pattern, str) or not _valid_filter(pattern):
            raise ManifestError(f"{folder.name}: {pattern!r} is not an MQTT topic filter")
    return KindManifest(
        kind=data["kind"],
        title=str(data["title"]),
        category=data["category"],
        max_tier=data["max_tier"],
        rule_preset=str(data["rule_preset"]),
        icon=icon,
        zeroconf=tuple(data["zeroconf"]),
        mqtt=tuple(data["mqtt"]),
    )


def _valid_filter(pattern: str) -> bool:
    levels = pattern.split("/")
    return all(level in {"+", "#"} or ("+" not in level and "#" not in level) for level in levels) and "#" not in levels[:-1]


def topic_matches(pattern: str, topic: str) -> bool:
    """Return whether an MQTT topic matches a topic filter."""
    want, have = pattern.split("/"), topic.split("/")
    for i, level in enumerate(want):
        if level == "#":
            return True
        if i >= len(have) or (level != "+" and level != have[i]):
            return False
    return len(want) == len(have)


def load_manifests(folder: Path = KINDS_DIR) -> list[KindManifest]:
    """Read every kind's manifest."""
    return [_manifest(p.parent) for p in sorted(folder.glob("*/manifest.json"))]


@dataclass(frozen=True)
class DiscoveryIndex:
    """Which kind a discovered service type or MQTT discovery topic belongs to."""

    kinds: dict[str, KindManifest]
    services: dict[str, str]  # zeroconf type -> kind
    filters: tuple[tuple[str, str], ...]  # (topic filter, kind), most specific first

    def kind_for_service(self, service_type: str) -> str:
        return self.services.get(service_type, FALLBACK_KIND)

    def kind_for_topic(self, topic: str) -> str:
        return next((kind for pattern, kind in self.filters if topic_matches(pattern, topic)), FALLBACK_KIND)


def _specificity(pattern: str) -> tuple[int, int]:
    levels = pattern.split("/")
    wildcards = sum(level in {"+", "#"} for level in levels)
    return wildcards, -(len(levels) - wildcards)


def build_index(manifests: list[KindManifest]) -> DiscoveryIndex:
    """Build the discovery index; raise ManifestError on a kind, type or filter claimed twice."""
    kinds: dict[str, KindManifest] = {}
    services: dict[str, str] = {}
    filters: dict[str, str] = {}
    for m in manifests:
        if m.kind in kinds:
            raise ManifestError(f"kind {m.kind!r} is declared twice")
        kinds[m.kind] = m
        for service in m.zeroconf:
            if service in services:
                raise ManifestError(f"zeroconf type {service!r} is claimed by {services[service]!r} and {m.kind!r}")
            services[service] = m.kind
        for pattern in m.mqtt:
            if pattern in filters:
                raise ManifestError(f"MQTT filter {pattern!r} is claimed by {filters[pattern]!r} and {m.kind!r}")
            filters[pattern] = m.kind
    if FALLBACK_KIND not in kinds:
        raise ManifestError(f"the fallback kind {FALLBACK_KIND!r} is missing")
    ordered = tuple(sorted(filters.items(), key=lambda item: _specificity(item[0])))
    return DiscoveryIndex(kinds, services, ordered)


@functools.cache
def index() -> DiscoveryIndex:
    """Return the discovery index of the installed kinds."""
    return build_index(load_manifests())
