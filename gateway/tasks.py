"""Celery tasks of the request path."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from appliance.versioned import Versioned
from devices.choices import TIER_RANK
from policies import handoff
from policies.screening import not_screened
from policies.segments import segments

from . import limits, relay, services, worker
from .choices import Kind, Outcome
from .models import Provider
from .providers import ProviderConfig, adapter_for

log = logging.getLogger(__name__)
_local = threading.local()


def _run(coro: Any) -> Any:
    """Run a coroutine on this worker thread's own long-lived loop.

    The loop outlives the task so its HTTP and Redis connections are reused.
    """
    state = getattr(_local, "state", None)
    if state is None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        state = _local.state = (loop, loop.run_until_complete(_make_client()))
    return state[0].run_until_complete(coro(state[1]))


async def _make_client() -> Any:
    return worker.http_client()


def _load_configs() -> dict[int, ProviderConfig]:
    return {
        p.id: ProviderConfig(
            p.id,
            p.name,
            p.family,
            p.tier,
            p.base_url,
            p.api_key(),
            tuple(p.model_names),
            p.price_in_per_mtok,
            p.price_out_per_mtok,
            float(p.first_byte_timeout),
        )
        for p in Provider.objects.filter(enabled=True)
    }


# The enabled providers with their keys, read again as soon as any provider changes.
_CONFIGS = Versioned("providers", _load_configs)


def _configs(ids: list[int], version: str | None = None) -> list[ProviderConfig]:
    """Return the configs of these providers, in this order, leaving out any now disabled.

    `version`: the providers' version token the request was routed with.
    """
    configs = _CONFIGS.get(version)
    return [configs[i] for i in ids if i in configs]


# Why a task: the upstream call is slow I/O and must survive the web process's restarts;
# queues per tier let home and outside calls be scaled apart. Retry policy: a copy that
# finds another worker holding the request's lease waits and looks again, so a request
# whose worker died is taken over, and a live one is never served twice.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=240, ignore_result=True)
def serve_request(
    self: Task[Any, Any],
    request_id: str,
    kind: str,
    model: str,
    body: dict[str, Any],
    stream: bool,
    include_usage: bool,
    prompt_chars: int,
    provider_ids: list[int],
    device_id: int,
    providers_version: str | None = None,
) -> None:
    """Serve a request once policies' classify_request has screened it (`providers_version`:
    the version token of the providers it was routed with)."""
    try:
        _serve(request_id, kind, model, body, stream, include_usage, prompt_chars, provider_ids, device_id, providers_version)
    except worker.LeaseHeld:
        # The retried message's repr is the id, as at the first publish: Celery would write
        # the arguments (the prompt) into its headers in plain text.
        shown: dict[str, Any] = {"argsrepr": f"({request_id!r}, …)", "kwargsrepr": "{}"}
        raise self.retry(countdown=settings.HEARTH_LEASE_SECONDS, **shown) from None
    except Exception:
        # Whatever went wrong, the client hears it now rather than after a time-out.
        log.exception("request %s failed before it was served", request_id)
        error = relay.error(500, "Hearth hit an internal error while serving the request.", "server_error", "server_error")
        _run(lambda client: relay.publish(request_id, error, {"type": "end"}))
        services.close_audit(request_id, services.Result(Outcome.UPSTREAM_ERROR, reason="internal error before serving"))


def _serve(
    request_id: str, kind: str, model: str, body: dict[str, Any], stream: bool, include_usage: bool,
    prompt_chars: int, provider_ids: list[int], device_id: int, providers_version: str | None,
) -> None:  # fmt: skip
    # While the request is being screened: the providers' configs, and the lease, held
    # through the wait and renewed once serving.
    configs = _configs(provider_ids, providers_version)
    hold = settings.HEARTH_SCREENING_WAIT + settings.HEARTH_LEASE_SECONDS
    lease = _run(lambda client: worker.take(request_id, hold))
    if lease is None:
        return  # an earlier delivery served it
    try:
        result = _screened(request_id, kind, model, body, stream, include_usage, prompt_chars, configs, device_id, lease)
    finally:
        _run(lambda client: worker.release(request_id))
    if result is not None:
        services.close_audit(request_id, result)


def _screened(
    request_id: str, kind: str, model: str, body: dict[str, Any], stream: bool, include_usage: bool,
    prompt_chars: int, configs: list[ProviderConfig], device_id: int, lease: worker.Lease,
) -> services.Result | None:  # fmt: skip
    """Serve a leased request once its screening and audit row are there; return how it
    ended with what screening found, or None when it was not served."""
    try:
        screening = handoff.wait(request_id, settings.HEARTH_SCREENING_WAIT)
    except handoff.NotAudited:
        # The web process could not record the request: it is not served at all.
        log.warning("request %s has no audit row; it was not served", request_id)
        refused = relay.error(500, "Hearth could not record the request, so it was not served.", "not_recorded", "server_error")
        _run(lambda client: relay.publish(request_id, refused, {"type": "end"}))
        return None
    if screening is None:
        # Private until proven otherwise: what could not be screened in time stays home.
        screening = not_screened("screening did not finish in time")
    decision = screening["decision"]
    spans = tuple((int(i), str(k), int(s), int(e)) for i, k, s, e in screening["spans"])
    job = worker.Job(
        request_id, Kind(kind), model, body, stream, include_usage, prompt_chars, spans,
        redact=frozenset(decision["redact"]), blur_faces=decision["blur_faces"], explanation=decision["explanation"],
    )  # fmt: skip
    blocked, status = decision["blocked"], 403
    max_tier, explanation = decision["max_tier"], decision["explanation"]
    if not blocked and limits.over_rate(device_id, decision["rate_per_minute"]):
        blocked, status = f"This device may ask {decision['rate_per_minute']} times a minute; try again shortly.", 429
    budget = decision["monthly_budget"]
    if (
        budget
        and max_tier != "home"
        and device_id is not None
        and services.spent_outside_home_this_month(device_id) >= Decimal(str(budget))
    ):
        max_tier, explanation = "home", f"stays home: this month's budget outside the home ({budget:g}) is spent; {explanation}"
    job = replace(job, explanation=explanation)
    # The rules (or, when screening failed, "keep it home") cap the tier; never raise it.
    providers = [p for p in configs if TIER_RANK[p.tier] <= TIER_RANK[max_tier]]
    if decision["prefer"]:
        providers.sort(key=lambda p: p.tier != decision["prefer"])  # stable: the router's order within
    if screening["failed"]:
        refusal = (
            f"The request could not be screened ({screening['failed']}), so only the home engine may answer it, and it is not available."
        )
    else:
        refusal = f"No provider the household's rules allow can answer ({decision['explanation']})."
    result: services.Result = _run(lambda client: worker.serve(job, providers, client, lease, refusal, blocked, status))
    screened = replace(
        result,
        labels=[(str(name), float(conf)) for name, conf in screening["labels"]],
        classifier_version=screening["version"],
        people=screening["people"],
        faces=screening["faces"],
        screening_failed=screening["failed"][:200],
        rule=decision["rule"],
        explanation=explanation[:500],
    )
    if decision["keep_prompt_days"]:
        keep = dt.timedelta(days=decision["keep_prompt_days"])
        screened = replace(screened, prompt_text="\n".join(segments(kind, body))[:100_000], prompt_expires_at=timezone.now() + keep)
    return screened


# Why a task: a periodic probe that costs nothing (listing models) keeps the router's
# view of provider health fresh. No retry: the next beat is the retry.
@shared_task(ignore_result=True)
def probe_providers() -> None:
    providers = list(_CONFIGS.get().values())

    async def probe(client: Any) -> None:
        for provider in providers:
            try:
                await asyncio.wait_for(adapter_for(provider, client).list_models(), 10)
            except Exception as exc:  # noqa: BLE001  (any failure marks it unhealthy)
                log.warning("health probe of %s failed: %s", provider.name, type(exc).__name__)
                await worker._note(provider, failed=True)

    _run(probe)


# Why a task: prompt texts a rule chose to keep are forgotten when their period ends.
# No retry: it runs every hour.
@shared_task(ignore_result=True)
def purge_expired_prompts() -> None:
    count = services.purge_expired_prompts()
    if count:
        log.info("forgot the prompt text of %d audit rows at the end of their retention", count)


# Why a task: rows whose request never completed (every delivery lost) are closed and
# sealed so the chain has no holes. No retry: it runs every minute.
@shared_task(ignore_result=True)
def seal_abandoned() -> None:
    count = services.seal_abandoned(timedelta(hours=1))
    if count:
        log.info("closed %d audit rows of requests that never completed", count)
