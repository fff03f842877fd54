"""The catalogue of models the home tier can run: read from YAML, checked, said wrong in words."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import yaml
from django.conf import settings

from gateway.capabilities import CapsError, quality_scores

BUILT_IN = Path(__file__).with_name("catalogue.yaml")
CAPABILITIES = ("chat", "tools", "vision", "embeddings")
# What each engine loads: llama.cpp reads GGUF files, vLLM reads checkpoints (folders of safetensors).
FORMATS: dict[str, Literal["llamacpp", "vllm"]] = {"gguf": "llamacpp", "awq": "vllm", "gptq": "vllm", "safetensors": "vllm"}
SOURCE_KINDS = ("package", "hf", "url", "path")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


class CatalogueError(ValueError):
    """A catalogue entry is malformed; the message says which and how."""


@dataclass(frozen=True)
class Source:
    kind: Literal["package", "hf", "url", "path"]
    location: str  # a package name, a hub repository, an HTTPS folder, or a local folder
    revision: str = "main"  # hub sources only


@dataclass(frozen=True)
class ModelFile:
    name: str
    size: int  # bytes; approximate where sha256 is None
    sha256: str | None  # None: not recorded here, taken from a source that states it
    git_sha1: str | None = None  # a small file the hub keeps in git rather than LFS: its blob id is its checksum
    stated_by: str = "catalogue"  # who recorded the checksum: the catalogue, or the source's listing


@dataclass(frozen=True)
class Architecture:
    layers: int
    kv_heads: int
    head_dim: int

    def kv_bytes_per_token(self, element_bytes: int = 2) -> int:
        """Return what one token of context costs in the KV cache (keys and values, fp16)."""
        return 2 * self.layers * self.kv_heads * self.head_dim * element_bytes


@dataclass(frozen=True)
class Quantization:
    name: str
    format: str
    files: tuple[ModelFile, ...]
    sources: tuple[Source, ...]
    weights_bytes: int  # the files' sizes added, or the entry's own estimate where no files are listed

    @property
    def engine(self) -> Literal["llamacpp", "vllm"]:
        return FORMATS[self.format]


@dataclass(frozen=True)
class Entry:
    name: str
    title: str
    family: str
    licence: str
    parameters: int
    active_parameters: int
    context_length: int
    capabilities: tuple[str, ...]
    architecture: Architecture
    file_hint: str
    quantizations: tuple[Quantization, ...]
    bundled: bool = False
    origin: str = "catalogue"  # "catalogue" (the repository's) or "household" (added on this box)
    quality: tuple[tuple[str, int], ...] = ()  # per task type (policies.classification.task), 1 to 10

    def quantization(self, name: str | None = None) -> Quantization:
        """Return the named quantization, or the first (preferred) one."""
        if name is None:
            return self.quantizations[0]
        for q in self.quantizations:
            if q.name.lower() == name.lower():
                return q
        raise CatalogueError(f"{self.name} has no quantization {name!r} (it has {', '.join(q.name for q in self.quantizations)})")

    def is_file(self, file: str) -> bool:
        """Say whether a model file (or folder) an engine loads is this model."""
        lowered = file.lower().replace("_", "-")
        return self.file_hint in lowered or any(f.name.lower() == file.lower() for q in self.quantizations for f in q.files)


@dataclass(frozen=True)
class Catalogue:
    entries: tuple[Entry, ...]

    def get(self, name: str) -> Entry:
        """Return the entry of this name (CatalogueError: there is none, with the names there are)."""
        for entry in self.entries:
            if entry.name == name.lower():
                return entry
        raise CatalogueError(f"no model {name!r} in the catalogue; known: {', '.join(e.name for e in self.entries)}")

    def served_as(self, file: str) -> Entry | None:
        """Return the entry the engine's model file (or folder) belongs to, if any."""
        return next((e for e in self.entries if e.is_file(file)), None)

    def bundled(self) -> Entry:
        """Return the model shipped with Hearth."""
        return next(e for e in self.entries if e.bundled)


def _need(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in data:
        raise CatalogueError(f"{where}: '{key}' is missing")
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise CatalogueError(f"{where}: '{key}' must be {names}, not {type(value).__name__} ({value!r})")
    return value


def _positive(data: Mapping[str, Any], key: str, where: str) -> int:
    value = cast(int, _need(data, key, int, where))
    if value <= 0:
        raise CatalogueError(f"{where}: '{key}' must be above zero, not {value}")
    return value


def _source(raw: object, where: str) -> Source:
    if not isinstance(raw, dict) or not any(k in raw for k in SOURCE_KINDS):
        raise CatalogueError(f"{where}: a source is one of {', '.join(SOURCE_KINDS)} (for example 'hf: owner/repository'), not {raw!r}")
    kind = next(k for k in SOURCE_KINDS if k in raw)
    location = _need(raw, kind, str, where)
    unknown = set(raw) - {kind, "revision"}
    if unknown:
        raise CatalogueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} in a {kind} source")
    if kind == "url" and not location.startswith(("https://", "http://")):
        raise CatalogueError(f"{where}: a url source is an https:// folder (a file on a stick or share is a 'path' source)")
    if kind == "url" and ("?" in location or "#" in location):
        # Addresses are logged by the HTTP client; a password in user:password@ is sent as basic auth instead.
        raise CatalogueError(f"{where}: a url source takes no query string (a token there would reach the logs)")
    if kind == "hf" and not re.fullmatch(r"[\w.-]+/[\w.-]+", location):
        raise CatalogueError(f"{where}: a hub source is 'owner/repository', not {location!r}")
    if kind == "path" and location.startswith("file://"):
        location = location.removeprefix("file://")
    return Source(kind, location, str(raw.get("revision", "main")))  # type: ignore[arg-type]


def _quantization(raw: object, where: str) -> Quantization:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: a quantization is a mapping, not {raw!r}")
    name = _need(raw, "name", str, where)
    where = f"{where} {name}"
    fmt = _need(raw, "format", str, where)
    if fmt not in FORMATS:
        raise CatalogueError(f"{where}: format {fmt!r} is not one of {', '.join(FORMATS)}")
    files = []
    for i, f in enumerate(raw.get("files") or []):
        at = f"{where} file {i + 1}"
        if not isinstance(f, dict):
            raise CatalogueError(f"{at}: a file is a mapping with name, size and sha256")
        file_name = _need(f, "name", str, at)
        if file_name.startswith("/") or ".." in Path(file_name).parts:
            raise CatalogueError(f"{at}: file name {file_name!r} must stay inside the model's folder")
        sha = f.get("sha256")
        if sha is not None and not (isinstance(sha, str) and SHA256.match(sha.lower())):
            raise CatalogueError(f"{at}: sha256 must be 64 hexadecimal digits, not {sha!r}")
        files.append(ModelFile(file_name, _positive(f, "size", at), sha.lower() if sha else None))
    if files:
        weights = sum(f.size for f in files)
    elif "weights_bytes" in raw:
        weights = _positive(raw, "weights_bytes", where)
    else:
        raise CatalogueError(f"{where}: list its files (name, size, sha256) or at least weights_bytes")
    if fmt == "gguf" and not files:
        raise CatalogueError(f"{where}: a gguf quantization names its file")
    sources = [_source(s, f"{where} source {i + 1}") for i, s in enumerate(_need(raw, "sources", list, where))]
    if not sources:
        raise CatalogueError(f"{where}: needs at least one source")
    return Quantization(name, fmt, tuple(files), tuple(sources), weights)


def _entry(raw: object, index: int, origin: str) -> Entry:
    if not isinstance(raw, dict):
        raise CatalogueError(f"model {index + 1}: an entry is a mapping, not {raw!r}")
    name = _need(raw, "name", str, f"model {index + 1}")
    where = f"model {name!r}"
    if not _NAME.match(name):
        raise CatalogueError(f"{where}: a name is lower case letters, digits, '.', '_' and '-'")
    capabilities = tuple(_need(raw, "capabilities", list, where))
    unknown = [c for c in capabilities if c not in CAPABILITIES]
    if unknown or not capabilities:
        raise CatalogueError(f"{where}: capabilities are some of {', '.join(CAPABILITIES)}, not {list(capabilities)}")
    arch = _need(raw, "architecture", dict, where)
    architecture = Architecture(*(_positive(arch, k, f"{where} architecture") for k in ("layers", "kv_heads", "head_dim")))
    quantizations = tuple(_quantization(q, where) for q in _need(raw, "quantizations", list, where))
    if not quantizations:
        raise CatalogueError(f"{where}: needs at least one quantization")
    parameters = _positive(raw, "parameters", where)
    return Entry(
        name=name,
        title=_need(raw, "title", str, where),
        family=_need(raw, "family", str, where),
        licence=_need(raw, "licence", str, where),
        parameters=parameters,
        active_parameters=_positive(raw, "active_parameters", where) if "active_parameters" in raw else parameters,
        context_length=_positive(raw, "context_length", where),
        capabilities=capabilities,
        architecture=architecture,
        file_hint=str(raw.get("file_hint") or name).lower(),
        quantizations=quantizations,
        bundled=bool(raw.get("bundled", False)),
        origin=origin,
        quality=_quality(raw.get("quality", {}), where),
    )


def _quality(raw: object, where: str) -> tuple[tuple[str, int], ...]:
    try:
        return tuple(sorted(quality_scores(raw, where).items()))
    except CapsError as exc:
        raise CatalogueError(f"{where}: {exc}") from None


def parse(text: str, origin: str = "catalogue") -> Catalogue:
    """Return the catalogue a YAML text describes (CatalogueError: what is wrong, and where)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"the catalogue is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != 1:
        raise CatalogueError("the catalogue starts with 'version: 1' and lists 'models:'")
    entries = tuple(_entry(raw, i, origin) for i, raw in enumerate(data.get("models") or []))
    seen: set[str] = set()
    for entry in entries:
        if entry.name in seen:
            raise CatalogueError(f"model {entry.name!r} is listed twice")
        seen.add(entry.name)
    return Catalogue(entries)


def household_file() -> Path:
    """Return where the entries the household adds on this box are kept."""
    return Path(settings.HEARTH_MODELS_DIR) / "household.yaml"


def load(path: Path | None = None) -> Catalogue:
    """Return the repository's catalogue with the household's own entries after it."""
    built_in = parse((path or BUILT_IN).read_text(encoding="utf-8"))
    own = household_file()
    if path is not None or not own.exists():
        return built_in
    added = parse(own.read_text(encoding="utf-8"), origin="household")
    clash = {e.name for e in added.entries} & {e.name for e in built_in.entries}
    if clash:
        raise CatalogueError(f"{own}: {', '.join(sorted(clash))} is already in the catalogue; choose another name")
    return Catalogue(built_in.entries + added.entries)
