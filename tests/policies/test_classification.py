"""The classifier: sane labels, and a missing or broken model raises ClassifierUnavailable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
    assert screening["decision"]["max_tier"] == "home"  # type: ignore[index]
