"""The eval_privacy command's tables for the independent set."""

from __future__ import annotations

from gateway.management.commands.eval_privacy import independent_table, language_table
from policies.evaldata.scoring import ANY, SetScore, Tally
from policies.evaluation import IndependentResult


def _row(lines: list[str], kind: str) -> str:
    return next(line for line in lines if line.startswith(f"{kind} "))


def test_the_table_says_which_target_a_kind_misses_and_which_kinds_count_for_it() -> None:
    score = SetScore(
        Tally(ANY, gold=20, found=19, predicted=19, correct=19),
        {
            "ADDRESS": Tally("ADDRESS", gold=10, found=5, partial=3, predicted=5, correct=5),
            "EMAIL": Tally("EMAIL", gold=10, found=10, predicted=10, correct=10),
        },
    )
    lines = independent_table(score)
    assert "ADDRESS+LOCATION" in _row(lines, "ADDRESS")
    assert _row(lines, "ADDRESS").endswith("MISSED")
    assert _row(lines, "EMAIL").endswith("met")
    assert _row(lines, ANY).endswith("met")


def test_the_language_table_leaves_a_dash_where_a_language_has_no_span_of_a_kind() -> None:
    en = SetScore(Tally(ANY, gold=2, found=1), {"MAC": Tally("MAC", gold=2, found=1)})
    de = SetScore(Tally(ANY, gold=1, found=1), {"PERSON": Tally("PERSON", gold=1, found=1)})
    both = SetScore(Tally(ANY, gold=3, found=2), {"MAC": en.per_kind["MAC"], "PERSON": de.per_kind["PERSON"]})
    result = IndependentResult("dev", 2, both, {"de": de, "en": en}, 1.0, 2.0)
    mac = _row(language_table(result), "MAC")
    assert mac.split()[-2:] == ["-", "0.500"]
