"""Load the hand-labelled task-type, difficulty and model-class requests, failing loudly on bad rows."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
LABELLED_PATH = DATA_DIR / "labelled.jsonl"

TASKS: tuple[str, ...] = ("chat", "code", "summarise", "translate", "extract", "reason")
DIFFICULTIES: tuple[str, ...] = ("simple", "moderate", "hard")
CLASSES: tuple[str, ...] = ("small", "medium", "large")  # 3-8B home model, 30-70B, frontier
LANGS: tuple[str, ...] = ("en", "de", "fr", "es")
FIELDS: frozenset[str] = frozenset({"id", "lang", "text", "task", "difficulty", "min_class", "generic", "note"})


class EvalDataError(ValueError):
    """A row of the task evaluation data does not match its schema."""


@dataclass(frozen=True)
class LabelledRequest:
    """One hand-labelled household request: what kind of task, how hard, the smallest model class that answers it well."""

    id: str
    lang: str
    text: str
    task: str
    difficulty: str
    min_class: str
    generic: bool  # nothing personal or sensitive in it (no health, money, legal, children's data, names, addresses)
    note: str


def _choice(row: dict[str, object], key: str, allowed: tuple[str, ...], where: str) -> str:
    value = row[key]
    if value not in allowed:
        raise EvalDataError(f"{where}: {key} {value!r} is not one of {allowed}")
    return str(value)


def parse(line: str, where: str) -> LabelledRequest:
    """Return one row, raising EvalDataError on a missing or unknown field or an out-of-range value."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise EvalDataError(f"{where}: not JSON ({exc.msg})") from exc
    if not isinstance(row, dict) or set(row) != FIELDS:
        keys = sorted(row) if isinstance(row, dict) else type(row).__name__
        raise EvalDataError(f"{where}: fields {keys} are not {sorted(FIELDS)}")
    for key in ("id", "text", "note"):
        if not isinstance(row[key], str) or not row[key].strip():
            raise EvalDataError(f"{where}: {key} must be a non-empty string")
    if not isinstance(row["generic"], bool):
        raise EvalDataError(f"{where}: generic must be true or false")
    return LabelledRequest(
        id=row["id"],
        lang=_choice(row, "lang", LANGS, where),
        text=row["text"],
        task=_choice(row, "task", TASKS, where),
        difficulty=_choice(row, "difficulty", DIFFICULTIES, where),
        min_class=_choice(row, "min_class", CLASSES, where),
        generic=row["generic"],
        note=row["note"],
    )


def load(path: Path) -> list[LabelledRequest]:
    """Return every row of a labelled file, raising EvalDataError on a bad or repeated row."""
    rows: list[LabelledRequest] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = parse(line, f"{path.name}:{number}")
        if row.id in seen:
            raise EvalDataError(f"{path.name}:{number}: id {row.id!r} repeated")
        seen.add(row.id)
        rows.append(row)
    return rows


@cache
def labelled() -> tuple[LabelledRequest, ...]:
    """Return the labelled set shipped in the repository."""
    return tuple(load(LABELLED_PATH))


def counts(rows: tuple[LabelledRequest, ...] | list[LabelledRequest]) -> dict[str, Counter[str]]:
    """Count the rows per value of each label, as the README's tables give them."""
    return {
        "task": Counter(r.task for r in rows),
        "difficulty": Counter(r.difficulty for r in rows),
        "min_class": Counter(r.min_class for r in rows),
        "generic": Counter(str(r.generic).lower() for r in rows),
        "lang": Counter(r.lang for r in rows),
        "long": Counter("over_1500_chars" for r in rows if len(r.text) > 1500),
    }
