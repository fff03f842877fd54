"""Settings rows every request reads, kept in each process until some process changes them.

Devices, providers and the household's rules are read on every request by the web
process and the workers, and change rarely. Each such table has a version token in Redis;
a process keeps what it loaded with the token it saw, and loads again when the token
differs. Whoever changes a row draws a fresh token once the change is committed (before
that, another process could load the old rows under the new token). A token rather than
a counter: Redis keeps nothing on disk, and a counter starting again could come back to
a value some process holds for other rows; a missing token is drawn afresh for the same
reason, so a restarted Redis makes every process load again. A token that could not be
drawn (Redis unreachable just then) is tried again, and whatever a process holds is read
again after HEARTH_VERSIONED_MAX_AGE seconds all the same: a revoked key or a disabled
provider is never honoured for longer than that.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import redis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

from appliance.plumbing.redis import async_client, sync_client

T = TypeVar("T")
log = logging.getLogger(__name__)
_NAMES: set[str] = set()
_changes_here = 0  # changes made by this process: it sees them before they are committed

# A bulk update sends no model signal; these do, so that a listener can read the rows before
# and after it (gateway.settings_audit records who changed a household setting). Sender: the
# model; arguments: `queryset` and `fields`, the names being set.
pre_update = Signal()
post_update = Signal()
# A bulk create sends no post_save either. Sender: the model; argument: `objs`.
post_bulk_create = Signal()


def _key(name: str) -> str:
    return f"hearth:version:{name}"


def mark_changed(name: str) -> None:
    """Mark a table's rows changed: for this process at once, for the others once committed."""
    global _changes_here
    _changes_here += 1
    transaction.on_commit(lambda: _draw(name))


def _draw(name: str) -> None:
    for pause in (0.05, 0.2, 0.5, None):
        try:
            sync_client().set(_key(name), secrets.token_hex(8))
            return
        except redis.RedisError:
            if pause is not None:
                time.sleep(pause)
    # The change is saved. A restarted Redis has no tokens, so every process reads again;
    # otherwise each reads again within the maximum age of what it holds.
    log.warning(
        "could not tell the running processes that the %s changed (Redis unreachable); they read it again within %d s",
        name,
        settings.HEARTH_VERSIONED_MAX_AGE,
    )


def forget_here() -> None:
    """Make this process read every versioned table again (a transaction it saw was rolled back)."""
    global _changes_here
    _changes_here += 1


def replaced() -> None:
    """Make every process read every versioned table again, now: the database was replaced
    under them by something that sent no signal (a test database flushed between tests)."""
    forget_here()
    client = sync_client()
    for name in sorted(_NAMES):
        client.set(_key(name), secrets.token_hex(8))


def all_changed() -> None:
    """Mark every versioned table changed (after a restore replaced the database)."""
    for name in sorted(_NAMES):
        mark_changed(name)


class Versioned(Generic[T]):
    """What `load` returns, read again only after the rows changed."""

    def __init__(self, name: str, load: Callable[[], T]) -> None:
        self.name, self.key = name, _key(name)
        self._load = load
        self._held: tuple[tuple[str, int], T, float] | None = None  # version, value, when loaded
        _NAMES.add(name)

    def get(self, token: bytes | str | None = None) -> T:
        """Return the current value (blocking: for threads and workers).

        `token`: the version token, when the caller read it in a round trip of its own (or
        was handed it by the process that did: see `gateway.router.plan`).
        """
        if token is None:
            client = sync_client()
            token = client.get(self.key)
            if token is None:
                client.set(self.key, secrets.token_hex(8), nx=True)
                token = client.get(self.key) or b""
        version = (token.decode() if isinstance(token, bytes) else token, _changes_here)
        held = self._held
        if held is not None and held[0] == version and not self._too_old(held[2]):
            return held[1]
        value = self._load()
        self._held = (version, value, time.monotonic())
        return value

    @staticmethod
    def _too_old(loaded: float) -> bool:
        return time.monotonic() - loaded > settings.HEARTH_VERSIONED_MAX_AGE

    def last(self) -> T | None:
        """What this process holds, whichever version: to read state that goes with it in
        the same round trip as the token."""
        held = self._held
        return None if held is None else held[1]

    async def aget(self) -> T:
        """Return the current value from an event loop; the database only when it changed."""
        client = async_client()
        token = await client.get(self.key)
        if token is None:
            await client.set(self.key, secrets.token_hex(8), nx=True)
            token = await client.get(self.key) or b""
        version = (token.decode() if isinstance(token, bytes) else token, _changes_here)
        held = self._held
        if held is not None and held[0] == version and not self._too_old(held[2]):
            return held[1]
        value = await sync_to_async(self._load, thread_sensitive=False)()
        self._held = (version, value, time.monotonic())
        return value


class VersionedQuerySet(models.QuerySet[Any]):
    """A queryset whose bulk writes mark its table changed, as saving or deleting a row does.

    Subclasses name their table's version: `version_name = "providers"`.
    """

    version_name = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _NAMES.add(cls.version_name)

    def update(self, **kwargs: Any) -> int:
        if not pre_update.has_listeners(self.model):
            count = super().update(**kwargs)
        else:
            # The listeners' record commits with the change, or neither does.
            with transaction.atomic(using=self.db):
                pre_update.send(self.model, queryset=self, fields=tuple(kwargs))
                count = super().update(**kwargs)
                post_update.send(self.model, queryset=self, fields=tuple(kwargs))
        mark_changed(self.version_name)
        return count

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[Any]:
        with transaction.atomic(using=self.db):
            rows = super().bulk_create(*args, **kwargs)
            post_bulk_create.send(self.model, objs=rows)
        mark_changed(self.version_name)
        return rows


def track(model: type[models.Model]) -> None:
    """Mark a model's table changed whenever a row is saved or deleted (call from ready()).

    The model's manager is built from a VersionedQuerySet, which names the version.
    """
    rows = model._default_manager.none()
    if not isinstance(rows, VersionedQuerySet):
        raise TypeError(f"{model.__name__}'s manager is not built from a VersionedQuerySet")
    name = rows.version_name

    def receiver(**_: Any) -> None:
        mark_changed(name)

    post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"versioned-{name}-save")
    post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"versioned-{name}-delete")
