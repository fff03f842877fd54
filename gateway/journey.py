"""One request's journey, top to bottom: submit, screen and decide, plan, serve.

1. **submit** (the web process, or the MQTT bridge): check that some provider the device
   may use could serve the request, put it in an envelope, queue it for screening, and
   write its audit row meanwhile. Nothing is ranked yet: no rule has run.
2. **screen** (the classify worker): find labels and personal data, gather the facts,
   decide by the household's rules (policies.decision.decide), plan the providers
   (gateway.router.plan), and queue the serving task on the queue the plan names.
3. **serve** (a home or upstream worker): take the request's lease (so a redelivered copy
   never serves it twice), make sure its audit row exists, send it to the planned
   providers in order, relay the answer, seal the audit row.

Screening fails closed: a request whose screening fails, or does not come in time, is
kept home. The simulator (gateway.simulate) runs steps 2's facts, decision and plan the
same way, and sends nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

from appliance.plumbing import broker
from appliance.plumbing.redis import EPOCH_KEY, sync_client
from devices.choices import tiers_up_to
from devices.models import Device
from policies import services as policies_services
from policies import terms
from policies.decision import Household, decide, keep_home
from policies.rules import Decision, Facts, Rule
from policies.screening import Screening, not_screened, screen
from policies.segments import image_urls, segments

from . import capabilities, handoff, limits, relay, router, services, worker
from .choices import Kind, Outcome
from .envelope import DeviceFacts, Envelope, Planned
from .schema import ApiRequest

log = logging.getLogger(__name__)

# The settings whose version tokens the web process reads for the request and hands on.
RULES, PROVIDERS, HOUSEHOLD = policies_services.RULES, router.PROVIDERS, policies_services.HOUSEHOLD


def shown(request_id: str) -> str:
    """What a queued task's message shows as its arguments: the id, never the prompt."""
    return f"({request_id!r}, …)"


# --- 1. submit --------------------------------------------------------------------------


async def submit(device: Device, api: ApiRequest) -> Envelope:
    """Admit a validated request, queue it for screening, write its audit row; return its
    envelope. Raises router.NoRoute when no provider the device may use could serve it.

    Runs in one worker thread (each hop between the event loop and a thread costs time),
    beside a second that writes the audit row.
    """
    return await sync_to_async(_submit, thread_sensitive=False)(device, api)


def _submit(device: Device, api: ApiRequest) -> Envelope:
    from . import tasks

    # One round trip for the tokens of the settings the request is decided and routed by.
    versions = router.tokens(PROVIDERS, RULES, HOUSEHOLD)
    tiers = tiers_up_to(device.max_tier)
    try:
        router.admit(PROVIDERS.get(versions[PROVIDERS.name]), device.max_tier, api.kind, api.model, router.Needs.of(api))
    except router.NoRoute as exc:
        if exc.status == 503:
            services.record_refusal(device, api.kind, api.model, api.stream, tiers, exc.message)
        raise
    envelope = Envelope.of(DeviceFacts(device.pk, device.name, device.category, device.max_tier), api, versions)
    rid = envelope.request_id
    row = services.new_row(device, api.kind, api.model, api.stream, tiers, rid, services.privacy(versions[HOUSEHOLD.name]))
    # Screening first, the longest step before anything may be sent; then the audit row is
    # written by the opener's thread while the request is screened. The serving worker
    # sends nothing before the row exists (gateway.handoff).
    broker.send(tasks.screen_request, (envelope.to_json(),), "classify", shown(rid))
    try:
        services.open_rows(row).result()  # a row that could not be written fails the request
    except BaseException:
        handoff.unrecorded(rid)  # so the serving worker gives up at once, sending nothing
        raise
    return envelope


def answer(envelope: Envelope) -> AsyncIterator[relay.RelayEvent]:
    """The request's answer as the serving worker relays it (the web process, the MQTT
    bridge). Should nothing come within HEARTH_SCREENING_WAIT, the request is kept home
    unless it was screened meanwhile (screening_late)."""

    async def silence() -> None:
        await sync_to_async(screening_late, thread_sensitive=False)(envelope)

    async def beat() -> relay.RelayEvent | None:
        return await heartbeat(envelope)

    rid = envelope.request_id
    beat_seconds = settings.HEARTH_LEASE_SECONDS / 2
    return relay.events(rid, settings.HEARTH_RELAY_IDLE_SECONDS, settings.HEARTH_SCREENING_WAIT, silence, beat, beat_seconds)


async def heartbeat(envelope: Envelope) -> relay.RelayEvent | None:
    """Look for the worker serving a request: an error event if it died (its lease lapsed
    before the request was done), after closing the request's audit row with the provider
    it had reached, or if Redis restarted since the request came (the answer's chunks, and
    any message still queued, went with it); None while all is well.

    A minute sooner than Celery's redelivery (the visibility timeout); the redelivered copy
    then finds the request done and does nothing.
    """
    request_id, redis = envelope.request_id, relay.client()
    async with redis.pipeline(transaction=False) as pipe:
        pipe.exists(relay.taken_key(request_id))
        pipe.exists(relay.lease_key(request_id))
        pipe.exists(relay.done_key(request_id))
        pipe.get(EPOCH_KEY)
        taken, leased, done, now = await pipe.execute()
    if (now or b"").decode() != envelope.versions.get("epoch"):
        log.warning("request %s was cut off: Redis restarted", request_id)
        await relay.cancel(request_id, relay.RESTARTED)  # a worker still serving it stops, and records why
        asyncio.get_running_loop().call_later(
            settings.HEARTH_LEASE_SECONDS * 2,
            lambda: asyncio.ensure_future(_close_if_open(request_id, "Redis restarted before it was answered")),
        )
        return relay.broker_lost()
    if not taken or leased or done:
        return None
    if not await redis.set(relay.done_key(request_id), 1, ex=relay.TTL_SECONDS, nx=True):
        return None  # it was just finished
    reached: bytes | None = await redis.get(relay.reached_key(request_id))  # type: ignore[assignment]  # the client does not decode
    log.warning("request %s lost its worker (its lease lapsed)", request_id)
    reason = "the worker serving the request stopped" + (" after calling the provider" if reached else " before calling a provider")
    await _close_if_open(request_id, reason, reached)
    return relay.error(502, "The worker serving the request stopped; the answer is not complete.", "worker_lost")


async def _close_if_open(request_id: str, reason: str, reached: bytes | None = None) -> None:
    """Close a request's audit row as interrupted, unless its worker closed it already."""
    tier, _, name = (reached or b"").decode().partition(" ")
    result = services.Result(Outcome.INTERRUPTED, reason=reason, tier=tier, provider_name=name)
    try:
        await sync_to_async(services.close_audit, thread_sensitive=False)(request_id, result)
    except Exception:
        log.exception("closing the audit row of request %s failed", request_id)


# --- 2. screen, decide, plan --------------------------------------------------------------


def household(version: str | None = None) -> Household:
    """The household's settings a decision reads (`version`: their token, when handed on)."""
    return HOUSEHOLD.get(version)


def facts_for(
    envelope: Envelope, screening: Screening, rules: Sequence[Rule], *,
    moment: dt.datetime | None = None, presence: str | None = None, count: bool = True,
) -> tuple[Facts, dict[int, dict[str, float]]]:  # fmt: skip
    """Gather the facts a request is decided by, and the providers' health it is planned by.

    `moment`, `presence`: now and the household's presence, unless given (the simulator's
    owner picks them). `count`: count this request against the device's rate limit (the
    simulator only looks). Presence, the rate and the budget are read only when a rule
    needs them. One round trip for the providers' health and the rate.
    """
    enabled = [r for r in rules if r.enabled]
    if presence is None:
        from devices.services import presence as household_presence

        presence = household_presence().state if any(r.conditions.presence is not None for r in enabled) else "unknown"
    device, body, kind = envelope.device, envelope.body, envelope.kind
    providers = PROVIDERS.get(envelope.versions.get(PROVIDERS.name))
    ids = [c.id for c in providers]
    rated = any(r.actions.rate_per_minute for r in enabled)
    with sync_client().pipeline(transaction=False) as pipe:
        for i in ids:
            pipe.hgetall(router.state_key(i))
        if rated:
            limits.count(pipe, device.id, peek=not count)
        out = pipe.execute()
    health = router.parsed_health(ids, out[: len(ids)])
    spent = 0.0
    if any(r.actions.monthly_budget for r in enabled):
        zone = household(envelope.versions.get(HOUSEHOLD.name)).zone
        spent = float(services.spent_outside_home_this_month(device.id, zone))
    images = len(image_urls(body)) if kind == Kind.CHAT else 0
    facts = Facts(
        device=device.name, category=device.category, labels=screening["scores"],
        data=frozenset(k for _, k, _, _ in screening["spans"]), images=images,
        people=screening["people"], faces=screening["faces"],
        moment=moment or dt.datetime.now(dt.UTC), presence=presence,
        kind="vision" if images else str(kind), chars=screening["chars"],
        device_max_tier=device.max_tier, failed=screening["failed"],
        requests_this_minute=limits.counted(out[len(ids)]) + (0 if count else 1) if rated else 0,
        spent_this_month=spent,
    )  # fmt: skip
    return facts, health


def decided(
    envelope: Envelope, *, moment: dt.datetime | None = None, presence: str | None = None, count: bool = True,
    budget: float | None = None,
) -> tuple[Screening, Decision, router.Plan]:  # fmt: skip
    """Screen a request, decide it and plan it: what step 2 does, sending nothing.

    `budget`: screening's time budget, HEARTH_CLASSIFY_BUDGET unless given (the simulator
    screens in a web thread, where a first run also loads what the worker had warm).
    """
    versions = envelope.versions
    budget = settings.HEARTH_CLASSIFY_BUDGET if budget is None else budget
    screening = screen(envelope.kind, envelope.body, budget, lambda: terms.cached_terms(versions.get(RULES.name)))
    rules = policies_services.cached_rules(versions.get(RULES.name))
    facts, health = facts_for(envelope, screening, rules, moment=moment, presence=presence, count=count)
    settings_read = household(versions.get(HOUSEHOLD.name))
    try:
        decision = decide(facts, rules, settings_read)
    except Exception as exc:  # noqa: BLE001  (fail closed: a broken rule keeps requests home)
        log.warning("applying the rules failed: %s", type(exc).__name__)
        decision = keep_home(f"stays home: the household's rules could not be applied ({type(exc).__name__})")
    providers = PROVIDERS.get(versions.get(PROVIDERS.name))
    plan = router.plan(decision, providers, health, asked(envelope, screening), settings_read.priorities)
    if plan.sentence:
        decision = dataclasses.replace(decision, explanation=f"{decision.explanation}; {plan.sentence}"[:500])
    return screening, decision, plan


def asked(envelope: Envelope, screening: Screening) -> router.Asked:
    """What the request asks of a provider: its kind and model, its needs, its task and length."""
    tokens = capabilities.tokens_of(envelope.prompt_chars, envelope.body.get("max_tokens") or envelope.body.get("max_completion_tokens"))
    return router.Asked(
        envelope.kind, envelope.model, envelope.needs, screening.get("task", "chat"), screening.get("difficulty", "moderate"), tokens
    )


def screened(envelope: Envelope) -> None:
    """Step 2 in the classify worker: screen, decide, plan, and queue the serving task."""
    screening, decision, plan = decided(envelope)
    dispatch(envelope.screened(screening, decision, planned(plan)))


def planned(plan: router.Plan) -> Planned:
    return Planned(tuple(c.id for c in plan.candidates), plan.queue, plan.refusal, plan.passed_over)


def dispatch(envelope: Envelope) -> None:
    """Queue the serving task of a screened request on the queue its plan names, and say
    it was screened (the web process then waits for the answer, not for the screening)."""
    from . import tasks

    assert envelope.planned is not None
    rid = envelope.request_id
    broker.send(
        tasks.serve_request, (envelope.to_json(),), envelope.planned.queue, shown(rid), also=lambda p: handoff.mark_screened(p, rid)
    )


def unscreened(envelope: Envelope, reason: str) -> Envelope:
    """The envelope of a request that could not be screened: it is served at home, if at all."""
    screening = not_screened(reason, str(envelope.kind), envelope.needs.images)
    decision = keep_home(f"stays home: the request could not be screened ({reason})")
    providers = PROVIDERS.get(envelope.versions.get(PROVIDERS.name))
    plan = router.plan(decision, providers, {}, router.Asked(envelope.kind, envelope.model, envelope.needs))
    return envelope.screened(screening, decision, planned(plan))


def screening_late(envelope: Envelope) -> None:
    """The web process heard nothing for HEARTH_SCREENING_WAIT seconds: unless the request
    was screened meanwhile, serve it as unscreened (home). Should the screening still
    come, its serving task finds the request taken (the lease) and does nothing."""
    if not handoff.was_screened(envelope.request_id):
        log.warning("request %s was not screened in time; it is kept home", envelope.request_id)
        dispatch(unscreened(envelope, "screening did not finish in time"))


# --- 3. serve ---------------------------------------------------------------------------


def serve(envelope: Envelope, run: Any) -> None:
    """Step 3 in a serving worker (`run`: runs a coroutine on this thread's loop, with its
    HTTP client). Raises worker.LeaseHeld while another worker serves the request."""
    from .tasks import configs_of

    rid = envelope.request_id
    assert envelope.screening is not None and envelope.decision is not None and envelope.planned is not None
    lease = run(lambda client: worker.take(rid, settings.HEARTH_LEASE_SECONDS))
    if lease is None:
        return  # an earlier delivery served it
    result: services.Result | None = None
    try:
        if lease.cancelled or time.time() - envelope.queued_at > settings.HEARTH_RELAY_IDLE_SECONDS:
            # The client went away (or gave up waiting) before anything was sent: never send it now.
            result = services.Result(Outcome.CANCELLED, reason="the client went away before it was sent")
        elif not lease.audited and not handoff.wait_audited(rid, settings.HEARTH_SCREENING_WAIT):
            log.warning("request %s has no audit row; it was not served", rid)
            refused = relay.error(503, "Hearth could not record the request, so it was not served.", "not_recorded", "service_unavailable")
            run(lambda client: worker.tell(rid, refused, {"type": "end"}))
        else:
            configs = configs_of(list(envelope.planned.provider_ids), envelope.versions.get(PROVIDERS.name))
            result = _served(envelope, configs, lease, run)
    finally:
        run(lambda client: worker.release(rid))
        if result is not None:
            services.close_audit(rid, result)


def _served(envelope: Envelope, configs: list[Any], lease: worker.Lease, run: Any) -> services.Result | None:
    """Serve a request; return how it ended for its audit row, or None when the row is sealed already."""
    screening, decision, planned = envelope.screening, envelope.decision, envelope.planned
    assert screening is not None and decision is not None and planned is not None
    spans = tuple((int(i), str(k), int(s), int(e)) for i, k, s, e in screening["spans"])

    def screened(result: services.Result) -> services.Result:
        """The result with what screening found and the rules decided, as the row keeps it."""
        result = dataclasses.replace(
            result,
            labels=[(str(name), float(conf)) for name, conf in screening["labels"]],
            classifier_version=screening["version"],
            people=screening["people"],
            faces=screening["faces"],
            screening_failed=screening["failed"][:200],
            rule=decision.rule,
            explanation=decision.explanation[:500],
        )
        if decision.keep_prompt_days:
            keep = dt.timedelta(days=decision.keep_prompt_days)
            text = "\n".join(segments(envelope.kind, envelope.body))[:100_000]
            result = dataclasses.replace(result, prompt_text=text, prompt_expires_at=timezone.now() + keep)
        return result

    sealed: list[bool] = []

    async def seal(result: services.Result) -> None:
        await services.aclose_audit(envelope.request_id, screened(result))
        sealed.append(True)

    job = worker.Job(
        envelope.request_id, envelope.kind, envelope.model, envelope.body, envelope.stream, envelope.include_usage,
        envelope.prompt_chars, spans, redact=frozenset(decision.redact), blur_faces=decision.blur_faces,
        explanation=decision.explanation, seal=seal, passed_over=planned.passed_over,
    )  # fmt: skip
    result: services.Result = run(
        lambda client: worker.serve(job, configs, client, lease, planned.refusal, decision.blocked, decision.blocked_status)
    )
    return None if sealed else screened(result)  # an answer's row is sealed before the client hears it ended
