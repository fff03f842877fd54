"""Redaction and restoration: consistent placeholders, restored at any split, never pickled."""

from __future__ import annotations

import json
import pickle

import pytest

from policies.detectors import HouseholdTerm
from policies.redaction import Redactor

PROMPTS = (
    "Email anna.smith@example.com and call +44 20 7946 0958; my son Jake is ill.",
    "Again: ANNA.SMITH@example.com, and card 4111 1111 1111 1111.",
)


@pytest.fixture
def redactor() -> Redactor:
    r = Redactor()
    for prompt in PROMPTS:
        r.redact(prompt)
    return r


def test_same_value_gets_same_placeholder_across_messages() -> None:
    r = Redactor()
    first, second = (r.redact(p) for p in PROMPTS)
    assert "<EMAIL_1>" in first and "<EMAIL_1>" in second
    assert "anna" not in (first + second).lower()
    assert r.counts() == {"EMAIL": 1, "PHONE": 1, "PERSON": 1, "CARD": 1}


def test_distinct_values_get_distinct_numbers() -> None:
    r = Redactor()
    out = r.redact("a@example.com and b@example.com and a@example.com")
    assert out == "<EMAIL_1> and <EMAIL_2> and <EMAIL_1>"


def test_whole_answer_is_restored(redactor: Redactor) -> None:
    assert redactor.restore("Hi <PERSON_1>, I mailed <EMAIL_1>.") == "Hi Jake, I mailed anna.smith@example.com."


def test_foreign_placeholder_is_never_replaced(redactor: Redactor) -> None:
    answer = "<PERSON_7> and <EMAIL_99> and <FOO_1> stay"
    assert redactor.restore(answer) == answer
    stream = redactor.stream_restorer()
    assert stream.feed(answer) + stream.flush() == answer


def test_client_sent_placeholder_is_not_reused() -> None:
    r = Redactor()
    out = r.redact("keep <PERSON_1> literally, but hide my daughter Lena")
    assert out == "keep <PERSON_1> literally, but hide my daughter <PERSON_2>"
    assert r.restore("<PERSON_1> <PERSON_2>") == "<PERSON_1> Lena"


ANSWER = "Dear <PERSON_1>, your card <CARD_1> and <EMAIL_1> are saved; <PERSON_9> is not ours. <"


@pytest.mark.parametrize("cut", range(len(ANSWER) + 1))
def test_restores_at_every_split_offset(redactor: Redactor, cut: int) -> None:
    stream = redactor.stream_restorer()
    out = stream.feed(ANSWER[:cut]) + stream.feed(ANSWER[cut:]) + stream.flush()
    assert out == redactor.restore(ANSWER)


def test_restores_when_every_character_is_its_own_chunk(redactor: Redactor) -> None:
    stream = redactor.stream_restorer()
    out = "".join(stream.feed(ch) for ch in ANSWER) + stream.flush()
    assert out == redactor.restore(ANSWER)


@pytest.mark.parametrize("cuts", [(3, 9), (10, 11, 12), (1, 2, 30, 31, 32), (18, 25, 40, 60)])
def test_restores_across_many_chunks(redactor: Redactor, cuts: tuple[int, ...]) -> None:
    pieces, last = [], 0
    for c in (*cuts, len(ANSWER)):
        pieces.append(ANSWER[last:c])
        last = c
    stream = redactor.stream_restorer()
    assert "".join(stream.feed(p) for p in pieces) + stream.flush() == redactor.restore(ANSWER)


def test_stream_holds_back_only_a_possible_placeholder_start(
    redactor: Redactor,
) -> None:
    stream = redactor.stream_restorer()
    assert stream.feed("Hello there <PER") == "Hello there "
    assert stream.feed("SON_1> bye") == "Jake bye"
    assert stream.feed("a < b and <x") == "a < b and <x"


def test_tool_call_arguments_are_restored_as_valid_json(redactor: Redactor) -> None:
    r = Redactor([HouseholdTerm("nickname", 'Little "Bo\\bby"')])
    r.redact('say hi to Little "Bo\\bby"')
    args = json.dumps({"note": "hi <HOUSEHOLD_1>", "to": "<PERSON_3>"})
    stream = r.stream_restorer(json_escape=True)
    out = "".join(stream.feed(args[i : i + 3]) for i in range(0, len(args), 3)) + stream.flush()
    assert json.loads(out) == {"note": 'hi Little "Bo\\bby"', "to": "<PERSON_3>"}


def test_redactor_cannot_be_pickled(redactor: Redactor) -> None:
    with pytest.raises(TypeError):
        pickle.dumps(redactor)
    with pytest.raises(TypeError):
        pickle.dumps(redactor.stream_restorer())


def test_repr_and_counts_carry_no_values(redactor: Redactor) -> None:
    assert "anna" not in repr(redactor).lower()
    assert "anna" not in json.dumps(redactor.counts()).lower()


def test_redaction_can_be_limited_to_some_kinds() -> None:
    r = Redactor(kinds=("EMAIL",))
    assert r.redact("Jake: a@example.com") == "Jake: <EMAIL_1>"
