"""The independent task-type and difficulty evaluation data: well-formed, balanced, and counted as its README says."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from policies.evaldata import tasks
from policies.evaldata.tasks import CLASSES, DIFFICULTIES, TASKS, EvalDataError
from policies.evaldata.tasks.build import SOURCE_DIR, blocks

README = tasks.DATA_DIR / "README.md"


def _row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "t-1",
        "lang": "en",
        "text": "what's the capital of australia",
        "task": "chat",
        "difficulty": "simple",
        "min_class": "small",
        "generic": True,
        "note": "one-liner",
    }
    row.update(overrides)
    return row


def _write(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _readme_table(first_header: str) -> dict[str, list[int]]:
    """Return the README table that starts with `| first_header |`, row name -> numbers."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    table: dict[str, list[int]] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        table[cells[0].strip("*")] = [int(c) for c in cells[1:]]
    return table


def test_labelled_set_has_at_least_240_requests() -> None:
    assert len(tasks.labelled()) >= 240


def test_every_task_type_has_at_least_25_requests() -> None:
    counts = tasks.counts(tasks.labelled())["task"]
    assert all(counts[t] >= 25 for t in TASKS), counts


def test_difficulties_are_roughly_45_35_20_percent() -> None:
    rows = tasks.labelled()
    share = {d: n / len(rows) for d, n in tasks.counts(rows)["difficulty"].items()}
    assert abs(share["simple"] - 0.45) <= 0.05, share
    assert abs(share["moderate"] - 0.35) <= 0.05, share
    assert abs(share["hard"] - 0.20) <= 0.05, share


def test_at_least_20_requests_are_longer_than_1500_characters() -> None:
    assert sum(len(r.text) > 1500 for r in tasks.labelled()) >= 20


def test_every_language_of_the_household_is_in_the_set() -> None:
    assert set(tasks.counts(tasks.labelled())["lang"]) == set(tasks.LANGS)


def test_readme_counts_per_task_match_the_file() -> None:
    rows = tasks.labelled()
    table = _readme_table("task")
    for name in (*TASKS, "all"):
        sel = [r for r in rows if name in ("all", r.task)]
        expected = [
            *(sum(r.difficulty == d for r in sel) for d in DIFFICULTIES),
            *(sum(r.min_class == m for r in sel) for m in CLASSES),
            sum(r.generic for r in sel),
            len(sel),
        ]
        assert table[name] == expected, name


def test_readme_counts_per_language_match_the_file() -> None:
    counts = tasks.counts(tasks.labelled())["lang"]
    assert _readme_table("lang")["rows"] == [counts[lang] for lang in tasks.LANGS]


def test_readme_states_the_long_rows_and_the_generic_small_rows_it_counts() -> None:
    rows = tasks.labelled()
    text = README.read_text(encoding="utf-8")
    long_rows = re.search(r"(\d+) rows are longer than 1,500 characters", text)
    generic_small = re.search(r"\(`generic` and `min_class` small\): (\d+)", text)
    assert long_rows and int(long_rows.group(1)) == sum(len(r.text) > 1500 for r in rows)
    assert generic_small and int(generic_small.group(1)) == sum(r.generic and r.min_class == "small" for r in rows)


def test_the_jsonl_file_is_what_the_hand_written_source_says() -> None:
    written = [r for path in sorted(SOURCE_DIR.glob("*.txt")) for r in blocks(path)]
    shipped = [json.loads(line) for line in tasks.LABELLED_PATH.read_text(encoding="utf-8").splitlines()]
    assert shipped == written


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"task": "vision"}, "task"),
        ({"difficulty": "easy"}, "difficulty"),
        ({"min_class": "tiny"}, "min_class"),
        ({"lang": "it"}, "lang"),
        ({"generic": "yes"}, "generic"),
        ({"note": ""}, "note"),
        ({"extra": 1}, "fields"),
    ],
)
def test_loader_refuses_a_row_with_a_value_out_of_range(tmp_path: Path, overrides: dict[str, object], message: str) -> None:
    with pytest.raises(EvalDataError, match=message):
        tasks.load(_write(tmp_path, [_row(**overrides)]))


def test_loader_refuses_a_row_with_a_missing_key(tmp_path: Path) -> None:
    row = _row()
    del row["min_class"]
    with pytest.raises(EvalDataError, match="fields"):
        tasks.load(_write(tmp_path, [row]))


def test_loader_refuses_a_repeated_id(tmp_path: Path) -> None:
    with pytest.raises(EvalDataError, match="repeated"):
        tasks.load(_write(tmp_path, [_row(), _row(text="another")]))
