"""Choosing providers: only those of the allowed tiers, best first."""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from appliance.plumbing.redis import EPOCH_KEY, epoch, sync_client
from appliance.plumbing.versioned import Versioned
from devices.choices import TIER_RANK
from policies.rules import Decision

from .choices import Family, Kind
from .models import Provider
from .schema import ApiRequest

AUTO_MODEL = "hearth-auto"
SOVEREIGNTY = {"home": 30.0, "trusted": 15.0, "cloud": 0.0}


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    tier: str
    family: str
    models: tuple[str, ...]
    quality: int
    price: Decimal  # per million tokens, in and out averaged
    zero_data_retention: bool
    takes_images: bool
    forces_tool_calls: bool


@dataclass(frozen=True)
class Needs:
    """What a request asks of a provider beyond text."""

    images: bool = False
    forced_tool: bool = False  # tool_choice "required" among several tools (one tool is sent as named)

    @classmethod
    def of(cls, api: ApiRequest) -> Needs:
        tools = api.body.get("tools") or []
        return cls(api.has_images, api.body.get("tool_choice") == "required" and len(tools) > 1)

    def met_by(self, c: Candidate) -> bool:
        return (c.takes_images or not self.images) and (c.forces_tool_calls or not self.forced_tool)

    def refusal(self, usable: list[Candidate]) -> NoRoute:
        """The refusal when none of the usable providers can serve the request."""
        names = ", ".join(c.name for c in usable)
        if self.images and not any(c.takes_images for c in usable):
            home = any(c.tier == "home" for c in usable)
            first = "The home model cannot see images" if home else f"No provider this device may use takes images ({names})"
            message = f"{first}: send the request without images, or ask the household to add a provider whose model takes images."
            return NoRoute(400, message, "images_not_supported")
        message = (
            f"tool_choice 'required' cannot be honoured: {names} cannot be made to call one of several tools."
            " Name the tool in tool_choice, send only that tool, or use 'auto'."
        )
        return NoRoute(400, message, "tool_choice_not_supported")


class NoRoute(Exception):
    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def _load() -> list[Candidate]:
    return [
        Candidate(
            p.id,
            p.name,
            p.tier,
            p.family,
            tuple(p.model_names),
            p.quality,
            (p.price_in_per_mtok + p.price_out_per_mtok) / 2,
            p.zero_data_retention,
            p.takes_images,
            p.forces_tool_calls,
        )
        for p in Provider.objects.filter(enabled=True)
    ]


# Read again as soon as any provider changes (appliance.plumbing.versioned), so a change applies at once.
PROVIDERS = Versioned("providers", _load)


async def providers() -> list[Candidate]:
    """Return the enabled providers."""
    return await PROVIDERS.aget()


def allowed(candidates: list[Candidate], max_tier: str, kind: Kind) -> list[Candidate]:
    rank = TIER_RANK[max_tier]
    return [c for c in candidates if TIER_RANK[c.tier] <= rank and (kind != Kind.EMBEDDING or c.family == Family.OPENAI)]


def models_for(candidates: list[Candidate]) -> list[str]:
    """Return the model names a device may ask for, `hearth-auto` first."""
    names = [AUTO_MODEL]
    for c in candidates:
        names += [m for m in c.models if m not in names]
    return names


def tokens(*versioned: Versioned[Any]) -> dict[str, str | None]:
    """Read the version tokens of these settings in one round trip (sync), by name, and
    Redis's epoch (appliance.plumbing.redis.epoch) as "epoch"."""
    with sync_client().pipeline(transaction=False) as pipe:
        for v in versioned:
            pipe.get(v.key)
        pipe.get(EPOCH_KEY)
        out = pipe.execute()
    found = {v.name: None if t is None else t.decode() for v, t in zip(versioned, out, strict=False)}
    return {**found, "epoch": epoch(out[-1])}


def admit(providers: list[Candidate], max_tier: str, kind: Kind, model: str, needs: Needs = Needs()) -> None:
    """Refuse at once (NoRoute) a request that no provider the device may use could serve,
    whatever the rules decide: an unknown model, no provider at all, a need nobody meets.

    Before any rule runs, so nothing is ranked here: see plan.
    """
    usable = allowed(providers, max_tier, kind)
    if model != AUTO_MODEL:
        usable = [c for c in usable if model in c.models]
        if not usable:
            raise NoRoute(404, f"The model '{model}' does not exist or this device may not use it.", "model_not_found")
    if not usable:
        raise NoRoute(503, f"No provider of an allowed tier (up to {max_tier}) is configured for this request.", "no_provider")
    if not any(needs.met_by(c) for c in usable):
        raise needs.refusal(usable)


@dataclass(frozen=True)
class Asked:
    """What the request asks for, as routing reads it."""

    kind: Kind
    model: str
    needs: Needs = Needs()


@dataclass(frozen=True)
class Plan:
    """The providers to try, in order, the serving queue, and, when there is none, why."""

    candidates: tuple[Candidate, ...]
    queue: str
    refusal: str = ""


def plan(decision: Decision, providers: list[Candidate], health: dict[int, dict[str, float]], asked: Asked) -> Plan:
    """Route a decided request: the providers of the tiers the decision allows that serve
    what it asks, best first, the decision's preferred tier before the others. Pure: the
    serving worker and the simulator route alike from the same providers and health."""
    if decision.blocked:
        return Plan((), "upstream")  # refused by the serving worker, which records it
    usable = [c for c in allowed(providers, decision.max_tier, asked.kind) if asked.needs.met_by(c)]
    if asked.model != AUTO_MODEL:
        usable = [c for c in usable if asked.model in c.models]
    ranked = sorted(usable, key=lambda c: score(c, health.get(c.id, {})), reverse=True)
    if decision.prefer:
        ranked.sort(key=lambda c: c.tier != decision.prefer)  # stable: the score's order within
    if not ranked:
        refusal = f"No provider the household's rules allow can answer ({decision.explanation})."
        return Plan((), "home" if decision.max_tier == "home" else "upstream", refusal)
    return Plan(tuple(ranked), "home" if ranked[0].tier == "home" else "upstream")


def score(c: Candidate, state: dict[str, float]) -> float:
    """Score a provider: quality, cost, latency, sovereignty, health, home queue."""
    value = c.quality * 10.0 - float(c.price) * 2.0 + SOVEREIGNTY[c.tier] + (5.0 if c.zero_data_retention else 0.0)
    value -= state.get("ewma_ms", 0.0) / 100.0
    if state.get("fail_until", 0.0) > time.time():
        value -= 1000.0  # recently failed: last resort, still allowed
    if c.tier == "home":
        over = state.get("inflight", 0.0) - settings.HEARTH_HOME_QUEUE_SOFT_LIMIT
        if over >= 0:
            value -= (over + 1) * 20.0
    return value


def state_key(provider_id: int) -> str:
    return f"hearth:provider:{provider_id}"


def parsed_health(ids: list[int], rows: list[dict[bytes, bytes]]) -> dict[int, dict[str, float]]:
    """The providers' health and load from their HGETALLs, by id."""
    return {i: {k.decode(): float(v) for k, v in row.items()} for i, row in zip(ids, rows, strict=False)}
