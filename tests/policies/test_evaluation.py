"""The evaluation helpers: independent-set scoring, generated-set scoring and the leak-rate hook."""

from __future__ import annotations

import pytest

from policies.detectors import Span
from policies.evaldata.build import load_split
from policies.evaldata.scoring import ANY, SetScore, Tally, combine, percentile, score_prompt
from policies.evaluation import LEAK_PROMPTS, evaluate_independent, leak_rate, load_spans, score_detector
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


# --- the independent set's scoring, on tiny hand-made examples -----------------------------


def _score(text: str, gold: list[tuple[str, str]], predicted: list[tuple[str, str]]) -> SetScore:
    """Score spans given as (kind, substring) of text."""

    def spans(pairs: list[tuple[str, str]]) -> list[Span]:
        out = []
        for kind, value in pairs:
            start = text.index(value)
            out.append(Span(kind, start, start + len(value)))
        return out

    return score_prompt(text, spans(gold), spans(predicted))


def test_a_value_covered_by_two_adjacent_predictions_is_found() -> None:
    s = _score("I live at 14 Elm Row, Leeds.", [("ADDRESS", "14 Elm Row, Leeds")], [("ADDRESS", "14 Elm Row"), ("LOCATION", "Leeds")])
    assert (s.any_type.found, s.per_kind["ADDRESS"].found) == (1, 1)


def test_uncovered_spaces_and_punctuation_do_not_make_a_value_partial() -> None:
    s = _score("call +44 20 7946 0958 now", [("PHONE", "+44 20 7946 0958")], [("PHONE", "44 20"), ("PHONE", "7946 0958")])
    assert s.any_type.recall == 1.0


def test_a_value_with_one_digit_left_uncovered_is_partial_not_found() -> None:
    s = _score("card 4111 1111 1111 1111 ok", [("CARD", "4111 1111 1111 1111")], [("CARD", "4111 1111 1111 111")])
    assert (s.any_type.found, s.any_type.partial, s.any_type.missed) == (0, 1, 0)
    assert s.any_type.recall == 0.0


def test_a_value_no_prediction_touches_is_missed() -> None:
    s = _score("ask Priya tomorrow", [("PERSON", "Priya")], [])
    assert (s.any_type.found, s.any_type.partial, s.any_type.missed) == (0, 0, 1)


def test_a_prediction_of_the_wrong_kind_counts_for_any_type_but_not_per_kind() -> None:
    s = _score("pay Ann at Chase", [("ORGANIZATION", "Chase")], [("PERSON", "Chase")])
    assert s.any_type.recall == 1.0 and s.any_type.precision == 1.0
    assert s.per_kind["ORGANIZATION"].recall == 0.0
    assert s.per_kind["PERSON"].precision == 0.0


def test_compatible_kinds_count_for_each_other_per_kind() -> None:
    s = _score("born 3 May 1984 in Leeds", [("DOB", "3 May 1984"), ("LOCATION", "Leeds")], [("DATE", "3 May 1984"), ("ADDRESS", "Leeds")])
    assert s.per_kind["DOB"].recall == 1.0 and s.per_kind["LOCATION"].recall == 1.0
    assert s.per_kind["DATE"].precision == 1.0 and s.per_kind["ADDRESS"].precision == 1.0


def test_a_prediction_that_overlaps_no_gold_value_is_a_false_positive() -> None:
    s = _score("Is Apple Music better than Spotify?", [], [("ORGANIZATION", "Spotify")])
    assert (s.any_type.predicted, s.any_type.correct, s.any_type.precision) == (1, 0, 0.0)


def test_a_prediction_that_only_overlaps_a_gold_value_is_correct() -> None:
    s = _score("Dr. Okafor called", [("PERSON", "Okafor")], [("PERSON", "Dr. Okafor called")])
    assert s.any_type.precision == 1.0


def test_f2_weighs_recall_four_times_as_much_as_precision() -> None:
    t = Tally("PERSON", gold=10, found=5, predicted=5, correct=5)
    assert t.f2 == pytest.approx(5 * 1.0 * 0.5 / (4 * 1.0 + 0.5))
    assert Tally("PERSON", gold=10, found=10, predicted=20, correct=10).f2 > t.f2


def test_combined_scores_add_up_the_tallies_of_each_prompt() -> None:
    a = _score("ask Priya", [("PERSON", "Priya")], [("PERSON", "Priya")])
    b = _score("ask Ravi", [("PERSON", "Ravi")], [])
    total = combine([a, b])
    assert (total.any_type.gold, total.any_type.found, total.per_kind["PERSON"].recall) == (2, 1, 0.5)


def test_missed_targets_are_named() -> None:
    score = SetScore(
        Tally(ANY, gold=10, found=5, predicted=5, correct=5), {"CARD": Tally("CARD", gold=10, found=9, predicted=9, correct=9)}
    )
    misses = score.misses()
    assert any(m.startswith("CARD recall") for m in misses)
    assert any(m.startswith(f"{ANY} F2") for m in misses)


def test_nearest_rank_percentile() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile([float(i) for i in range(1, 101)], 95) == 95.0


def test_an_oracle_detector_scores_full_marks_on_the_dev_split() -> None:
    gold = {p.text: [Span(s.kind, s.start, s.end) for s in p.spans] for p in load_split("dev")}
    result = evaluate_independent(lambda text: gold.get(text, []), split="dev")
    assert result.score.any_type.recall == 1.0 and result.score.any_type.precision == 1.0
    assert result.targets_met and set(result.per_lang) == {"en", "de", "fr", "es"}
