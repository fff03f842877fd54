"""Read what the fit needs from a GGUF file's header: architecture, context length, parameter count."""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
# Architectures llama.cpp runs as text encoders, whose output is an embedding, not the next token.
ENCODERS = frozenset({"bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "jina-bert-v3", "modern-bert", "neo-bert", "t5encoder"})


class NotGguf(ValueError):
    """The file is not a GGUF model (or its header is damaged)."""


@dataclass(frozen=True)
class Header:
    name: str
    architecture: str
    licence: str
    parameters: int
    context_length: int
    layers: int
    kv_heads: int
    head_dim: int
    embeddings: bool = False  # an embeddings model: its header names a pooling, or its architecture is an encoder's


def _read(f: IO[bytes], fmt: str) -> Any:
    raw = f.read(struct.calcsize(fmt))
    if len(raw) != struct.calcsize(fmt):
        raise NotGguf("the header ends early")
    return struct.unpack(fmt, raw)[0]


def _string(f: IO[bytes]) -> str:
    length = _read(f, "<Q")
    if length > 1 << 20:
        raise NotGguf("a header string is implausibly long")
    return bytes(f.read(length)).decode("utf-8", "replace")


def _value(f: IO[bytes], kind: int) -> Any:
    if kind in _SCALARS:
        return _read(f, _SCALARS[kind])
    if kind == _STRING:
        return _string(f)
    if kind == _ARRAY:
        inner, count = _read(f, "<I"), _read(f, "<Q")
        if inner in _SCALARS:  # skipped: tokenizer tables are large and the fit needs none of them
            f.seek(struct.calcsize(_SCALARS[inner]) * count, 1)
            return None
        for _ in range(count):
            _value(f, inner)
        return None
    raise NotGguf(f"unknown value type {kind} in the header")


def read_header(path: Path) -> Header:
    """Return the fit's figures from a GGUF file (NotGguf: it is not one)."""
    with path.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise NotGguf(f"{path.name} is not a GGUF file")
        version = _read(f, "<I")
        if version < 2:
            raise NotGguf(f"{path.name} is GGUF version {version}; versions 2 and 3 are read")
        tensors, count = _read(f, "<Q"), _read(f, "<Q")
        meta: dict[str, Any] = {}
        for _ in range(count):
            key = _string(f)
            meta[key] = _value(f, _read(f, "<I"))
        parameters = 0
        for _ in range(tensors):
            _string(f)
            dims = [_read(f, "<Q") for _ in range(_read(f, "<I"))]
            _read(f, "<I"), _read(f, "<Q")  # type and offset
            parameters += math.prod(dims)
    arch = str(meta.get("general.architecture", ""))

    def number(key: str, default: int = 0) -> int:
        value = meta.get(f"{arch}.{key}", default)
        return int(value) if isinstance(value, int | float) else default

    heads = number("attention.head_count", 1) or 1
    head_dim = number("attention.key_length") or number("embedding_length") // heads
    return Header(
        name=str(meta.get("general.name", path.stem)),
        architecture=arch,
        licence=str(meta.get("general.license", "")),
        parameters=parameters,
        context_length=number("context_length", 2048),
        layers=number("block_count"),
        kv_heads=number("attention.head_count_kv", heads),
        head_dim=head_dim,
        embeddings=arch in ENCODERS or f"{arch}.pooling_type" in meta,
    )
