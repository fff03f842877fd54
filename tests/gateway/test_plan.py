"""gateway.router.plan: pure routing after the decision; and the envelope's codec."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import pytest

from gateway.choices import Kind
from gateway.envelope import DeviceFacts, Envelope, EnvelopeError, Planned
from gateway.router import AUTO_MODEL, Asked, Candidate, Needs, plan
from policies.rules import Decision

HOME = Candidate(1, "home", "home", "openai", ("small",), 5, Decimal(0), True, False, False)
TRUSTED = Candidate(2, "mistral", "trusted", "openai", ("big",), 8, Decimal(1), True, True, True)
CLOUD = Candidate(3, "openai", "cloud", "openai", ("bigger",), 9, Decimal(2), False, True, True)
ALL = [HOME, TRUSTED, CLOUD]
CHAT = Asked(Kind.CHAT, AUTO_MODEL)


def decision(max_tier: str, prefer: str | None = None, blocked: str = "") -> Decision:
    return Decision("r", max_tier, prefer, (), blocked, False, f"{max_tier} because r")


def test_a_request_kept_home_is_planned_only_to_the_home_engine_on_the_home_queue() -> None:
    p = plan(decision("home"), ALL, {}, CHAT)
    assert [c.name for c in p.candidates] == ["home"] and p.queue == "home"


def test_providers_of_a_tier_above_the_decision_are_never_planned() -> None:
    assert sorted(c.name for c in plan(decision("trusted"), ALL, {}, CHAT).candidates) == ["home", "mistral"]


def test_the_preferred_tier_comes_first() -> None:
    p = plan(decision("cloud", prefer="trusted"), ALL, {}, CHAT)
    assert p.candidates[0].name == "mistral" and p.queue == "upstream"


def test_a_busy_home_engine_is_tried_after_the_others() -> None:
    busy = {HOME.id: {"inflight": 40.0}}
    assert plan(decision("trusted"), ALL, busy, CHAT).candidates[0].name == "mistral"


def test_a_request_with_images_is_planned_only_where_images_are_taken() -> None:
    p = plan(decision("home"), ALL, {}, Asked(Kind.CHAT, AUTO_MODEL, Needs(images=True)))
    assert p.candidates == () and "can answer: home: it cannot take images (home because r)" in p.refusal


def test_a_blocked_request_is_planned_nowhere() -> None:
    assert plan(decision("cloud", blocked="no"), ALL, {}, CHAT).candidates == ()


def test_a_named_model_is_planned_only_to_providers_serving_it() -> None:
    assert [c.name for c in plan(decision("cloud"), ALL, {}, Asked(Kind.CHAT, "big")).candidates] == ["mistral"]


ENVELOPE = Envelope(
    "a-request", Kind.CHAT, AUTO_MODEL, {"messages": [{"role": "user", "content": "Héllo"}]}, True, False, 5,
    DeviceFacts(7, "tablet", "kids", "trusted"), Needs(images=False, forced_tool=True), {"rules": "abc", "providers": None}, 1.5,
)  # fmt: skip


def test_an_envelope_survives_its_codec_whole_at_every_step() -> None:
    assert Envelope.from_json(json.loads(json.dumps(ENVELOPE.to_json()))) == ENVELOPE
    screening = {"labels": [["general", 0.9]], "scores": {"general": 0.9}, "chars": 5, "version": "v", "spans": [[0, "EMAIL", 0, 5]],
                 "people": 0, "faces": 0, "failed": "", "task": "code", "difficulty": "hard"}  # fmt: skip
    later = ENVELOPE.screened(screening, decision("trusted", "home"), Planned((1, 2), "home"))  # type: ignore[arg-type]
    assert Envelope.from_json(json.loads(json.dumps(later.to_json()))) == later


@pytest.mark.parametrize(
    "data",
    [None, [], {}, {"v": 2}, {**ENVELOPE.to_json(), "v": 0}, {k: v for k, v in ENVELOPE.to_json().items() if k != "device"},
     {**ENVELOPE.to_json(), "kind": "dance"}, {**ENVELOPE.to_json(), "surprise": 1}],
)  # fmt: skip
def test_a_message_that_is_not_this_versions_envelope_is_refused_with_a_reason(data: object) -> None:
    with pytest.raises(EnvelopeError):
        Envelope.from_json(data)


def test_an_envelope_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ENVELOPE.model = "other"  # type: ignore[misc]
