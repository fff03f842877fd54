"""The household audit log: finding rows, exporting them, retention, verifying the chain."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from appliance.models import AuditCheckpoint, Household, Privacy

from .models import AuditEvent, ChainHead
from .services import ChainReport, verify_chain

BATCH = 500


@dataclass(frozen=True)
class AuditFilter:
    device: str = ""
    tier: str = ""
    provider: str = ""
    label: str = ""
    outcome: str = ""
    since: date | None = None
    until: date | None = None
    search: str = ""


def find(f: AuditFilter) -> QuerySet[AuditEvent]:
    """Return the audit rows matching a filter, newest first."""
    rows = AuditEvent.objects.all()
    if f.device:
        rows = rows.filter(device_name=f.device)
    if f.tier:
        rows = rows.filter(tier=f.tier)
    if f.provider:
        rows = rows.filter(provider_name=f.provider)
    if f.outcome:
        rows = rows.filter(outcome=f.outcome)
    if f.label:
        # Labels are stored as [name, confidence] pairs; match the quoted name in the JSON text.
        rows = rows.annotate(labels_text=Cast("labels", TextField())).filter(labels_text__contains=json.dumps(f.label))
    if f.since:
        rows = rows.filter(created_at__gte=timezone.make_aware(datetime.combine(f.since, time.min)))
    if f.until:
        rows = rows.filter(created_at__lt=timezone.make_aware(datetime.combine(f.until + timedelta(days=1), time.min)))
    if f.search:
        s = f.search
        rows = rows.filter(
            Q(device_name__icontains=s)
            | Q(provider_name__icontains=s)
            | Q(model_used__icontains=s)
            | Q(model_requested__icontains=s)
            | Q(reason__icontains=s)
            | Q(explanation__icontains=s)
            | Q(rule__icontains=s)
        )
    return rows.order_by("-created_at")


def choices() -> dict[str, list[str]]:
    """Return the values the filters can take, from the rows there are."""
    rows = AuditEvent.objects.all()
    labels: set[str] = set()
    for row in rows.exclude(labels=[]).values_list("labels", flat=True)[:2000]:
        labels.update(str(pair[0]) for pair in row if pair)
    return {
        "devices": sorted(set(rows.values_list("device_name", flat=True))),
        "providers": sorted(set(rows.exclude(provider_name="").values_list("provider_name", flat=True))),
        "labels": sorted(labels),
    }


def privacy() -> str:
    household = Household.objects.filter(pk=1).first()
    return household.privacy if household else Privacy.FULL


EXPORT_FIELDS = (
    "request_id", "created_at", "device_name", "kind", "model_requested", "tier", "provider_name", "model_used",
    "outcome", "reason", "rule", "explanation", "ttft_ms", "total_ms", "prompt_tokens", "completion_tokens", "cost",
    "labels", "redactions", "people", "faces", "screening_failed", "chain_seq", "row_hash",
)  # fmt: skip


def export_record(row: AuditEvent, level: str) -> dict[str, Any]:
    """Return one row as plain data, as the household's privacy level lets it be shown."""
    record: dict[str, Any] = {}
    for name in EXPORT_FIELDS:
        value = getattr(row, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, Decimal) or name == "request_id":
            value = str(value)
        record[name] = value
    if level != Privacy.FULL:
        record["device_name"] = ""
    return record


def summary(rows: QuerySet[AuditEvent]) -> dict[str, Any]:
    """Return the counts the 'counts only' level shows instead of rows."""
    return {
        "total": rows.count(),
        "by_tier": list(rows.values("tier").annotate(n=Count("id")).order_by("tier")),
        "by_outcome": list(rows.values("outcome").annotate(n=Count("id")).order_by("outcome")),
        "cost": rows.aggregate(total=Sum("cost"))["total"] or Decimal(0),
    }


def export_json(rows: QuerySet[AuditEvent], level: str) -> Iterator[str]:
    """Yield the rows as one JSON array, streamed."""
    if level == Privacy.COUNTS_ONLY:
        s = summary(rows)
        yield json.dumps({**s, "cost": str(s["cost"])}, indent=1)
        return
    yield "["
    for i, row in enumerate(rows.iterator(chunk_size=BATCH)):
        yield ("," if i else "") + "\n" + json.dumps(export_record(row, level))
    yield "\n]\n"


def export_csv(rows: QuerySet[AuditEvent], level: str) -> Iterator[str]:
    """Yield the rows as CSV, streamed; cells a spreadsheet would run as formulas are defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    if level == Privacy.COUNTS_ONLY:
        writer.writerow(["tier", "requests"])
        for entry in summary(rows)["by_tier"]:
            writer.writerow([entry["tier"] or "none", entry["n"]])
        yield flush()
        return
    writer.writerow(EXPORT_FIELDS)
    yield flush()
    for row in rows.iterator(chunk_size=BATCH):
        record = export_record(row, level)
        cells = [json.dumps(v) if isinstance(v, list | dict) else ("" if v is None else str(v)) for v in record.values()]
        writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in cells])
        yield flush()


def update_settings(retention_days: int, level: str) -> None:
    Household.objects.filter(pk=1).update(audit_retention_days=retention_days, privacy=level)


def purge_old_rows(now: datetime | None = None) -> int:
    """Delete sealed rows older than the retention period, oldest first, in batches.

    Only a prefix of the chain is deleted, and each batch leaves a checkpoint (the seq and
    hash of its last row), so the chain stays verifiable from there.
    """
    household = Household.objects.filter(pk=1).first()
    if household is None or household.audit_retention_days == 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=household.audit_retention_days)
    sealed = AuditEvent.objects.filter(chain_seq__isnull=False)
    first_kept = sealed.filter(created_at__gte=cutoff).order_by("chain_seq").values_list("chain_seq", flat=True).first()
    total = 0
    while True:
        # One short transaction per batch: the workers sealing new rows wait milliseconds, not minutes.
        with transaction.atomic():
            batch = sealed.order_by("chain_seq")
            if first_kept is not None:
                batch = batch.filter(chain_seq__lt=first_kept)
            rows = list(batch.values_list("pk", "chain_seq", "row_hash")[:BATCH])
            if not rows:
                return total
            _, last_seq, last_hash = rows[-1]
            assert last_seq is not None  # only sealed rows were selected
            AuditEvent.objects.filter(pk__in=[pk for pk, _, _ in rows]).delete()
            AuditCheckpoint.objects.create(seq=last_seq, hash=last_hash, purged=len(rows))
            total += len(rows)


def checkpoint() -> AuditCheckpoint | None:
    """Return the latest purge checkpoint, where verification starts."""
    return AuditCheckpoint.objects.order_by("-seq").first()


def verify() -> ChainReport:
    """Verify the chain from the latest purge checkpoint (or from its start)."""
    mark = checkpoint()
    return verify_chain(mark.seq, mark.hash) if mark else verify_chain()


def head_record() -> dict[str, Any]:
    """Return the chain's head, for the owner to keep off the box and compare later."""
    head = ChainHead.objects.filter(pk=1).first()
    mark = checkpoint()
    return {
        "kind": "hearth-audit-chain-checkpoint",
        "taken_at": timezone.now().isoformat(),
        "seq": head.seq if head else 0,
        "hash": head.hash if head else "0" * 64,
        "purged_through": {"seq": mark.seq, "hash": mark.hash} if mark else None,
    }
