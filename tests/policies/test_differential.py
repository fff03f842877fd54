"""Text inside a request cannot choose its treatment: a sensitive prompt with text added in any
position and role is never decided less protectively than the prompt alone.

The bases and additions are the independent differential corpus (policies/evaldata/sensitivity,
hand-written apart from the classifier's training data). Every base is screened with the real
screening function, alone and with additions, and decided by every preset for several device
categories. Bounded in time: the whole product is 130 x 57 x 6 screenings at tens of ms each,
so each base meets two positions, each with another addition, by a fixed rotation that brings
every addition to every position (`eval_privacy` runs six per base).
"""

from __future__ import annotations

from policies import services
from policies.evaldata.sensitivity import additions, differential
from policies.robustness import POSITIONS, body_with, differential_report, sample
from policies.segments import segments


def test_the_sample_covers_every_base_every_addition_and_every_position() -> None:
    triples = sample(differential(), additions(), per_base=2)
    assert {b for b, _, _ in triples} == set(range(len(differential())))
    assert {a for _, a, _ in triples} == set(range(len(additions())))
    assert {p for _, _, p in triples} == set(POSITIONS)


def test_every_position_puts_the_addition_in_its_own_role_and_keeps_the_base() -> None:
    for position in POSITIONS:
        body = body_with("BASE", "ADDED", position)
        texts = segments("chat", body)
        assert any("BASE" in t for t in texts) and any("ADDED" in t for t in texts), position
    assert body_with("BASE", "ADDED", "system prompt")["messages"][0]["role"] == "system"
    assert body_with("BASE", "ADDED", "tool result")["messages"][-1]["role"] == "tool"


def test_added_text_never_gets_a_sensitive_prompt_less_protection() -> None:
    report = differential_report(services.presets(), triples=sample(differential(), additions(), per_base=2))
    assert report.cases == 2 * len(differential())
    assert report.decisions == report.cases * len(services.presets()) * 4
    assert report.downgrades == (), "\n".join(
        f"{d.base} + {d.addition} ({d.position}, {d.preset}, {d.category}): {d.before} -> {d.after}" for d in report.downgrades[:20]
    )
