"""The household audit log: filters, export, retention with a verifiable chain, privacy levels."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from appliance.models import AuditCheckpoint, Household
from gateway import audit
from gateway.choices import Outcome
from gateway.models import AuditEvent
from gateway.services import Result, close_audit, verify_chain


def sealed(device: str = "tv", days_ago: int = 0, **result: Any) -> AuditEvent:
    request_id = str(uuid.uuid4())
    AuditEvent.objects.create(
        request_id=request_id, created_at=timezone.now() - timedelta(days=days_ago), device_name=device, kind="chat", model_requested="m"
    )
    close_audit(request_id, Result(result.pop("outcome", Outcome.OK), **result))
    return AuditEvent.objects.get(request_id=request_id)


def table(client: Client, **query: str) -> str:
    """Return the rows part of the audit page (the filters list every device too)."""
    return client.get("/audit/", query).content.decode().split('id="audit-table"')[1].split("</table>")[0]


def test_the_log_filters_by_tier_provider_label_and_search(owner_client: Client) -> None:
    sealed("tv", tier="home", provider_name="home", labels=[("children", 0.9)])
    sealed("laptop", tier="cloud", provider_name="openai-x", labels=[("general", 0.8)], explanation="generic question")
    assert ">laptop<" in table(owner_client, tier="cloud") and ">tv<" not in table(owner_client, tier="cloud")
    assert ">tv<" in table(owner_client, label="children") and ">laptop<" not in table(owner_client, label="children")
    assert ">laptop<" in table(owner_client, q="generic") and ">tv<" not in table(owner_client, q="generic")
    assert ">tv<" not in table(owner_client, provider="openai-x")
    assert ">tv<" in table(owner_client, device="tv") and ">laptop<" not in table(owner_client, device="tv")


def test_a_row_shows_its_redaction_counts_timings_and_cost(owner_client: Client) -> None:
    row = sealed(
        "tv", tier="trusted", provider_name="eu", redactions={"email": 2, "iban": 1}, ttft_ms=120, prompt_tokens=30, completion_tokens=9
    )
    body = owner_client.get(f"/audit/{row.pk}/").content.decode()
    assert "email ×2" in body and "iban ×1" in body and "120 ms" in body and "30 in" in body


def test_the_log_exports_as_csv_and_json(owner_client: Client) -> None:
    sealed("=cmd|calc", tier="home", redactions={"email": 1})
    rows = json.loads(b"".join(owner_client.get("/audit/export.json").streaming_content))
    assert rows[0]["redactions"] == {"email": 1} and rows[0]["tier"] == "home"
    text = b"".join(owner_client.get("/audit/export.csv").streaming_content).decode()
    [record] = list(csv.DictReader(io.StringIO(text)))
    assert record["device_name"] == "'=cmd|calc"  # a spreadsheet does not run it


def test_old_rows_are_purged_in_batches_and_the_chain_still_verifies(db: None, owner: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(audit, "BATCH", 2)
    for _ in range(5):
        sealed(days_ago=40)
    kept = [sealed(days_ago=1) for _ in range(2)]
    Household.objects.filter(pk=1).update(audit_retention_days=30)
    assert audit.purge_old_rows() == 5
    assert AuditEvent.objects.count() == 2 and AuditCheckpoint.objects.count() == 3
    report = audit.verify()
    assert report.problem == "" and report.checked == 2
    assert "missing" in verify_chain().problem  # without the checkpoint the gap shows
    AuditEvent.objects.filter(pk=kept[0].pk).update(tier="cloud")
    assert "does not match" in audit.verify().problem


def test_nothing_is_purged_while_retention_is_forever(db: None, owner: Any) -> None:
    sealed(days_ago=4000)
    assert audit.purge_old_rows() == 0


def test_the_chain_checkpoint_downloads_with_the_head(owner_client: Client) -> None:
    row = sealed()
    data = json.loads(owner_client.get("/audit/checkpoint/").content)
    assert data["seq"] == row.chain_seq and data["hash"] == row.row_hash


def test_without_device_names_the_log_hides_them(owner_client: Client) -> None:
    sealed("kids-tablet", tier="home")
    Household.objects.filter(pk=1).update(privacy="no_names")
    assert "kids-tablet" not in owner_client.get("/audit/").content.decode()
    assert "kids-tablet" not in json.dumps(json.loads(b"".join(owner_client.get("/audit/export.json").streaming_content)))


def test_counts_only_shows_no_rows(owner_client: Client) -> None:
    sealed("kids-tablet", tier="home")
    Household.objects.filter(pk=1).update(privacy="counts")
    body = owner_client.get("/audit/").content.decode()
    assert "kids-tablet" not in body and "1 requests" in body


def test_the_console_verifies_from_the_purge_checkpoint_as_the_page_does(db: None, owner: Any) -> None:
    for _ in range(3):
        sealed(days_ago=40)
    sealed(days_ago=1)
    Household.objects.filter(pk=1).update(audit_retention_days=30)
    assert audit.purge_old_rows() == 3
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact: 1 row match" in out.getvalue()
