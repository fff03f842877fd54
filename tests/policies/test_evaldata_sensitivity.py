"""The independent sensitivity evaluation data: it loads, is big enough and is labelled validly."""

from __future__ import annotations

import base64
import binascii
import json
from collections import Counter
from pathlib import Path

import pytest

from policies.classification.text import LABELS
from policies.evaldata import sensitivity
from policies.evaldata.sensitivity import (
    ADDITION_KINDS,
    LANGS,
    SENSITIVE_LABELS,
    EvalDataError,
)


def _write(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    return path


def _row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "t-1",
        "lang": "en",
        "genre": "chat",
        "text": "Can I take ibuprofen with my sertraline?",
        "labels": ["health"],
    }
    row.update(overrides)
    return row


def test_labelled_set_has_at_least_600_prompts() -> None:
    assert len(sensitivity.labelled()) >= 600


def test_labelled_set_is_about_a_third_english_and_a_fifth_each_german_french_spanish() -> None:
    prompts = sensitivity.labelled()
    share = {lang: n / len(prompts) for lang, n in Counter(p.lang for p in prompts).items()}
    assert 0.30 <= share["en"] <= 0.40, share
    for lang in ("de", "fr", "es"):
        assert 0.17 <= share[lang] <= 0.25, share


def test_every_sensitive_label_has_at_least_50_labelled_prompts() -> None:
    counts = Counter(label for p in sensitivity.labelled() for label in p.labels)
    for label in SENSITIVE_LABELS:
        assert counts[label] >= 50, (label, counts[label])


def test_labelled_set_has_at_least_150_general_prompts() -> None:
    assert sum(p.labels == ("general",) for p in sensitivity.labelled()) >= 150


def test_every_labelled_prompt_carries_only_known_labels() -> None:
    for prompt in sensitivity.labelled():
        assert prompt.labels and set(prompt.labels) <= set(LABELS), prompt.id


def test_every_file_has_unique_ids() -> None:
    for rows in (sensitivity.labelled(), sensitivity.differential(), sensitivity.additions()):
        ids = [row.id for row in rows]
        assert len(ids) == len(set(ids))


def test_labelled_texts_are_not_repeated() -> None:
    texts = Counter(p.text for p in sensitivity.labelled())
    assert [t for t, n in texts.items() if n > 1] == []


def test_differential_corpus_has_at_least_120_sensitive_bases_in_every_language() -> None:
    bases = sensitivity.differential()
    assert len(bases) >= 120
    assert {b.lang for b in bases} == set(LANGS)
    for base in bases:
        assert base.labels and set(base.labels) <= set(SENSITIVE_LABELS), base.id


def test_there_are_at_least_40_additions() -> None:
    assert len(sensitivity.additions()) >= 40


def test_every_kind_of_addition_is_present_in_every_language() -> None:
    present = {(a.kind, a.lang) for a in sensitivity.additions()}
    missing = [(kind, lang) for kind in ADDITION_KINDS for lang in LANGS if (kind, lang) not in present]
    assert missing == []


def test_long_context_additions_are_a_few_thousand_characters_and_one_outgrows_the_classifier_window() -> None:
    lengths = [len(a.text) for a in sensitivity.additions() if a.kind == "long_context"]
    assert min(lengths) >= 3000
    assert max(lengths) > 8000


def test_base64_additions_decode_as_pasted() -> None:
    for addition in sensitivity.additions():
        if addition.kind == "base64":
            blob = addition.text.split("base64,", 1)[-1]
            try:
                base64.b64decode(blob, validate=True)
            except binascii.Error:
                pytest.fail(f"{addition.id} is not base64")


def test_an_unknown_label_fails_loudly(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row(labels=["medical"])])
    with pytest.raises(EvalDataError, match="unknown labels"):
        sensitivity.labelled(path)


def test_general_beside_a_sensitive_label_fails_loudly(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row(labels=["general", "health"])])
    with pytest.raises(EvalDataError, match="cannot be combined"):
        sensitivity.labelled(path)


def test_a_general_differential_base_fails_loudly(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"id": "b-1", "lang": "en", "base": "Hello", "labels": ["general"]}])
    with pytest.raises(EvalDataError, match="must be sensitive"):
        sensitivity.differential(path)


def test_an_unknown_addition_kind_fails_loudly(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"id": "a-1", "lang": "en", "kind": "joke", "text": "Knock knock."}])
    with pytest.raises(EvalDataError, match="unknown kind"):
        sensitivity.additions(path)


def test_a_repeated_id_fails_loudly(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row(), _row(text="Another prompt.")])
    with pytest.raises(EvalDataError, match="appears twice"):
        sensitivity.labelled(path)


def test_an_unknown_field_fails_loudly(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row(score=0.9)])
    with pytest.raises(EvalDataError, match="unknown fields"):
        sensitivity.labelled(path)
