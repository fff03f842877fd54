"""The request envelope: everything the request path's tasks need, and their only argument.

Frozen: each step returns a new envelope with what it added (the screening step adds what
screening found, the decision and the plan). The codec is versioned, so a message queued
by one version of Hearth is read by the next or refused with a clear reason, never half
understood. It carries the request's body (the prompt) to the workers, as the message did
before; never a key.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from dataclasses import dataclass
from typing import Any

from policies.priorities import Jurisdictions
from policies.rules import Decision
from policies.screening import Screening, default_task

from .choices import Kind
from .router import Needs
from .schema import ApiRequest

VERSION = 1
_NESTED = frozenset({"kind", "device", "needs", "decision", "planned"})


class EnvelopeError(ValueError):
    """A message that is not an envelope this version of Hearth reads."""


@dataclass(frozen=True)
class DeviceFacts:
    """What the request path needs to know of the device that asked."""

    id: int
    name: str
    category: str
    max_tier: str


@dataclass(frozen=True)
class Planned:
    """Where the plan sends a request: providers by id in the order to try, the serving
    queue, and why nobody may answer when there are none (gateway.router.plan)."""

    provider_ids: tuple[int, ...]
    queue: str
    refusal: str = ""
    passed_over: str = ""  # what would have come first, and why not (said as a fallback)


@dataclass(frozen=True)
class Envelope:
    request_id: str
    kind: Kind
    model: str
    body: dict[str, Any]  # the validated body, as schema built it; never changed on the way
    stream: bool
    include_usage: bool
    prompt_chars: int
    device: DeviceFacts
    needs: Needs
    # The version tokens the web process read with the request (appliance.plumbing.versioned), by
    # name, so the workers decide and route with the same settings, without reading them.
    versions: dict[str, str | None]
    queued_at: float  # time.time() when the web process queued it
    screening: Screening | None = None
    decision: Decision | None = None
    planned: Planned | None = None

    @classmethod
    def of(cls, device: DeviceFacts, api: ApiRequest, versions: dict[str, str | None]) -> Envelope:
        """The envelope of a validated request, as the web process queues it."""
        return cls(
            request_id=str(uuid.uuid4()), kind=api.kind, model=api.model, body=api.body, stream=api.stream,
            include_usage=api.include_usage, prompt_chars=api.prompt_chars, device=device,
            needs=Needs.of(api), versions=versions, queued_at=time.time(),
        )  # fmt: skip

    def screened(self, screening: Screening, decision: Decision, planned: Planned) -> Envelope:
        return dataclasses.replace(self, screening=screening, decision=decision, planned=planned)

    def to_json(self) -> dict[str, Any]:
        """Return the envelope as plain JSON data, with the codec's version."""
        # Field by field, not dataclasses.asdict: that deep-copies the body, in the classify
        # worker's one process, for every request; the body is only read from here on.
        decision, planned = self.decision, self.planned
        return {
            "v": VERSION,
            **{f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in _NESTED},
            "kind": str(self.kind),
            "device": vars(self.device).copy(),
            "needs": vars(self.needs).copy(),
            "decision": None
            if decision is None
            else {**vars(decision), "redact": list(decision.redact), "jurisdictions": _limits(decision)},
            "planned": None if planned is None else {**vars(planned), "provider_ids": list(planned.provider_ids)},
        }

    @classmethod
    def from_json(cls, data: Any) -> Envelope:
        """Read an envelope; raise EnvelopeError for another version or a broken one."""
        if not isinstance(data, dict) or data.get("v") != VERSION:
            version = data.get("v") if isinstance(data, dict) else None
            raise EnvelopeError(f"not a version {VERSION} request envelope (version {version!r})")
        try:
            fields = {k: v for k, v in data.items() if k != "v"}
            decision = fields.pop("decision")
            planned = fields.pop("planned")
            needs = Needs(**fields["needs"])
            return cls(
                **{
                    **fields,
                    "kind": Kind(fields["kind"]),
                    "device": DeviceFacts(**fields["device"]),
                    "needs": needs,
                    "screening": _with_task(fields.get("screening"), fields["kind"], needs.images),
                    "decision": None if decision is None else _decision(decision),
                    "planned": None if planned is None else Planned(**{**planned, "provider_ids": tuple(planned["provider_ids"])}),
                }
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise EnvelopeError(f"a broken request envelope ({type(exc).__name__}: {exc})") from None


def _with_task(screening: Any, kind: str, images: bool) -> Any:
    """Return a screening with its task and difficulty; one queued before they existed gets the defaults."""
    if not isinstance(screening, dict) or ("task" in screening and "difficulty" in screening):
        return screening
    task, difficulty = default_task(kind, images)
    return {**screening, "task": screening.get("task", task), "difficulty": screening.get("difficulty", difficulty)}


def _limits(decision: Decision) -> dict[str, list[str]]:
    return {"allow": sorted(decision.jurisdictions.allow), "deny": sorted(decision.jurisdictions.deny)}


def _decision(fields: dict[str, Any]) -> Decision:
    limits = fields.get("jurisdictions") or {}  # absent from a message queued before the limits were
    jurisdictions = Jurisdictions(frozenset(limits.get("allow", ())), frozenset(limits.get("deny", ())))
    return Decision(**{**fields, "redact": tuple(fields["redact"]), "jurisdictions": jurisdictions})
