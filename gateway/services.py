"""Verbs that write: audit rows, the audit chain, the home provider."""

from __future__ import annotations

import asyncio
import datetime as dt
import queue
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import OperationalError, close_old_connections, models, transaction
from django.utils import timezone

from appliance.plumbing.versioned import Versioned
from devices.choices import Category
from devices.models import Device

from . import handoff
from .choices import Family, Kind, Outcome
from .models import AuditEvent, ChainHead, Provider
from .router import NoRoute

T = TypeVar("T")


@dataclass(frozen=True)
class Result:
    """How a request ended, as the worker saw it."""

    outcome: Outcome
    reason: str = ""
    tier: str = ""
    provider_name: str = ""
    model_used: str = ""
    attempts: int = 0
    ttft_ms: int | None = None
    total_ms: int | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: Decimal = Decimal(0)
    labels: list[tuple[str, float]] = field(default_factory=list)
    redactions: dict[str, int] = field(default_factory=dict)
    classifier_version: str = ""
    people: int = 0
    faces: int = 0
    screening_failed: str = ""
    rule: str = ""
    explanation: str = ""
    prompt_text: str = ""
    prompt_expires_at: dt.datetime | None = None


class _GroupCommit(Generic[T]):
    """Writes audit rows in a thread of its own, many in one transaction.

    A row must be on disk before its request may be sent anywhere, and a sealed row before
    its request counts as answered; each commit waits for the disk (synchronous=FULL).
    Rows that come while a commit is waiting are written together in the next one, so a
    burst of requests waits for a few commits, not one each, and the box's writers take
    SQLite's lock, which a waiting writer polls with growing sleeps, far less often.
    """

    BATCH = 200

    def __init__(self, name: str, write: Callable[[list[T]], None]) -> None:
        self._name, self._write = name, write
        self._queue: queue.SimpleQueue[tuple[T, Future[None]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def __call__(self, item: T) -> Future[None]:
        """Queue an item; the future is done once it is committed (or failed with the batch)."""
        done: Future[None] = Future()
        self._queue.put((item, done))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
        return done

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            close_old_connections()  # as a request would: a broken or old connection is replaced
            try:
                self._write([item for item, _ in batch])
            except Exception as exc:  # noqa: BLE001  (the writer goes on)
                if len(batch) == 1:
                    batch[0][1].set_exception(exc)
                    continue
                # One bad row must not fail the requests that came with it: write them one
                # by one, so only the bad one's caller sees the error.
                for item, done in batch:
                    try:
                        self._write([item])
                    except Exception as one:  # noqa: BLE001
                        done.set_exception(one)
                    else:
                        done.set_result(None)
            else:
                for _, done in batch:
                    done.set_result(None)


class _Statement:
    """An INSERT (no `where`) or UPDATE of the audit log's hot path, as SQL built once per database.

    Each request opens one row and seals one; building those statements through the ORM
    cost more CPU than running them. Identifiers come from the models' metadata, quoted;
    every value is a parameter, converted by its field as the ORM would. `where` names
    columns in braces: "{id} = %s".
    """

    def __init__(self, model: type[models.Model], names: list[str], where: str = "") -> None:
        self.model, self.where = model, where
        self.fields: list[models.Field[Any, Any]] = [model._meta.get_field(name) for name in names]  # type: ignore[misc]
        self._sql: dict[str, str] = {}

    def _build(self, q: Callable[[str], str]) -> str:
        table, columns = q(self.model._meta.db_table), [q(str(f.column)) for f in self.fields]
        if not self.where:
            return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        names = {str(f.column): q(str(f.column)) for f in self.model._meta.concrete_fields}
        return f"UPDATE {table} SET {', '.join(c + ' = %s' for c in columns)} WHERE {self.where.format(**names)}"  # noqa: S608

    def run(self, rows: list[list[Any]]) -> int:
        """Run it once per row of parameters (the fields' values, then the where's); return the rows it changed."""
        connection = transaction.get_connection()
        sql = self._sql.get(connection.vendor)
        if sql is None:
            sql = self._sql[connection.vendor] = self._build(connection.ops.quote_name)
        count = len(self.fields)
        params = [[f.get_db_prep_save(v, connection) for f, v in zip(self.fields, row[:count], strict=True)] + row[count:] for row in rows]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
            return int(cursor.rowcount)


class AuditUnavailable(NoRoute):
    """The audit row of a request could not be written (a full disk): 503, and nothing is sent."""

    def __init__(self) -> None:
        message = "Hearth cannot write its audit log just now (its disk may be full), so the request was not sent anywhere."
        super().__init__(503, message, "audit_unavailable")


_insert_opened = _Statement(AuditEvent, [f.name for f in AuditEvent._meta.concrete_fields if not f.primary_key])


def _write_opened(rows: list[AuditEvent]) -> None:
    try:
        with transaction.atomic():
            fields = _insert_opened.fields
            _insert_opened.run([[f.pre_save(row, True) for f in fields] for row in rows])
    except OperationalError as exc:
        # A full disk (or a database that cannot be written just now) is no crash: the
        # request was sent nowhere and may be tried again once the row can be written.
        raise AuditUnavailable from exc
    handoff.audited(*(str(row.request_id) for row in rows))


open_rows = _GroupCommit("hearth-audit-open", _write_opened)


async def open_audit(device: Device, kind: Kind, model: str, stream: bool, allowed_tiers: list[str]) -> str:
    """Write the audit row of a request before anything is sent anywhere; return its id.

    The worker serving the request waits for word that the row exists (policies.handoff).
    """
    return await sync_to_async(_open_audit)(device, kind, model, stream, allowed_tiers)


def _load_privacy() -> str:
    from appliance.models import Household, Privacy

    return Household.objects.filter(pk=1).values_list("privacy", flat=True).first() or Privacy.FULL


# Read on opening and closing every audit row; read again as soon as the household changes.
_PRIVACY = Versioned("household", _load_privacy)


def privacy(version: str | None = None) -> str:
    """The household's privacy level for what the audit log records (full until the box is
    claimed; `version`: its token, when the caller read it)."""
    return _PRIVACY.get(version)


def _recorded_name(device: Device, level: str) -> str:
    """What the audit row calls a device: its name, or only its kind when names are not recorded."""
    from appliance.models import Privacy

    return device.name if level == Privacy.FULL else f"a {Category(device.category).label.lower()}"


def _as_recorded(event: AuditEvent, level: str) -> None:
    """Leave out what the household's privacy level does not record, before the row is sealed.

    Without device names: the name, also inside the explanation, becomes the device's kind.
    Counts only: no device, model, labels, rule, explanation or prompt text either; the row
    keeps tier, provider, outcome, timings, tokens, cost and redaction counts. The device
    link stays in both, unseen by the pages, for the per-device rate limits and budgets.
    """
    from appliance.models import Privacy

    if level == Privacy.FULL:
        return
    device = event.device
    if device is not None:
        event.device_name = _recorded_name(device, level)
        # The rules name a device only as "the device is <name>" (policies.rules).
        event.explanation = event.explanation.replace(f"the device is {device.name}", f"the device is {event.device_name}")
    if level == Privacy.COUNTS_ONLY:
        event.model_requested = event.model_used = event.rule = event.explanation = event.prompt_text = ""
        event.labels, event.prompt_expires_at = [], None


def new_row(device: Device, kind: Kind, model: str, stream: bool, allowed_tiers: list[str], request_id: str, level: str = "") -> AuditEvent:
    """The opening audit row of a request, as the household's privacy level (read now,
    unless given) records it."""
    from appliance.models import Privacy

    level = level or privacy()
    return AuditEvent(
        request_id=request_id,
        created_at=timezone.now(),
        device=device,
        device_name=_recorded_name(device, level),
        kind=kind,
        model_requested="" if level == Privacy.COUNTS_ONLY else model,
        stream=stream,
        allowed_tiers=allowed_tiers,
    )


def _open_audit(device: Device, kind: Kind, model: str, stream: bool, allowed_tiers: list[str], request_id: str = "") -> str:
    request_id = request_id or str(uuid.uuid4())
    _write_opened([new_row(device, kind, model, stream, allowed_tiers, request_id)])
    return request_id


def record_refusal(device: Device, kind: Kind, model: str, stream: bool, allowed_tiers: list[str], reason: str) -> None:
    """Record a request that no allowed provider could take."""
    request_id = _open_audit(device, kind, model, stream, allowed_tiers)
    close_audit(request_id, Result(Outcome.REFUSED, reason=reason[:300]))


def close_audit(request_id: str, result: Result) -> None:
    """Complete a request's audit row and seal it onto the chain; return once it is on disk.

    Inside a transaction the row is sealed in it; otherwise this process's sealer thread
    seals it with whatever other rows are closing at the same time, in one commit.
    """
    if transaction.get_connection().in_atomic_block:
        _seal_closed([(request_id, result)])
    else:
        _close_rows((request_id, result)).result()


async def aclose_audit(request_id: str, result: Result) -> None:
    """close_audit from an event loop: the sealer thread seals it; nothing else waits for it
    (no executor thread is held, so a burst of answers ending together is sealed together)."""
    await asyncio.wrap_future(_close_rows((request_id, result)))


def _seal_closed(closing: list[tuple[str, Result]]) -> None:
    _seal(_completed(closing))


_LIMITS: dict[str, int] = {
    f.name: f.max_length for f in AuditEvent._meta.concrete_fields if isinstance(f, models.CharField) and f.max_length
}


def _completed(closing: list[tuple[str, Result]]) -> list[AuditEvent]:
    """The open rows of these requests, completed with their results (each request once).

    Read and filled in before the chain is locked: the lock is SQLite's one write lock,
    which the next request's opening row waits for, so it is held only to seal.
    """
    ids = [request_id for request_id, _ in closing]
    # Neither purged nor already sealed by an earlier delivery of the same request.
    open_rows = {str(e.request_id): e for e in AuditEvent.objects.filter(request_id__in=ids, chain_seq__isnull=True).order_by()}
    level = privacy()
    completed = []
    for request_id, result in closing:
        event = open_rows.pop(request_id, None)
        if event is None:
            continue
        for name in Result.__dataclass_fields__:
            value = getattr(result, name)
            if isinstance(value, str) and (limit := _LIMITS.get(name)):
                value = value[:limit]  # each column's own size: a kept prompt is a TextField, never cut
            setattr(event, name, value)
        event.completed_at = timezone.now()
        if event.total_ms is None:
            event.total_ms = int((event.completed_at - event.created_at).total_seconds() * 1000)
        _as_recorded(event, level)
        completed.append(event)
    return completed


def _seal(completed: list[AuditEvent]) -> None:
    """Seal completed rows onto the chain, in this order; a row sealed meanwhile (by another
    delivery of its request) is left as it is."""
    if not completed:
        return
    # On SQLite the transaction is IMMEDIATE, elsewhere the head's row lock serialises
    # sealers, so two rows never take the same place on the chain.
    with transaction.atomic():
        seq, last = start = _chain_head()
        for event in completed:
            event.chain_seq, event.prev_hash = seq + 1, last
            event.row_hash = event.compute_hash(last)
            if _seal_row.run([[getattr(event, name) for name in _CLOSING_FIELDS] + [event.pk]]):
                seq, last = event.chain_seq, event.row_hash
        if (seq, last) != start:
            _move_head.run([[seq, last]])


def _chain_head() -> tuple[int, str]:
    """The chain's last sealed row (seq, hash), locked until the transaction ends."""
    connection = transaction.get_connection()
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {q('seq')}, {q('hash')} FROM {q(ChainHead._meta.db_table)} WHERE {q('id')} = 1{lock}")  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        return head.seq, head.hash
    return int(row[0]), str(row[1])


_close_rows = _GroupCommit("hearth-audit-seal", _seal_closed)

# What closing a row writes: the request's outcome, and what its privacy level rewrote.
_CLOSING_FIELDS = [*Result.__dataclass_fields__, "completed_at", "device_name", "model_requested", "chain_seq", "prev_hash", "row_hash"]
# Only a row still open: one that another delivery of its request sealed meanwhile stays as it is.
_seal_row = _Statement(AuditEvent, _CLOSING_FIELDS, where="{id} = %s AND {chain_seq} IS NULL")
_move_head = _Statement(ChainHead, ["seq", "hash"], where="{id} = 1")


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_bad: AuditEvent | None
    problem: str = ""


def verify_chain(after_seq: int = 0, after_hash: str = "0" * 64) -> ChainReport:
    """Recompute the audit chain; return the first row that does not match.

    After old rows were purged, verify from the checkpoint the purge left: the seq and
    hash of the last purged row, which the first kept row must link to.
    """
    prev, expected_seq, checked = after_hash, after_seq + 1, 0
    rows = AuditEvent.objects.filter(chain_seq__isnull=False, chain_seq__gt=after_seq)
    for event in rows.order_by("chain_seq").iterator(chunk_size=2000):
        if event.chain_seq != expected_seq:
            return ChainReport(checked, event, f"row {expected_seq} of the chain is missing")
        if event.prev_hash != prev:
            return ChainReport(checked, event, "its link to the previous row does not match")
        if event.compute_hash(prev) != event.row_hash:
            return ChainReport(checked, event, "its content does not match its hash")
        prev, expected_seq, checked = event.row_hash, expected_seq + 1, checked + 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
        return ChainReport(checked, None, "rows at the end of the chain are missing")
    return ChainReport(checked, None)


def purge_expired_prompts() -> int:
    """Forget prompt texts whose retention period has ended, in batches."""
    total = 0
    while True:
        ids = list(AuditEvent.objects.filter(prompt_expires_at__lt=timezone.now()).values_list("pk", flat=True)[:500])
        if not ids:
            return total
        total += AuditEvent.objects.filter(pk__in=ids).update(prompt_text="", prompt_expires_at=None)


def spent_outside_home_this_month(device_id: int, zone: dt.tzinfo) -> Decimal:
    """Return what a device's requests cost outside the home since the month began on the household's clock."""
    start = timezone.localtime(timezone=zone).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    rows = AuditEvent.objects.filter(device_id=device_id, created_at__gte=start).exclude(tier__in=["home", ""])
    return rows.aggregate(total=models.Sum("cost"))["total"] or Decimal(0)


def seal_abandoned(older_than: timedelta) -> int:
    """Close rows of requests that never completed (their worker and retries are gone)."""
    cutoff = timezone.now() - older_than
    ids = list(AuditEvent.objects.filter(outcome=Outcome.PENDING, created_at__lt=cutoff).values_list("request_id", flat=True)[:500])
    for request_id in ids:
        close_audit(str(request_id), Result(Outcome.ABANDONED, reason="the request never completed"))
    return len(ids)


HOME_PROVIDERS = {"chat": "home", "embeddings": "home-embeddings"}  # the home engine's roles (appliance.store.active)


def home_provider_name(role: str) -> str:
    """Return the name of the provider row of the home engine in a role."""
    return HOME_PROVIDERS[role]


def ensure_home_provider(**_: Any) -> None:
    """Create or update the provider rows of the home engine from the settings and the store's choices:
    the chat model's, always; the embeddings model's, enabled while one is chosen."""
    url = f"http://{settings.HEARTH_HOME_HOST}:{settings.HEARTH_HOME_PORT}/v1"
    # llama.cpp's server runs no image encoder and ignores tool_choice=required; a vision
    # model on vLLM is marked as one in the admin.
    forces = settings.HEARTH_HOME_ENGINE == "vllm"
    provider = Provider.objects.get_or_create(
        name=HOME_PROVIDERS["chat"],
        defaults={
            "family": Family.OPENAI,
            "tier": "home",
            "base_url": url,
            "model_names": [settings.HEARTH_HOME_MODEL_NAME],  # and the catalogue's name, below
            "jurisdiction": "home",
            "zero_data_retention": True,
            "quality": 5,
            "first_byte_timeout": int(settings.HEARTH_FIRST_BYTE_TIMEOUT),
            "takes_images": False,
            "forces_tool_calls": forces,
        },
    )[0]
    embeddings = home_embeddings_caps()
    caps, quality, entry, vision = home_model_caps(makes_embeddings=embeddings is None)
    # A device may ask for the served model by the engine's alias or by its catalogue name.
    names = [settings.HEARTH_HOME_MODEL_NAME] + ([entry] if entry != settings.HEARTH_HOME_MODEL_NAME else [])
    if provider.base_url != url or provider.model_names != names or provider.forces_tool_calls != forces:
        provider.base_url = url
        provider.model_names = names
        provider.forces_tool_calls = forces
        provider.save(update_fields=["base_url", "model_names", "forces_tool_calls"])
    # Images go home when the store's chosen model sees them and vLLM serves it (llama.cpp's server
    # runs no image encoder); a model the setting names is marked by hand in the admin.
    if vision is not None and provider.takes_images != vision:
        provider.takes_images = vision
        provider.save(update_fields=["takes_images"])
    if (provider.model_caps, provider.quality) != (caps, quality):
        provider.model_caps, provider.quality = caps, quality
        provider.save(update_fields=["model_caps", "quality"])
    _ensure_home_embeddings(embeddings)


def _ensure_home_embeddings(embeddings: tuple[str, dict[str, Any]] | None) -> None:
    """Keep the embeddings engine's provider row in step with the store: enabled with its model while one is chosen."""
    name = HOME_PROVIDERS["embeddings"]
    if embeddings is None:
        for stale in Provider.objects.filter(name=name, enabled=True):  # saved, so the router reads the change at once
            stale.enabled = False
            stale.save(update_fields=["enabled"])
        return
    model, caps = embeddings
    wanted = {
        "family": Family.OPENAI, "tier": "home", "enabled": True,
        "base_url": f"http://{settings.HEARTH_HOME_HOST}:{settings.HEARTH_HOME_EMBEDDINGS_PORT}/v1",
        "model_names": [model], "model_caps": {model: caps}, "jurisdiction": "home", "zero_data_retention": True,
        "quality": 5, "first_byte_timeout": int(settings.HEARTH_FIRST_BYTE_TIMEOUT), "takes_images": False,
        "forces_tool_calls": False,
    }  # fmt: skip
    provider, created = Provider.objects.get_or_create(name=name, defaults=wanted)
    changed = [field for field, value in wanted.items() if getattr(provider, field) != value]
    if changed and not created:
        for field in changed:
            setattr(provider, field, wanted[field])
        provider.save(update_fields=changed)


def home_embeddings_caps() -> tuple[str, dict[str, Any]] | None:
    """Return the home embeddings model's name and capabilities as the router reads them, or None when none is chosen."""
    from appliance.store import active, catalogue
    from appliance.store.fetch import FetchError

    try:
        chosen = active.chosen(catalogue.load(), active.EMBEDDINGS)
    except (FetchError, catalogue.CatalogueError, KeyError, ValueError):
        return None  # the engine does not start it either (appliance.engine): the chat model makes embeddings
    if chosen is None:
        return None
    return chosen.entry, {"context": chosen.context, "makes": [Kind.EMBEDDING.value]}


def home_model_caps(makes_embeddings: bool = True) -> tuple[dict[str, Any], int, str, bool | None]:
    """Return what the home engine's model can do, as the router reads it (its context and its
    quality per task, from the store's catalogue; embeddings too unless a model of their own makes
    them), its one quality (for chat), its catalogue name, and whether it takes images (None: the
    store chose no model, so the admin's mark stands)."""
    from appliance.store import active, catalogue
    from appliance.store.fetch import FetchError

    models = catalogue.load()
    try:
        chosen = active.chosen(models)
    except (FetchError, catalogue.CatalogueError, KeyError, ValueError):
        chosen = None  # the engine serves the shipped model then (appliance.engine)
    entry = models.get(chosen.entry) if chosen is not None else models.bundled()
    context = chosen.context if chosen is not None else min(entry.context_length, settings.HEARTH_HOME_CONTEXT)
    quality = dict(entry.quality)
    caps: dict[str, Any] = {"context": context, "quality": quality}
    if not makes_embeddings:
        caps["makes"] = [Kind.CHAT.value, Kind.COMPLETION.value]
    vision = None if chosen is None else ("vision" in entry.capabilities and settings.HEARTH_HOME_ENGINE == "vllm")
    return dict.fromkeys({settings.HEARTH_HOME_MODEL_NAME, entry.name}, caps), quality.get("chat", 5), entry.name, vision
