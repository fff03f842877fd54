"""The rule simulator: what would happen to a request, without sending anything."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

from devices.models import Device
from policies.detectors import ner
from policies.redaction import Redactor
from policies.rules import Facts, decide
from policies.screening import screen
from policies.segments import image_urls, rewritten, segments
from policies.services import load_rules
from policies.terms import cached_terms


@dataclass(frozen=True)
class Simulation:
    labels: list[tuple[str, float]]
    spans: list[tuple[str, str]]  # kind, the text found (shown to the owner on the box only)
    rule: str
    tier: str
    explanation: str
    blocked: str
    outbound: str  # the prompt as a provider of the decided tier would receive it
    failed: str
    detectors: str = ""  # which detectors ran for the prompt's language (no NER for some)


def simulate(device: Device, prompt: str, moment: dt.datetime, presence: str, image_url: str = "") -> Simulation:
    """Screen a request and apply the rules as the box would; send nothing."""
    content: Any = prompt if not image_url else [{"type": "text", "text": prompt}, {"type": "image_url", "image_url": {"url": image_url}}]
    body = {"messages": [{"role": "user", "content": content}]}
    # A web process loads the NER pipelines on its first simulation, outside the deadline; if
    # one is broken, the screening below meets the same error and fails closed.
    with contextlib.suppress(Exception):
        ner.warm()
    screening = screen("chat", body, 2.0, cached_terms)
    detectors = ner.detectors_for(prompt)
    texts = segments("chat", body)
    if screening["failed"]:
        return Simulation(
            [],
            [],
            "",
            "home",
            f"stays home: the request could not be screened ({screening['failed']})",
            "",
            prompt,
            screening["failed"],
            detectors,
        )
    facts = Facts(
        device=device.name, category=device.category, labels=screening["scores"],
        data=frozenset(k for _, k, _, _ in screening["spans"]), images=len(image_urls(body)),
        people=screening["people"], faces=screening["faces"], moment=moment, presence=presence,
        kind="vision" if image_url else "chat", chars=screening["chars"],
    )  # fmt: skip
    decision = decide(load_rules(), facts, device.max_tier)
    spans = [(k, texts[i][s:e]) for i, k, s, e in screening["spans"]]
    outbound = prompt
    if decision.max_tier != "home" and not decision.blocked:
        by_segment: dict[int, list[Any]] = {}
        from policies.detectors import Span

        for i, k, s, e in screening["spans"]:
            if k in decision.redact:
                by_segment.setdefault(i, []).append(Span(k, s, e))
        current = 0
        redactor = Redactor(detector=lambda text, terms: by_segment.get(current, []))

        def redact(index: int, text: str) -> str:
            nonlocal current
            current = index
            return redactor.redact(text)

        outbound = segments("chat", rewritten("chat", body, redact))[0]
    return Simulation(
        screening["labels"], spans, decision.rule, decision.max_tier, decision.explanation, decision.blocked, outbound, "", detectors
    )
