"""Load the hand-labelled sensitivity prompts and the differential corpus, failing loudly on bad rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from policies.classification.text import LABELS

DATA_DIR = Path(__file__).resolve().parent
LABELLED_PATH = DATA_DIR / "labelled.jsonl"
DIFFERENTIAL_PATH = DATA_DIR / "differential.jsonl"
ADDITIONS_PATH = DATA_DIR / "additions.jsonl"

LANGS: tuple[str, ...] = ("en", "de", "fr", "es")
GENRES: tuple[str, ...] = (
    "speaker",
    "homework",
    "camera",
    "vacuum",
    "home_assistant",
    "email",
    "chat",
)
ADDITION_KINDS: tuple[str, ...] = (
    "instruction",
    "system_prompt",
    "tool_result",
    "second_question",
    "long_context",
    "other_language",
    "base64",
)
GENERAL = "general"
SENSITIVE_LABELS: tuple[str, ...] = tuple(label for label in LABELS if label != GENERAL)


class EvalDataError(ValueError):
    """A row of the evaluation data does not match its schema."""


@dataclass(frozen=True)
class LabelledPrompt:
    """One hand-labelled prompt; `general` stands alone, meaning nothing sensitive."""

    id: str
    lang: str
    genre: str
    text: str
    labels: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class BasePrompt:
    """One sensitive prompt of the differential corpus, with the labels it carries alone."""

    id: str
    lang: str
    base: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Addition:
    """One standalone text that the combiner adds to a base prompt in every position and role."""

    id: str
    lang: str
    kind: str
    text: str


_Row = TypeVar("_Row", LabelledPrompt, BasePrompt, Addition)


def labelled(path: Path = LABELLED_PATH) -> list[LabelledPrompt]:
    """Return the hand-labelled prompts."""
    return list(_labelled(path))


def differential(path: Path = DIFFERENTIAL_PATH) -> list[BasePrompt]:
    """Return the sensitive base prompts of the differential corpus."""
    return list(_differential(path))


def additions(path: Path = ADDITIONS_PATH) -> list[Addition]:
    """Return the texts added to base prompts in the differential test."""
    return list(_additions(path))


@cache
def _labelled(path: Path) -> tuple[LabelledPrompt, ...]:
    rows = []
    for where, row in _rows(path, required={"id", "lang", "genre", "text", "labels"}, optional={"note"}):
        rows.append(
            LabelledPrompt(
                id=_text(row, "id", where),
                lang=_choice(row, "lang", LANGS, where),
                genre=_choice(row, "genre", GENRES, where),
                text=_text(row, "text", where),
                labels=_labels(row, where, allow_general=True),
                note=_text(row, "note", where) if "note" in row else "",
            )
        )
    return _unique(rows, path)


@cache
def _differential(path: Path) -> tuple[BasePrompt, ...]:
    rows = []
    for where, row in _rows(path, required={"id", "lang", "base", "labels"}):
        rows.append(
            BasePrompt(
                id=_text(row, "id", where),
                lang=_choice(row, "lang", LANGS, where),
                base=_text(row, "base", where),
                labels=_labels(row, where, allow_general=False),
            )
        )
    return _unique(rows, path)


@cache
def _additions(path: Path) -> tuple[Addition, ...]:
    rows = []
    for where, row in _rows(path, required={"id", "lang", "kind", "text"}):
        rows.append(
            Addition(
                id=_text(row, "id", where),
                lang=_choice(row, "lang", LANGS, where),
                kind=_choice(row, "kind", ADDITION_KINDS, where),
                text=_text(row, "text", where),
            )
        )
    return _unique(rows, path)


def _rows(path: Path, *, required: set[str], optional: frozenset[str] | set[str] = frozenset()) -> Iterator[tuple[str, dict[str, Any]]]:
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            where = f"{path.name}:{number}"
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise EvalDataError(f"{where}: not JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise EvalDataError(f"{where}: a row must be a JSON object")
            missing = required - row.keys()
            unknown = row.keys() - required - optional
            if missing or unknown:
                raise EvalDataError(f"{where}: missing fields {sorted(missing)}, unknown fields {sorted(unknown)}")
            yield where, row


def _text(row: dict[str, Any], key: str, where: str) -> str:
    value = row[key]
    if not isinstance(value, str) or not value.strip():
        raise EvalDataError(f"{where}: {key} must be a non-empty string")
    return value


def _choice(row: dict[str, Any], key: str, allowed: tuple[str, ...], where: str) -> str:
    value = _text(row, key, where)
    if value not in allowed:
        raise EvalDataError(f"{where}: unknown {key} {value!r}, expected one of {allowed}")
    return value


def _labels(row: dict[str, Any], where: str, *, allow_general: bool) -> tuple[str, ...]:
    value = row["labels"]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise EvalDataError(f"{where}: labels must be a non-empty list of strings")
    unknown = [v for v in value if v not in LABELS]
    if unknown:
        raise EvalDataError(f"{where}: unknown labels {unknown}, expected some of {LABELS}")
    if len(set(value)) != len(value):
        raise EvalDataError(f"{where}: a label is repeated")
    if GENERAL in value and not allow_general:
        raise EvalDataError(f"{where}: a differential base must be sensitive, not {GENERAL!r}")
    # `general` means "no sensitive label", so it cannot sit beside one.
    if GENERAL in value and len(value) > 1:
        raise EvalDataError(f"{where}: {GENERAL!r} cannot be combined with a sensitive label")
    return tuple(value)


def _unique(rows: list[_Row], path: Path) -> tuple[_Row, ...]:
    seen: set[str] = set()
    for row in rows:
        if row.id in seen:
            raise EvalDataError(f"{path.name}: id {row.id!r} appears twice")
        seen.add(row.id)
    return tuple(rows)
