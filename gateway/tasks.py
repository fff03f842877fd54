"""Celery tasks of the request path."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import timedelta
from typing import Any

from celery import Task, shared_task
from django.conf import settings

from appliance.plumbing.versioned import Versioned

from . import deadletter, journey, relay, services, worker
from .choices import Outcome
from .envelope import Envelope
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
            tuple((model, caps.makes) for model, caps in p.model_capabilities().items() if caps.makes),
        )
        for p in Provider.objects.filter(enabled=True)
    }


# The enabled providers with their keys, read again as soon as any provider changes.
_CONFIGS = Versioned("providers", _load_configs)


def configs_of(ids: list[int], version: str | None = None) -> list[ProviderConfig]:
    """Return the configs of these providers, in this order, leaving out any now disabled.

    `version`: the providers' version token the request was routed with.
    """
    configs = _CONFIGS.get(version)
    return [configs[i] for i in ids if i in configs]


def _poisoned(task: Task[Any, Any], envelope: Envelope, step: str) -> bool:
    """Count a redelivered message; True when its request is dead-lettered (see deadletter)."""
    if not (task.request.delivery_info or {}).get("redelivered"):
        return False  # the first delivery costs nothing here
    if deadletter.redelivered(envelope.request_id, step) <= settings.HEARTH_MAX_DELIVERIES:
        return False
    log.warning("request %s was dead-lettered: its %s task was delivered too often (its worker died each time)", envelope.request_id, step)
    error = relay.error(
        500, "Hearth could not process this request: it stopped the box's workers.", "request_dead_lettered", "server_error"
    )
    _run(lambda client: worker.tell(envelope.request_id, error, {"type": "end"}))
    services.close_audit(
        envelope.request_id, services.Result(Outcome.DEAD_LETTERED, reason=f"dead-lettered: the {step} step's worker died on it")
    )
    return True


# Why a task: classification and span detection are CPU-bound; a prefork pool on its own
# queue keeps them off the threads that relay streams. No retry: screening cannot fail (it
# fails closed into "most sensitive"). A lost worker is covered by acks_late, and a request
# that kills its worker every time is dead-lettered after HEARTH_MAX_DELIVERIES.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def screen_request(self: Task[Any, Any], envelope: dict[str, Any]) -> None:
    """Screen a request, decide it, plan it, and queue its serving task (gateway.journey)."""
    request = Envelope.from_json(envelope)
    if _poisoned(self, request, "screening"):
        return
    try:
        journey.screened(request)
    except Exception as exc:
        # Fail closed, and at once: the request is served as unscreened (home), not left waiting.
        log.exception("screening request %s failed", request.request_id)
        journey.dispatch(journey.unscreened(request, f"screening failed ({type(exc).__name__})"))


# Why a task: the upstream call is slow I/O and must survive the web process's restarts;
# queues per tier let home and outside calls be scaled apart. Retry policy: a copy that
# finds another worker holding the request's lease (a redelivery while a long answer is
# still streaming) looks again every HEARTH_LEASE_SECONDS, so a request whose worker died
# is taken over, and a live one is never served twice; 240 looks cover an hour.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=240, ignore_result=True)
def serve_request(self: Task[Any, Any], envelope: dict[str, Any]) -> None:
    """Serve a screened request (gateway.journey)."""
    request = Envelope.from_json(envelope)
    if _poisoned(self, request, "serving"):
        return
    try:
        journey.serve(request, _run)
    except worker.LeaseHeld:
        # The retried message's repr is the id, as at the first publish: Celery would write
        # the arguments (the prompt) into its headers in plain text.
        shown: dict[str, Any] = {"argsrepr": journey.shown(request.request_id), "kwargsrepr": "{}"}
        raise self.retry(countdown=settings.HEARTH_LEASE_SECONDS, **shown) from None
    except Exception:
        # Whatever went wrong, the client hears it now rather than after a time-out.
        log.exception("request %s failed before it was served", request.request_id)
        error = relay.error(500, "Hearth hit an internal error while serving the request.", "server_error", "server_error")
        _run(lambda client: worker.tell(request.request_id, error, {"type": "end"}))
        services.close_audit(request.request_id, services.Result(Outcome.UPSTREAM_ERROR, reason="internal error before serving"))


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
            else:
                await worker._note(provider, answered=True)

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
