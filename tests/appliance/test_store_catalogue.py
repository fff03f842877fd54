"""The model store's catalogue: data in the repository, checked with errors that say what is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from appliance import engine
from appliance.store import catalogue, fetch, services
from appliance.store.catalogue import CatalogueError

ENTRY = """
version: 1
models:
  - name: tiny
    title: Tiny
    family: Test
    licence: MIT
    parameters: 1000
    context_length: 4096
    capabilities: [chat]
    architecture: {layers: 2, kv_heads: 1, head_dim: 8}
    quantizations:
      - name: Q8
        format: gguf
        files: [{name: tiny.gguf, size: 10, sha256: SHA}]
        sources: [SOURCE]
"""


def entry_text(sha: str = "a" * 64, source: str = "{hf: test/tiny}") -> str:
    return ENTRY.replace("SHA", sha).replace("SOURCE", source)


def test_the_model_the_engine_serves_is_in_the_catalogue_with_its_real_sha256() -> None:
    shipped = catalogue.load(catalogue.BUILT_IN).bundled()
    served = engine.bundled_model()
    recorded = shipped.quantization().files[0]
    assert recorded.name == served.name and recorded.size == served.stat().st_size
    assert recorded.sha256 == fetch.sha256_of(served)


def test_every_catalogue_entry_names_its_licence_capabilities_and_a_source() -> None:
    entries = catalogue.load(catalogue.BUILT_IN).entries
    assert len(entries) >= 6
    assert all(e.licence and e.capabilities and all(q.sources for q in e.quantizations) for e in entries)
    assert {"chat", "tools", "vision", "embeddings"} <= {c for e in entries for c in e.capabilities}


def test_a_missing_field_is_named_in_the_error() -> None:
    with pytest.raises(CatalogueError, match=r"model 'tiny': 'licence' is missing"):
        catalogue.parse(entry_text().replace("    licence: MIT\n", ""))


def test_a_malformed_sha256_is_refused_with_the_reason() -> None:
    with pytest.raises(CatalogueError, match="sha256 must be 64 hexadecimal digits"):
        catalogue.parse(entry_text(sha="1234"))


def test_an_unknown_capability_is_refused() -> None:
    with pytest.raises(CatalogueError, match="capabilities are some of chat, tools, vision, embeddings"):
        catalogue.parse(entry_text().replace("[chat]", "[chat, telepathy]"))


def test_a_source_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(CatalogueError, match="a source is one of package, hf, url, path"):
        catalogue.parse(entry_text(source="{ftp: somewhere}"))


def test_a_file_name_that_climbs_out_of_the_models_folder_is_refused() -> None:
    with pytest.raises(CatalogueError, match="must stay inside the model's folder"):
        catalogue.parse(entry_text().replace("tiny.gguf", "../../etc/passwd"))


def test_a_model_listed_twice_is_refused() -> None:
    text = entry_text()
    doubled = text + text.split("models:\n", 1)[1]
    with pytest.raises(CatalogueError, match="'tiny' is listed twice"):
        catalogue.parse(doubled)


def test_a_path_source_may_be_written_as_a_file_url() -> None:
    parsed = catalogue.parse(entry_text(source="{path: 'file:///media/usb/models'}"))
    assert parsed.get("tiny").quantization().sources[0].location == "/media/usb/models"


def test_a_local_gguf_added_by_the_household_has_its_hash_computed_and_is_listed(tmp_path: Path, settings: Any) -> None:
    settings.HEARTH_MODELS_DIR = tmp_path / "models"
    added = services.add_local("my-smollm", engine.bundled_model())
    assert added.quantization().files[0].sha256 == catalogue.load(catalogue.BUILT_IN).bundled().quantization().files[0].sha256
    assert added.architecture == catalogue.load(catalogue.BUILT_IN).bundled().architecture, "read from the GGUF header"
    listed = catalogue.load()
    assert listed.get("my-smollm").origin == "household" and listed.entries[0].origin == "catalogue"


def test_a_household_entry_cannot_take_a_catalogue_name(tmp_path: Path, settings: Any) -> None:
    settings.HEARTH_MODELS_DIR = tmp_path / "models"
    with pytest.raises(CatalogueError, match="already in the catalogue"):
        services.add_local("smollm2-135m-instruct", engine.bundled_model())
    assert not catalogue.household_file().exists()


def test_a_file_that_is_not_gguf_is_refused_when_added(tmp_path: Path, settings: Any) -> None:
    settings.HEARTH_MODELS_DIR = tmp_path / "models"
    other = tmp_path / "notes.txt"
    other.write_text("not a model")
    with pytest.raises(CatalogueError, match="not a GGUF file"):
        services.add_local("notes", other)
