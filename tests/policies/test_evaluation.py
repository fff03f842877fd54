"""The evaluation helpers: detector scoring and the leak-rate hook."""

from __future__ import annotations

from policies.evaluation import LEAK_PROMPTS, leak_rate, load_spans, score_detector
from policies.redaction import Redactor


def test_leak_rate_is_zero_when_upstream_only_sees_redacted_text() -> None:
    def send(prompt: str) -> bytes:
        return Redactor().redact(prompt).encode()

    report = leak_rate(send)
    assert report.sent == sum(len(v) for _, v in LEAK_PROMPTS)
    assert report.leaked == 0, report.by_kind


def test_leak_rate_counts_every_value_when_nothing_is_redacted() -> None:
    report = leak_rate(lambda prompt: prompt.encode())
    assert report.rate == 1.0


def test_leak_rate_sees_values_with_separators_removed() -> None:
    report = leak_rate(
        lambda prompt: b'{"card":"4111111111111111"}',
        [("card 4111 1111 1111 1111", [("CARD", "4111 1111 1111 1111")])],
    )
    assert report.leaked == 1


def test_structured_detectors_meet_their_recall_targets_on_held_out_spans() -> None:
    scores, _, _ = score_detector(load_spans())
    for kind in ("CARD", "IBAN", "EMAIL", "PHONE", "NATIONAL_ID", "IP"):
        assert scores[kind].recall >= 0.95, kind
        assert scores[kind].precision >= 0.85, kind
    for kind in ("PERSON", "ADDRESS"):
        assert scores[kind].recall >= 0.90, kind
