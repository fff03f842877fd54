"""Device kinds are plugins: the discovery index is built from every manifest."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from devices.kinds import KINDS_DIR, ManifestError, build_index, load_manifests, topic_matches

PRESETS = Path(__file__).resolve().parents[2] / "policies" / "presets"


def test_discovery_index_builds_from_every_manifest_with_no_type_or_topic_claimed_twice() -> None:
    manifests = load_manifests()
    index = build_index(manifests)
    assert set(index.kinds) == {"camera", "speaker", "vacuum", "tv", "kids", "laptop", "appliance", "generic"}
    assert index.kind_for_service("_googlecast._tcp.local.") == "speaker"
    assert index.kind_for_service("_unknown._tcp.local.") == "generic"
    for m in manifests:
        assert ET.parse(m.icon).getroot().tag == "{http://www.w3.org/2000/svg}svg"
        assert (PRESETS / f"{m.rule_preset}.yaml").is_file(), f"{m.kind}: no rule preset {m.rule_preset!r}"


def test_a_service_type_claimed_by_two_kinds_fails_the_index(tmp_path: Path) -> None:
    shutil.copytree(KINDS_DIR, tmp_path / "kinds", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    manifest = tmp_path / "kinds" / "tv" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["zeroconf"].append("_googlecast._tcp.local.")
    manifest.write_text(json.dumps(data))
    with pytest.raises(ManifestError, match=re.escape("'_googlecast._tcp.local.' is claimed by 'speaker' and 'tv'")):
        build_index(load_manifests(tmp_path / "kinds"))


def test_an_mqtt_filter_claimed_by_two_kinds_fails_the_index(tmp_path: Path) -> None:
    shutil.copytree(KINDS_DIR, tmp_path / "kinds", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    manifest = tmp_path / "kinds" / "kids" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["mqtt"].append("homeassistant/vacuum/#")
    manifest.write_text(json.dumps(data))
    with pytest.raises(ManifestError, match="claimed by"):
        build_index(load_manifests(tmp_path / "kinds"))


def test_the_most_specific_topic_filter_decides_the_kind() -> None:
    index = build_index(load_manifests())
    assert index.kind_for_topic("homeassistant/camera/frigate/front_door/config") == "camera"
    assert index.kind_for_topic("homeassistant/update/printer/firmware/config") == "generic"
    assert topic_matches("homeassistant/+/+/config", "homeassistant/a/b/config")
    assert not topic_matches("homeassistant/+/+/config", "homeassistant/a/b/c/config")
