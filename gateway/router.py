"""Choosing providers: the household's limits first, then what the request needs, then its
priorities as weights (policies.priorities), best first."""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from appliance.plumbing.redis import EPOCH_KEY, epoch, sync_client
from appliance.plumbing.versioned import Versioned
from devices.choices import TIER_RANK
from policies.priorities import DEFAULT_PRIORITIES, PRESETS, Priorities
from policies.rules import Decision

from .capabilities import NEEDED, NO_CAPS, Caps
from .choices import Family, Kind
from .models import Provider
from .schema import ApiRequest

__all__ = ["PRESETS", "Priorities"]  # the household's priorities, as the router reads them

AUTO_MODEL = "hearth-auto"
# How private each tier keeps a request, for the privacy weight: a cloud provider whose zero
# data retention is on record keeps less than one whose is not.
SOVEREIGNTY = {"home": 1.0, "trusted": 0.6, "cloud": 0.0}
ZDR_CLOUD = 0.3
PRICE_SCALE = 30.0  # per million tokens: what counts as expensive for the cost weight
SLOW_MS = 10_000.0  # a first token this late counts as slow as can be for the speed weight


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    tier: str
    family: str
    models: tuple[str, ...]
    quality: int
    price: Decimal  # per million tokens, in and out averaged
    zero_data_retention: bool  # on record: its terms and when they were read (Provider.zdr_recorded)
    takes_images: bool
    forces_tool_calls: bool
    jurisdiction: str = ""
    caps: tuple[tuple[str, Caps], ...] = ()  # per model

    def caps_for(self, model: str) -> Caps:
        """Return what the model a request would get here can do (its default for hearth-auto)."""
        name = self.models[0] if model == AUTO_MODEL and self.models else model
        return dict(self.caps).get(name, NO_CAPS)

    def answers(self, kind: Kind) -> bool:
        """Say whether one of its models answers this kind of request (a model whose capabilities say nothing answers every kind)."""
        caps = dict(self.caps)
        return not self.models or any(caps.get(m, NO_CAPS).answers(kind) for m in self.models)


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
            p.zdr_recorded,
            p.takes_images,
            p.forces_tool_calls,
            p.jurisdiction,
            tuple(sorted(p.model_capabilities().items())),
        )
        for p in Provider.objects.filter(enabled=True)
    ]


# Read again as soon as any provider changes (appliance.plumbing.versioned), so a change applies at once.
PROVIDERS = Versioned("providers", _load)


async def providers() -> list[Candidate]:
    """Return the enabled providers."""
    return await PROVIDERS.aget()


def allowed(candidates: list[Candidate], max_tier: str, kind: Kind) -> list[Candidate]:
    """Return the providers of the tiers up to max_tier that serve this kind of request; the
    trusted tier only where zero data retention is on record (it is what makes it trusted)."""
    return [c for c in candidates if not _outside(c, max_tier, kind)]


def _outside(c: Candidate, max_tier: str, kind: Kind) -> str:
    if TIER_RANK[c.tier] > TIER_RANK[max_tier]:
        return f"the rules allow up to {max_tier}"
    if kind == Kind.EMBEDDING and c.family != Family.OPENAI:
        return "it makes no embeddings"
    if not c.answers(kind):
        return "it makes no embeddings" if kind == Kind.EMBEDDING else "it makes only embeddings"
    if c.tier == "trusted" and not c.zero_data_retention:
        return "a trusted provider without zero data retention on record"
    return ""


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
        usable = [c for c in usable if model in c.models and c.caps_for(model).answers(kind)]
        if not usable:
            elsewhere = [c for c in providers if model in c.models and TIER_RANK[c.tier] <= TIER_RANK[max_tier]]
            if elsewhere and not any(c.caps_for(model).answers(kind) for c in elsewhere):
                makes = "embeddings" if kind == Kind.EMBEDDING else "chat or completions"
                others = [m for m in models_for(allowed(providers, max_tier, kind)) if m != AUTO_MODEL]
                hint = f" Ask for {AUTO_MODEL}" + (f" or {', '.join(others)}." if others else ".")
                raise NoRoute(400, f"The model '{model}' makes no {makes}.{hint}", "model_not_supported")
            raise NoRoute(404, f"The model '{model}' does not exist or this device may not use it.", "model_not_found")
    if not usable:
        message = f"No provider of an allowed tier (up to {max_tier}) is configured for this request."
        if any(c.tier == "trusted" and not c.zero_data_retention and TIER_RANK["trusted"] <= TIER_RANK[max_tier] for c in providers):
            message += " A trusted provider is used only once its zero data retention terms are recorded."
        raise NoRoute(503, message, "no_provider")
    if not any(needs.met_by(c) for c in usable):
        raise needs.refusal(usable)


@dataclass(frozen=True)
class Asked:
    """What the request asks for, as routing reads it."""

    kind: Kind
    model: str
    needs: Needs = Needs()
    task: str = "chat"  # policies.classification.task.TASKS
    difficulty: str = "moderate"
    tokens: int = 0  # prompt and answer, estimated (gateway.capabilities.tokens_of)


@dataclass(frozen=True)
class Considered:
    """One provider as the plan saw it: kept (and where it ranked) or filtered, and why."""

    name: str
    tier: str
    kept: bool
    reason: str


@dataclass(frozen=True)
class Plan:
    """The providers to try, in order, the serving queue, and, when there is none, why."""

    candidates: tuple[Candidate, ...]
    queue: str
    refusal: str = ""
    trace: tuple[Considered, ...] = ()  # every provider, the kept ones first in their order
    sentence: str = ""  # why the first was chosen, for the decision's explanation
    passed_over: str = ""  # "home: home GPU busy": what would have come first, and why it does not


def limit(c: Candidate, decision: Decision, priorities: Priorities, asked: Asked) -> str:
    """Return the hard limit that rules a provider out for this request, or "" when none does.

    Applied before any score: the tier, zero data retention, where the data is processed,
    what the request needs and how long it is.
    """
    why = _outside(c, decision.max_tier, asked.kind)
    if why:
        return why
    if c.tier != "home":
        if decision.require_zdr and not c.zero_data_retention:
            return f"rule '{decision.rule}' needs zero data retention on record"
        household = priorities.tiers.get(c.tier)
        refused = household.refuses(c.jurisdiction) if household else ""
        if household and refused:
            return f"{refused} (the household keeps {c.tier} requests {household.describe()})"
        refused = decision.jurisdictions.refuses(c.jurisdiction) if decision.jurisdictions else ""
        if refused:
            return f"{refused} (rule '{decision.rule}' keeps data {decision.jurisdictions.describe()})"
    if not asked.needs.met_by(c):
        return "it cannot take images" if asked.needs.images and not c.takes_images else "it cannot be made to call one of several tools"
    if asked.model != AUTO_MODEL and asked.model not in c.models:
        return f"it does not serve {asked.model}"
    if asked.model != AUTO_MODEL and not c.caps_for(asked.model).answers(asked.kind):
        return f"{asked.model} makes no embeddings" if asked.kind == Kind.EMBEDDING else f"{asked.model} makes only embeddings"
    return _too_long(c, asked)


def _too_long(c: Candidate, asked: Asked) -> str:
    caps = c.caps_for(asked.model)
    if asked.tokens and not caps.fits(asked.tokens):
        return f"the request (about {asked.tokens} tokens) is longer than its context window ({caps.context})"
    return ""


def plan(
    decision: Decision, providers: list[Candidate], health: dict[int, dict[str, float]], asked: Asked,
    priorities: Priorities = DEFAULT_PRIORITIES,
) -> Plan:  # fmt: skip
    """Route a decided request: the hard limits rule providers out, then those that can do
    the task at its difficulty rank before those that cannot, and the household's weights
    order them (the decision's preferred tier first). Pure: the serving worker and the
    simulator route alike from the same providers, health and priorities."""
    if decision.blocked:
        return Plan((), "upstream")  # refused by the serving worker, which records it
    now = time.time()
    kept: list[tuple[tuple[bool, bool, bool, bool, float], Candidate, str]] = []
    # What would have come first but for a passing state or the request's length: when it
    # is not what is tried first, the answer says it fell back from it, and why.
    ideal: list[tuple[tuple[bool, bool, float], str]] = []
    filtered: list[Considered] = []
    for c in providers:
        why = limit(c, decision, priorities, asked)
        state = health.get(c.id, {})
        quality = c.caps_for(asked.model).quality_for(asked.task, c.quality)
        margin = priorities.choice.home_margin if c.tier == "home" else 0
        weak = quality + margin < NEEDED.get(asked.difficulty, NEEDED["moderate"])
        preferred = bool(decision.prefer) and c.tier != decision.prefer
        value = -score(c, state, quality, priorities)
        if why:
            filtered.append(Considered(c.name, c.tier, False, why))
            if why == _too_long(c, asked):
                ideal.append(((preferred, weak, value), f"{c.name}: {why}"))
            continue
        failing = state.get("fail_until", 0.0) > now
        busy = c.tier == "home" and state.get("inflight", 0.0) >= settings.HEARTH_HOME_QUEUE_SOFT_LIMIT
        passing = ["failed recently"] * failing + ["home GPU busy"] * busy
        notes = passing + [f"quality {quality} for {asked.difficulty} {asked.task} (needs {NEEDED[asked.difficulty]})"] * weak
        kept.append(((failing, preferred, busy, weak, value), c, "; ".join(notes)))
        ideal.append(((preferred, weak, value), f"{c.name}: {'; '.join(passing)}"))
    kept.sort(key=lambda k: k[0])
    ranked = tuple(c for _, c, _ in kept)
    trace = tuple(Considered(c.name, c.tier, True, note or "fits") for _, c, note in kept) + tuple(filtered)
    if not ranked:
        limits = "; ".join(f"{f.name}: {f.reason}" for f in filtered if not f.reason.startswith("the rules allow up to"))
        refusal = f"No provider the household's rules allow can answer ({decision.explanation})."
        if limits:
            refusal = f"No provider the household's rules allow can answer: {limits} ({decision.explanation})."
        return Plan((), "home" if decision.max_tier == "home" else "upstream", refusal, trace)
    best = min(ideal, key=lambda i: i[0])[1]
    passed_over = "" if best.startswith(f"{ranked[0].name}: ") else best
    queue = "home" if ranked[0].tier == "home" else "upstream"
    return Plan(ranked, queue, "", trace, _sentence(ranked[0], trace, priorities), passed_over)


def _sentence(first: Candidate, trace: tuple[Considered, ...], priorities: Priorities) -> str:
    if sum(t.kept for t in trace) < 2:
        return ""  # no choice was made: the decision's own words say where it goes
    where = [first.tier] + ([first.jurisdiction] if first.jurisdiction and first.tier != "home" else [])
    # "Kept home" says why home answers; sent out, what passed home over says why. The
    # priority is named only when the first choice can do the task (its trace says "fits").
    fits = trace[0].reason == "fits"
    phrase = "" if (priorities.choice.home_margin and first.tier != "home") or not fits else f", {priorities.choice.phrase}"
    sentence = f"goes to {first.name}: {', '.join(where)}{phrase}"
    passed = [t for t in trace if t.name != first.name and t.tier == "home"]
    if first.tier != "home" and passed:
        sentence += f"; passed over home: {passed[0].reason}"
    return sentence[:200]


def score(c: Candidate, state: dict[str, float], quality: int, priorities: Priorities) -> float:
    """Score a provider by the household's weights: privacy, cost, speed and quality for the task."""
    w = priorities.weights
    privacy = SOVEREIGNTY[c.tier] if c.tier != "cloud" or not c.zero_data_retention else ZDR_CLOUD
    cost = min(float(c.price), PRICE_SCALE) / PRICE_SCALE
    slow = min(state.get("ewma_ms", 0.0), SLOW_MS) / SLOW_MS
    return w.privacy * privacy - w.cost * cost - w.speed * slow + w.quality * quality / 10.0


def state_key(provider_id: int) -> str:
    return f"hearth:provider:{provider_id}"


def parsed_health(ids: list[int], rows: list[dict[bytes, bytes]]) -> dict[int, dict[str, float]]:
    """The providers' health and load from their HGETALLs, by id."""
    return {i: {k.decode(): float(v) for k, v in row.items()} for i, row in zip(ids, rows, strict=False)}
