"""The health probe costs nothing, and it is what tells when a provider is down and when it answers again."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import redis
from django.conf import settings

from appliance.plumbing.stack import Stack
from gateway import relay, worker
from gateway.capture import CaptureUpstream
from gateway.choices import Family
from gateway.models import Provider
from gateway.providers import ProviderConfig
from gateway.router import state_key
from gateway.tasks import probe_providers

# What a provider bills for: a probe never asks any of these.
PAID = ("/chat/completions", "/completions", "/embeddings", "/messages")


@pytest.fixture
def only_these_providers(transactional_db: None) -> Iterator[None]:
    """Leave the home engine (not running in these tests) out of the probe round; forget the state the round wrote."""
    for home in Provider.objects.filter(tier="home"):
        home.enabled = False
        home.save()
    yield
    client = redis.Redis.from_url(settings.REDIS_URL)
    for provider in Provider.objects.all():
        client.delete(state_key(provider.pk))


def state(provider_id: int) -> dict[str, float]:
    raw: dict[bytes, bytes] = redis.Redis.from_url(settings.REDIS_URL).hgetall(state_key(provider_id))  # type: ignore[assignment]
    return {k.decode(): float(v) for k, v in raw.items()}


def test_a_probe_round_of_every_family_asks_no_paid_path(
    only_these_providers: None, make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    for tier in ("trusted", "cloud"):
        for family in Family:
            make_provider(f"{family}-{tier}", tier, family=family)
    probe_providers()
    assert len(capture.requests) == 2 * len(Family), "every provider was probed"
    assert {(r.method, r.path) for r in capture.requests} == {("GET", "/v1/models")}
    assert not [r.path for r in capture.requests if r.path.endswith(PAID)]
    assert all(r.body == b"" for r in capture.requests)


def test_a_probe_that_fails_starts_an_outage_and_one_that_answers_ends_it(
    only_these_providers: None, make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    provider = make_provider("cloudy", "cloud", url="http://127.0.0.1:9/v1")  # nothing listens there
    probe_providers()
    since = state(provider.pk)["down_since"]
    assert since == pytest.approx(time.time(), abs=10)
    probe_providers()
    assert state(provider.pk)["down_since"] == since, "the outage goes on: it began at the first failure"
    provider.base_url = capture.url
    provider.save()
    probe_providers()
    after = state(provider.pk)
    assert "down_since" not in after and after["answered_at"] >= since


# --- the worker's notes, which requests write too ---------------------------------------------


def config(provider_id: int) -> ProviderConfig:
    return ProviderConfig(provider_id, "cloudy", "openai", "cloud", "http://127.0.0.1:9/v1", "", (), Decimal(0), Decimal(0), 5.0)


def note(provider: ProviderConfig, **what: Any) -> None:
    """Note the provider's health as a worker does, on a loop of its own."""

    async def run() -> None:
        await worker._note(provider, **what)
        await relay.client().aclose()

    asyncio.run(run())


@pytest.fixture
def noted(stack: Stack) -> Iterator[ProviderConfig]:
    """A provider id no row has, whose health state the test writes through gateway.worker."""
    provider = config(900_001)
    yield provider
    redis.Redis.from_url(settings.REDIS_URL).delete(state_key(provider.id))


def test_a_request_that_gets_its_first_byte_ends_the_outage(noted: ProviderConfig) -> None:
    note(noted, failed=True)
    assert "down_since" in state(noted.id)
    note(noted, ttft_ms=120.0)
    after = state(noted.id)
    assert "down_since" not in after and after["fail_until"] == 0 and after["ewma_ms"] == 120.0


def test_a_failure_long_after_the_last_one_with_nothing_heard_between_is_a_new_outage(noted: ProviderConfig) -> None:
    long_ago = time.time() - 3600
    key = state_key(noted.id)
    redis.Redis.from_url(settings.REDIS_URL).hset(key, mapping={"down_since": long_ago, "fail_until": long_ago + worker.FAIL_SECONDS})
    note(noted, failed=True)
    assert state(noted.id)["down_since"] == pytest.approx(time.time(), abs=10)


def test_failures_close_together_are_one_outage(noted: ProviderConfig) -> None:
    a_minute_ago = time.time() - 60
    key = state_key(noted.id)
    redis.Redis.from_url(settings.REDIS_URL).hset(
        key, mapping={"down_since": a_minute_ago, "fail_until": a_minute_ago + worker.FAIL_SECONDS}
    )
    note(noted, failed=True)
    assert state(noted.id)["down_since"] == a_minute_ago
