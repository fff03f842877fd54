"""Settings rows kept in memory (appliance.plumbing.versioned): read once, read again after any change."""

from __future__ import annotations

import time
from typing import Any

import pytest
import redis
from django.db import transaction

from appliance.plumbing import versioned
from appliance.plumbing.stack import Stack
from gateway.models import Provider

pytestmark = pytest.mark.django_db(transaction=True)


class Counting:
    def __init__(self) -> None:
        self.loads = 0

    def __call__(self) -> int:
        self.loads += 1
        return self.loads


@pytest.fixture
def token_store(stack: Stack) -> redis.Redis:
    return redis.Redis.from_url(stack.redis_url)


def test_a_value_is_read_once_until_another_process_changes_it(token_store: redis.Redis) -> None:
    load = Counting()
    kept = versioned.Versioned("test-kept", load)
    assert [kept.get(), kept.get(), kept.get()] == [1, 1, 1]
    token_store.set(kept.key, "drawn-by-another-process")
    assert kept.get() == 2
    assert kept.get() == 2


def test_a_restarted_redis_makes_every_process_read_again(token_store: redis.Redis) -> None:
    load = Counting()
    kept = versioned.Versioned("test-restart", load)
    assert kept.get() == 1
    token_store.delete(kept.key)  # Redis keeps nothing on disk: a restart loses every token
    assert kept.get() == 2
    assert token_store.get(kept.key), "a fresh token was drawn for the other processes too"


def test_a_change_reaches_other_processes_only_once_committed(token_store: redis.Redis) -> None:
    kept = versioned.Versioned("providers", lambda: None)
    kept.get()
    before = token_store.get(kept.key)
    with transaction.atomic():
        Provider.objects.create(name="newcomer", tier="cloud", base_url="https://example.invalid/v1")
        assert token_store.get(kept.key) == before, "others would read the old rows under the new token"
    assert token_store.get(kept.key) != before


@pytest.mark.parametrize(
    "change",
    [
        lambda: Provider.objects.filter(name="home").update(quality=2),
        lambda: Provider.objects.get(name="home").save(),
        lambda: Provider.objects.bulk_create([Provider(name="bulk", tier="cloud", base_url="https://example.invalid/v1")]),
        lambda: Provider.objects.filter(name="home").delete(),
    ],
    ids=["update", "save", "bulk_create", "delete"],
)
def test_every_way_of_writing_providers_marks_them_changed(token_store: redis.Redis, change: Any) -> None:
    from gateway.services import ensure_home_provider

    ensure_home_provider()
    kept = versioned.Versioned("providers", lambda: None)
    kept.get()
    before = token_store.get(kept.key)
    change()
    assert token_store.get(kept.key) != before


def test_a_token_handed_over_by_the_process_that_read_it_is_the_same_version(token_store: redis.Redis) -> None:
    """The web process reads the tokens with the request's route and hands them to the workers
    in the task; a handed token (text) is the version a worker read itself (bytes)."""
    load = Counting()
    kept = versioned.Versioned("test-handed", load)
    assert kept.get() == 1
    token = token_store.get(kept.key)
    assert token is not None
    assert kept.get(token.decode()) == 1, "the same version: not read again"
    assert kept.get("a-newer-token") == 2
    assert kept.get(b"a-newer-token") == 2


def test_what_a_process_holds_is_read_again_after_its_maximum_age_even_if_no_change_reached_it(
    token_store: redis.Redis, settings: Any
) -> None:
    # A change whose token could not be drawn (Redis unreachable just then) never tells the
    # other processes; a revoked key must not stay honoured for ever.
    load = Counting()
    kept = versioned.Versioned("test-max-age", load)
    settings.HEARTH_VERSIONED_MAX_AGE = 0.3
    assert [kept.get(), kept.get()] == [1, 1]
    time.sleep(0.4)
    assert kept.get() == 2, "read again although the token is the same"
