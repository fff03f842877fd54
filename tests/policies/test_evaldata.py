"""The independent PII set: its markup parser, its built JSONL and its size."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from policies.evaldata.build import (
    LANGS,
    MIN_SPANS,
    SPLITS,
    GoldSpan,
    LabelError,
    _check_disjoint,
    build_split,
    jsonl_path,
    parse_markup,
    parse_source,
    render,
)


def test_markup_becomes_clean_text_with_offsets_of_each_value() -> None:
    text, spans = parse_markup("Remind [[PERSON|Svenja]] that Dr. [[PERSON|Okafor]] called")
    assert text == "Remind Svenja that Dr. Okafor called"
    assert [text[s.start : s.end] for s in spans] == ["Svenja", "Okafor"]
    assert spans[0] == GoldSpan("PERSON", 7, 13)


def test_a_value_may_run_over_several_lines() -> None:
    text, spans = parse_markup("Send to:\n[[ADDRESS|19 Orchard Way\nSG11 2DS]]\nThanks")
    assert text[spans[0].start : spans[0].end] == "19 Orchard Way\nSG11 2DS"


@pytest.mark.parametrize(
    "marked",
    [
        "call [[PERSONN|Ann]]",
        "call [[PERSON|Ann]",
        "call [[PERSON|Ann and Bob",
        "call Ann]] now",
        "call [[PERSON|]] now",
        "call [[PERSON| Ann]] now",
        "call [[Ann]] now",
        "at [[ADDRESS|[[LOCATION|Leeds]] Road]]",
        "a [[HOUSEHOLD|Rex]] here",
    ],
)
def test_broken_markup_fails_loudly(marked: str) -> None:
    with pytest.raises(LabelError):
        parse_markup(marked)


def test_overlapping_spans_fail_loudly() -> None:
    with pytest.raises(LabelError, match="overlapping"):
        _check_disjoint([GoldSpan("ADDRESS", 0, 10), GoldSpan("LOCATION", 5, 9)], "here")


def test_an_empty_prompt_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "test").mkdir()
    path = tmp_path / "test" / "en-chat.txt"
    path.write_text("fine [[PERSON|Ann]]\n---\n\n---\nnext", encoding="utf-8")
    with pytest.raises(LabelError, match="empty prompt"):
        parse_source(path, "test")


def test_a_source_file_must_name_a_known_language(tmp_path: Path) -> None:
    path = tmp_path / "nl-chat.txt"
    path.write_text("hallo [[PERSON|Sanne]]", encoding="utf-8")
    with pytest.raises(LabelError):
        parse_source(path, "test")


def test_prompts_are_split_on_dash_lines_and_keep_their_genre(tmp_path: Path) -> None:
    path = tmp_path / "de-camera.txt"
    path.write_text("Kamera: [[PERSON|Mia]]\n---\nGarten: eine Katze\n", encoding="utf-8")
    prompts = parse_source(path, "dev")
    assert [(p.lang, p.genre, p.text) for p in prompts] == [
        ("de", "camera", "Kamera: Mia"),
        ("de", "camera", "Garten: eine Katze"),
    ]
    assert prompts[1].spans == ()


@pytest.mark.parametrize("split", SPLITS)
def test_committed_jsonl_is_what_the_sources_build(split: str) -> None:
    assert jsonl_path(split).read_text(encoding="utf-8") == render(build_split(split))


@pytest.mark.parametrize("split", SPLITS)
def test_each_split_has_its_minimum_number_of_spans_in_all_four_languages(split: str) -> None:
    prompts = build_split(split)
    assert sum(len(p.spans) for p in prompts) >= MIN_SPANS[split]
    per_lang = {lang: sum(len(p.spans) for p in prompts if p.lang == lang) for lang in LANGS}
    assert min(per_lang.values()) >= 0.2 * MIN_SPANS[split], per_lang


def test_the_splits_share_no_prompt() -> None:
    texts = {s: {p.text for p in build_split(s)} for s in SPLITS}
    for a, b in itertools.combinations(SPLITS, 2):
        assert not texts[a] & texts[b], (a, b)
