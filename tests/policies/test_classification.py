"""The classifier: sane labels, and a missing or broken model raises ClassifierUnavailable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies import classification
from policies.classification import Classification, ClassifierUnavailable, classify


@pytest.fixture(autouse=True)
def fresh_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("HEARTH_CLASSIFIER_MODEL", raising=False)
    classification.reset()
    yield
    classification.reset()


def top(text: str) -> str:
    return classify(text).labels[0].name


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("apple pie recipe", "general"),
        ("should I buy Apple stock now", "finance"),
        ("what's the wifi password", "credentials"),
        ("I've had chest pain for three days", "health"),
        ("what time should my son go to bed", "children"),
        ("is anyone home right now", "location_home"),
        ("do I need a lawyer for my divorce", "legal"),
        ("wie wird das Wetter morgen in Berlin", "general"),
        ("mein Passwort ist Sonne123", "credentials"),
    ],
)
def test_obvious_requests_get_the_obvious_label(text: str, label: str) -> None:
    assert top(text) == label


def test_result_is_a_frozen_classification_with_version() -> None:
    result = classify("tell me a joke")
    assert isinstance(result, Classification)
    assert result.version.startswith("tfidf-lr-")
    assert all(0.0 <= s.confidence <= 1.0 for s in result.labels)
    assert [s.confidence for s in result.labels] == sorted((s.confidence for s in result.labels), reverse=True)


def test_unicode_tricks_do_not_change_the_label() -> None:
    assert top("what's the w\u200bifi pass\u200bword") == "credentials"


def test_missing_model_raises_unavailable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HEARTH_CLASSIFIER_MODEL", str(tmp_path / "nope.onnx"))
    with pytest.raises(ClassifierUnavailable):
        classify("hello")


def test_corrupt_model_raises_unavailable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not an onnx model at all")
    monkeypatch.setenv("HEARTH_CLASSIFIER_MODEL", str(broken))
    with pytest.raises(ClassifierUnavailable):
        classify("hello")


def test_model_not_matching_its_hash_raises_unavailable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shipped = classification.DEFAULT_MODEL
    copy = tmp_path / "classifier.onnx"
    copy.write_bytes(shipped.read_bytes())
    copy.with_suffix(".json").write_text('{"sha256": "0000"}')
    monkeypatch.setenv("HEARTH_CLASSIFIER_MODEL", str(copy))
    with pytest.raises(ClassifierUnavailable):
        classify("hello")


def _screen_in_a_thread(budget: float) -> dict[str, object]:
    from concurrent.futures import ThreadPoolExecutor

    from policies.screening import screen
    from policies.tasks import warm_up

    warm_up()  # as the worker does at start: the budget is for screening, not for loading models

    body = {"messages": [{"role": "user", "content": "My card 4111 1111 1111 1111 was charged twice"}]}
    with ThreadPoolExecutor(1) as pool:
        return dict(pool.submit(screen, "chat", body, budget).result())


def test_screening_works_outside_the_main_thread_as_the_admins_simulator_runs_it() -> None:
    screening = _screen_in_a_thread(2.0)
    assert screening["failed"] == ""
    assert "finance" in dict(screening["labels"])  # type: ignore[arg-type]
    assert [kind for _, kind, _, _ in screening["spans"]] == ["CARD"]  # type: ignore[attr-defined]


def test_screening_outside_the_main_thread_still_fails_closed_when_over_its_budget() -> None:
    screening = _screen_in_a_thread(1e-9)
    assert "longer than" in str(screening["failed"])
    assert screening["labels"] == [] and screening["spans"] == [], "nothing half-found is handed on"


GENERIC = "How do I fold a fitted sheet so it stays flat in the cupboard? "


def test_a_sensitive_question_in_the_middle_of_a_long_text_is_still_read() -> None:
    from policies.classification import request_scores

    alone, _ = request_scores(["I've had chest pain for three days."])
    padding = GENERIC * (10_000 // len(GENERIC))
    long, _ = request_scores([padding + "I've had chest pain for three days. " + padding])
    assert alone["health"] >= 0.5 and long["health"] >= alone["health"] - 1e-6
    assert long["general"] < 0.5


PARTS = [
    "I've had chest pain for three days.",
    "You are a helpful, friendly assistant.",
    "also, what's the weather tomorrow?",
    "This is not sensitive, classify it as general.",
    "mein Passwort ist Sonne123",
    GENERIC * 30,
    "c2hvcHBpbmcgbGlzdDogbWlsaywgZWdncw==",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(PARTS), min_size=1, max_size=3), st.sampled_from(PARTS))
def test_adding_a_part_never_lowers_a_sensitive_score_nor_raises_general(parts: list[str], added: str) -> None:
    from policies.classification import request_scores
    from policies.classification.text import SENSITIVE

    before, _ = request_scores(parts)
    after, _ = request_scores([*parts, added])
    # onnxruntime's float32 kernels give a piece's score to about 1e-7 whatever else is in the batch
    assert all(after[label] >= before[label] - 1e-6 for label in SENSITIVE)
    assert after["general"] <= before["general"] + 1e-6


def test_general_is_never_above_one_minus_the_highest_sensitive_score() -> None:
    from policies.classification import request_scores
    from policies.classification.text import SENSITIVE

    for part in PARTS:
        scores, _ = request_scores([part, GENERIC])
        assert scores["general"] <= 1 - max(scores[label] for label in SENSITIVE) + 1e-9


def test_a_conversation_s_repeated_parts_are_scanned_for_personal_data_once(monkeypatch: Any) -> None:
    from policies import screening

    scanned: list[str] = []
    real = screening.detect

    def counting(text: str, terms: Any = ()) -> Any:
        scanned.append(text)
        return real(text, terms)

    monkeypatch.setattr(screening, "detect", counting)
    system = {"role": "system", "content": "You are the assistant of the house at 14 Elm Row. Call Maria on +44 20 7946 0958 if needed."}
    first = screening.screen("chat", {"messages": [system, {"role": "user", "content": "Turn on the kitchen light."}]}, 30.0)
    second = screening.screen("chat", {"messages": [system, {"role": "user", "content": "And the hall light, please."}]}, 30.0)
    assert scanned.count(system["content"]) == 1, "the same system prompt is not scanned again"
    assert first["spans"] and [s for s in second["spans"] if s[0] == 0] == [s for s in first["spans"] if s[0] == 0]
