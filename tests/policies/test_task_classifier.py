"""The task-type and difficulty estimate: clear requests read as a person would, the structural
tasks, screening and the envelope carry it, and eval_tasks prints its tables."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from gateway.choices import Kind
from gateway.envelope import DeviceFacts, Envelope
from gateway.router import Needs
from policies.classification import ClassifierUnavailable, task
from policies.classification.task import DIFFICULTIES, TASKS, TaskEstimate, estimate
from policies.screening import Screening, screen

TRACEBACK = """Why does my script crash?

Traceback (most recent call last):
  File "shop.py", line 12, in <module>
    print(total(cart) / len(cart))
ZeroDivisionError: division by zero
"""
REPORT = "\n\n".join(
    "The committee met again on Thursday to review the heating costs of the building. "
    "Residents asked who will pay for the repairs, and the chair promised written answers by March. "
    "The supplier offered a discount for a contract signed before the end of the quarter."
    for _ in range(40)
)


@pytest.fixture(autouse=True)
def fresh_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("HEARTH_TASK_MODEL", raising=False)
    task.reset()
    yield
    task.reset()


def test_a_python_traceback_question_is_code() -> None:
    assert estimate([TRACEBACK]).task == "code"


def test_translate_this_to_french_is_a_simple_translation() -> None:
    found = estimate(["translate this to French: the train to Lyon is delayed by an hour"])
    assert (found.task, found.difficulty) == ("translate", "simple")


def test_a_three_line_greeting_is_simple_chat() -> None:
    found = estimate(["Hi Hearth!\nHope you're having a good morning.\nJust saying hello."])
    assert (found.task, found.difficulty) == ("chat", "simple")


def test_a_proof_is_hard_reasoning() -> None:
    found = estimate(["Prove that the square root of 2 is irrational, rigorously and step by step."])
    assert (found.task, found.difficulty) == ("reason", "hard")


def test_summarising_a_long_report_is_harder_than_summarising_one_line() -> None:
    short = estimate(["summarise in one line: the parcel will arrive on Monday between 8 and 12."])
    long = estimate([f"Summarise this report, section by section:\n\n{REPORT}"])
    assert (short.task, long.task) == ("summarise", "summarise")
    assert DIFFICULTIES.index(long.difficulty) > DIFFICULTIES.index(short.difficulty)


def test_an_embeddings_request_is_embed_whatever_its_words() -> None:
    assert estimate([TRACEBACK], kind="embedding") == TaskEstimate("embed", "simple", 1.0)


def test_a_request_with_images_is_vision() -> None:
    assert estimate(["what breed is the dog in this photo?"], has_images=True).task == "vision"


def test_an_empty_prompt_is_moderate_chat() -> None:
    assert (estimate(["", "  "]).task, estimate([]).difficulty) == ("chat", "moderate")


def test_every_estimate_names_a_known_task_and_difficulty_with_a_confidence() -> None:
    for text in ("hi", TRACEBACK, REPORT, "wie viel ist 17 mal 23?", "¿cómo se dice gracias en alemán?"):
        found = estimate([text])
        assert found.task in TASKS and found.difficulty in DIFFICULTIES and 0.0 <= found.confidence <= 1.0


def test_a_task_model_not_matching_its_hash_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    copy = tmp_path / "tasks.onnx"
    copy.write_bytes(task.DEFAULT_MODEL.read_bytes())
    copy.with_suffix(".json").write_text('{"sha256": "0000"}')
    monkeypatch.setenv("HEARTH_TASK_MODEL", str(copy))
    with pytest.raises(ClassifierUnavailable):
        estimate(["hello"])


def chat(*contents: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": c} for c in contents]}


def test_screening_says_what_the_last_user_message_asks_for() -> None:
    found = screen("chat", chat("hi!", TRACEBACK), 5.0)
    assert found["failed"] == "" and found["task"] == "code" and found["difficulty"] in DIFFICULTIES


def test_screening_an_embeddings_request_says_embed() -> None:
    found = screen("embedding", {"input": ["a sentence to embed"]}, 5.0)
    assert (found["task"], found["difficulty"]) == ("embed", "simple")


def test_a_screening_that_fails_says_moderate_chat_and_keeps_failing_closed() -> None:
    def broken() -> list[Any]:
        raise RuntimeError("terms unreadable")

    found = screen("chat", chat("translate to French: hello"), 5.0, household=broken)
    assert found["failed"] and (found["task"], found["difficulty"]) == ("chat", "moderate")


def test_a_missing_task_model_does_not_fail_the_privacy_screening(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HEARTH_TASK_MODEL", str(tmp_path / "missing.onnx"))
    found = screen("chat", chat("what's the wifi password"), 5.0)
    assert found["failed"] == "" and found["labels"][0][0] == "credentials"
    assert (found["task"], found["difficulty"]) == ("chat", "moderate")


def envelope(kind: Kind = Kind.CHAT, images: bool = False) -> Envelope:
    return Envelope(
        "r-1", kind, "auto", chat("hello"), False, False, 5, DeviceFacts(3, "laptop", "laptop", "cloud"),
        Needs(images=images), {}, 1.0,
    )  # fmt: skip


def through_the_broker(e: Envelope) -> Envelope:
    return Envelope.from_json(json.loads(json.dumps(e.to_json())))


def test_the_envelope_carries_the_task_and_difficulty_across_the_broker() -> None:
    screening = screen("chat", chat(TRACEBACK), 5.0)
    later = dataclasses.replace(envelope(), screening=screening)
    arrived = through_the_broker(later).screening
    assert arrived is not None and (arrived["task"], arrived["difficulty"]) == (screening["task"], screening["difficulty"])


@pytest.mark.parametrize(
    ("kind", "images", "expected"),
    [(Kind.CHAT, False, ("chat", "moderate")), (Kind.CHAT, True, ("vision", "moderate")), (Kind.EMBEDDING, False, ("embed", "simple"))],
)
def test_an_envelope_queued_before_the_task_keys_decodes_with_the_defaults(kind: Kind, images: bool, expected: tuple[str, str]) -> None:
    old_screening: Screening = {"labels": [], "scores": {}, "chars": 5, "version": "v", "spans": [], "people": 0, "faces": 0, "failed": ""}
    data = dataclasses.replace(envelope(kind, images), screening=old_screening).to_json()
    arrived = Envelope.from_json(json.loads(json.dumps(data))).screening
    assert arrived is not None and (arrived["task"], arrived["difficulty"]) == expected


def write_labelled(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for text, kind, difficulty in rows:
            fh.write(json.dumps({"text": text, "task": kind, "difficulty": difficulty, "min_class": "small", "note": ""}) + "\n")
    return path


def eval_tasks(path: Path) -> list[str]:
    out = io.StringIO()
    call_command("eval_tasks", file=path, stdout=out)
    return out.getvalue().splitlines()


def test_eval_tasks_prints_each_labels_figures_and_a_confusion_table(tmp_path: Path) -> None:
    labelled = write_labelled(
        tmp_path / "labelled.jsonl",
        [
            ("translate to German: good night", "translate", "simple"),
            ("how do you say thank you in Spanish?", "translate", "simple"),
            (TRACEBACK, "code", "moderate"),
            ("hello there!", "chat", "simple"),
        ],
    )
    lines = eval_tasks(labelled)
    assert lines[0].startswith("Task type and difficulty on 4 labelled prompts")
    translate = next(line.split() for line in lines if line.startswith("translate "))
    assert len(translate) == 6 and translate[4] == "2"  # label, precision, recall, F1, support, predicted
    assert next(line.split() for line in lines if line.startswith("simple "))[4] == "3"
    confusion = lines.index("confusion, task (rows: as labelled, columns: as estimated)")
    rows = {line.split()[0]: [int(n) for n in line.split()[1:]] for line in lines[confusion + 2 : confusion + 8]}
    assert sum(rows["translate"]) == 2 and sum(rows["code"]) == 1 and sum(rows["extract"]) == 0


def test_eval_tasks_refuses_a_row_with_an_unknown_task(tmp_path: Path) -> None:
    labelled = write_labelled(tmp_path / "labelled.jsonl", [("draw me a cat", "painting", "simple")])
    with pytest.raises(CommandError, match="unknown task"):
        eval_tasks(labelled)
