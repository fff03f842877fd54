"""The rule simulator: what would happen to a request, without sending anything.

It runs the request path's own steps (gateway.journey.decided: screening, the facts, the
decision, the plan) and the outbound request builder (gateway.worker.outbound), so what
it shows is what the real path would do with the same request at the same moment.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

from devices.models import Device
from policies.detectors import ner
from policies.segments import segments

from . import journey, router, schema, worker
from .choices import Kind
from .envelope import DeviceFacts, Envelope


@dataclass(frozen=True)
class Simulation:
    labels: list[tuple[str, float]]
    spans: list[tuple[str, str]]  # kind, the text found (shown to the owner on the box only)
    rule: str
    tier: str  # the tier of the provider the request would go to first; the cap when none may
    explanation: str
    blocked: str
    outbound: str  # the prompt as that provider would receive it
    failed: str
    detectors: str = ""  # which detectors ran for the prompt's language (no NER for some)
    provider: str = ""  # the provider it would go to first; empty when none may answer
    refusal: str = ""  # why none may answer
    max_tier: str = ""  # the highest tier the decision allows (tier is where it would go first)
    candidates: tuple[router.Considered, ...] = ()  # every provider: the kept ones in order, then the ruled out, each with why
    task: str = ""  # what the request asks the model to do, and how hard: "code, hard"


def simulate(device: Device, prompt: str, moment: dt.datetime, presence: str, image_url: str = "") -> Simulation:
    """Screen a request, decide and route it as the box would at `moment`; send nothing."""
    content: Any = prompt if not image_url else [{"type": "text", "text": prompt}, {"type": "image_url", "image_url": {"url": image_url}}]
    body = {"messages": [{"role": "user", "content": content}]}
    # A web process loads the NER pipelines on its first simulation, outside the deadline; if
    # one is broken, the screening below meets the same error and fails closed.
    with contextlib.suppress(Exception):
        ner.warm()
    device_facts = DeviceFacts(device.pk, device.name, device.category, device.max_tier)
    envelope = Envelope.of(device_facts, schema.chat_request({"model": router.AUTO_MODEL, **body}), {})
    screening, decision, plan = journey.decided(envelope, moment=moment, presence=presence, count=False, budget=2.0)
    texts = segments("chat", envelope.body)
    spans = [(k, texts[i][s:e]) for i, k, s, e in screening["spans"]]
    first = plan.candidates[0] if plan.candidates else None
    outbound = prompt
    if first is not None and not decision.blocked:
        job = worker.Job(
            envelope.request_id, Kind.CHAT, router.AUTO_MODEL, envelope.body, False, False, envelope.prompt_chars,
            tuple((int(i), str(k), int(s), int(e)) for i, k, s, e in screening["spans"]),
            redact=frozenset(decision.redact), blur_faces=False, explanation=decision.explanation,
        )  # fmt: skip
        sent, _ = worker.outbound(job, first.tier, first.models[0] if first.models else router.AUTO_MODEL)
        outbound = segments("chat", sent)[0]  # the prompt's own text: the first segment
    return Simulation(
        screening["labels"], spans, decision.rule, first.tier if first is not None else decision.max_tier, decision.explanation,
        decision.blocked, outbound, screening["failed"], ner.detectors_for(prompt), first.name if first is not None else "", plan.refusal,
        decision.max_tier, plan.trace, f"{screening['task']}, {screening['difficulty']}",
    )  # fmt: skip
