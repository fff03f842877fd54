"""Celery tasks of the policies: screening requests and applying the household's rules."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Any, TypedDict

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings

from policies import handoff, services, terms
from policies.detectors import ner
from policies.rules import Facts, decide
from policies.screening import DecisionData, Screening, keep_home, screen
from policies.segments import image_urls

log = logging.getLogger(__name__)


def presence() -> str:
    """Return home, away or unknown: whether someone is home (the owner's override, else the presence topic)."""
    from devices.services import presence as household_presence

    return household_presence().state


class DeviceFacts(TypedDict):
    """What the rules need to know of the device, sent along with the request."""

    id: int
    name: str
    category: str
    max_tier: str


def decision_for(
    screening: Screening,
    kind: str,
    body: dict[str, Any],
    device: DeviceFacts,
    *,
    moment: dt.datetime | None = None,
    present: str | None = None,
    rules_version: str | None = None,
) -> DecisionData:
    """Apply the household's rules to a screened request (time and presence: now, unless given).

    `moment`: an instant in any zone; the rules read it on the household's clock.
    """
    rules = services.cached_rules(rules_version)
    if present is None:
        # Presence is a database read: asked only when some rule depends on it.
        present = presence() if any(r.enabled and r.conditions.presence is not None for r in rules) else "unknown"
    moment = moment or dt.datetime.now(dt.UTC)
    if any(r.enabled and r.conditions.time is not None for r in rules):
        # The zone costs a round trip: read only when some rule has a time window.
        moment = moment.astimezone(services.household_zone())
    facts = Facts(
        device=device["name"],
        category=device["category"],
        labels=screening["scores"],
        data=frozenset(kind_ for _, kind_, _, _ in screening["spans"]),
        images=len(image_urls(body)) if kind == "chat" else 0,
        people=screening["people"],
        faces=screening["faces"],
        moment=moment,
        presence=present,
        kind="vision" if kind == "chat" and image_urls(body) else kind,
        chars=screening["chars"],
    )
    d = decide(rules, facts, device["max_tier"])
    return {
        "rule": d.rule,
        "max_tier": d.max_tier,
        "prefer": d.prefer,
        "redact": list(d.redact),
        "blocked": d.blocked,
        "blur_faces": d.blur_faces,
        "explanation": d.explanation,
        "keep_prompt_days": d.keep_prompt_days,
        "rate_per_minute": d.rate_per_minute,
        "monthly_budget": d.monthly_budget,
    }


@worker_process_init.connect
def warm_up(**_: Any) -> None:
    """Load the classifier and the detectors when a worker process starts, so the first
    request's screening budget is spent screening, not loading a model. (Other processes
    never load OpenCV or numpy unless a request needs them.)"""
    try:
        from policies import images

        images.load()
        ner.warm()  # every language's NER pipeline, not only the warm-up text's
        screen("chat", {"messages": [{"role": "user", "content": "Warm up: call +44 20 7946 0958 or mail a@example.org"}]}, 30.0)
    except Exception as exc:  # noqa: BLE001  (a broken model shows on the first request, failing closed)
        log.warning("warming up the classifier failed: %s", type(exc).__name__)
    if ready := os.environ.get("HEARTH_READY_FILE"):  # whoever started the worker waits for this
        Path(ready).touch()


# Why a task: classification and span detection are CPU-bound; a prefork pool on its own
# queue keeps them off the threads that relay streams. The worker serving the request
# waits for the result (policies.handoff) and fails closed if it never comes. No retry:
# screening cannot fail (it fails closed into "most sensitive"), and a lost worker is
# covered by acks_late.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def classify_request(request_id: str, kind: str, body: dict[str, Any], device: DeviceFacts, rules_version: str | None = None) -> None:
    """Screen a request and decide by the rules (`rules_version`: their version token, which
    the web process read in its own round trip)."""
    screening = screen(kind, body, settings.HEARTH_CLASSIFY_BUDGET, lambda: terms.cached_terms(rules_version))
    if not screening["failed"]:
        try:
            screening["decision"] = decision_for(screening, kind, body, device, rules_version=rules_version)
        except Exception as exc:  # noqa: BLE001  (fail closed: a broken rule keeps requests home)
            log.warning("applying the rules failed: %s", type(exc).__name__)
            screening["decision"] = keep_home(f"stays home: the household's rules could not be applied ({type(exc).__name__})")
    handoff.publish(request_id, screening)
