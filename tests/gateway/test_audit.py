"""The household audit log: hash-chained rows, and `manage.py audit verify`."""

from __future__ import annotations

import io
import threading

import pytest
from asgiref.sync import async_to_sync
from django.core.management import CommandError, call_command

from devices.services import add_device
from gateway import services
from gateway.choices import Kind, Outcome
from gateway.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _rows(n: int) -> list[AuditEvent]:
    device = add_device("speaker", "speaker").device
    for i in range(n):
        request_id = async_to_sync(services.open_audit)(device, Kind.CHAT, "hearth-auto", False, ["home"])
        services.close_audit(request_id, services.Result(Outcome.OK, tier="home", provider_name="home", completion_tokens=i + 1))
    return list(AuditEvent.objects.order_by("chain_seq"))


def test_an_intact_chain_verifies() -> None:
    _rows(5)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact: 5 rows" in out.getvalue()


def test_verify_names_the_first_row_whose_content_was_changed() -> None:
    rows = _rows(5)
    AuditEvent.objects.filter(pk=rows[2].pk).update(tier="cloud")  # someone hides where it went
    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify")
    assert f"row 3 (request {rows[2].request_id})" in str(raised.value)
    assert "content does not match" in str(raised.value)


def test_verify_notices_a_deleted_row() -> None:
    rows = _rows(4)
    AuditEvent.objects.filter(pk=rows[1].pk).delete()
    report = services.verify_chain()
    assert report.first_bad is not None and report.first_bad.chain_seq == 3
    assert "row 2 of the chain is missing" in report.problem


def test_verify_notices_rows_cut_from_the_end() -> None:
    rows = _rows(3)
    AuditEvent.objects.filter(pk=rows[2].pk).delete()
    assert "end of the chain" in services.verify_chain().problem


def test_a_row_is_sealed_once_even_if_closed_twice() -> None:
    [row] = _rows(1)
    services.close_audit(str(row.request_id), services.Result(Outcome.INTERRUPTED))
    row.refresh_from_db()
    assert row.outcome == "ok" and services.verify_chain().problem == ""


def test_rows_closing_together_are_sealed_in_one_commit_each_once() -> None:
    """The sealer thread writes the rows that close at the same time in one transaction; two
    deliveries of one request closing in the same batch still seal it once."""
    device = add_device("speaker", "speaker").device
    ids = [async_to_sync(services.open_audit)(device, Kind.CHAT, "hearth-auto", False, ["home"]) for _ in range(3)]
    closing = [(ids[0], Outcome.OK), (ids[1], Outcome.OK), (ids[0], Outcome.INTERRUPTED), (ids[2], Outcome.CANCELLED)]
    services._seal_closed([(request_id, services.Result(outcome)) for request_id, outcome in closing])
    rows = list(AuditEvent.objects.order_by("chain_seq"))
    assert [(str(r.request_id), r.outcome, r.chain_seq) for r in rows] == [
        (ids[0], "ok", 1),
        (ids[1], "ok", 2),
        (ids[2], "cancelled", 3),
    ]
    assert services.verify_chain() == services.ChainReport(3, None)


def test_a_row_sealed_while_another_delivery_was_completing_it_is_sealed_once() -> None:
    """Rows are read and completed before the chain is locked; a row that another delivery
    of its request sealed in that moment keeps that seal, and the chain stays whole."""
    device = add_device("speaker", "speaker").device
    request_id = async_to_sync(services.open_audit)(device, Kind.CHAT, "hearth-auto", False, ["home"])
    late = services._completed([(request_id, services.Result(Outcome.INTERRUPTED))])
    services.close_audit(request_id, services.Result(Outcome.OK, tier="home", provider_name="home"))
    services._seal(late)
    [row] = AuditEvent.objects.all()
    assert (row.outcome, row.chain_seq) == ("ok", 1)
    assert services.verify_chain() == services.ChainReport(1, None)
    # The chain goes on from there.
    following = async_to_sync(services.open_audit)(device, Kind.CHAT, "hearth-auto", False, ["home"])
    services.close_audit(following, services.Result(Outcome.OK, tier="home", provider_name="home"))
    assert services.verify_chain() == services.ChainReport(2, None)


def test_a_kept_prompt_and_a_long_explanation_are_recorded_whole() -> None:
    device = add_device("tablet", "laptop").device
    request_id = async_to_sync(services.open_audit)(device, Kind.CHAT, "hearth-auto", False, ["home"])
    prompt, explanation = "word " * 2000, "stays home: rule 'Kids' devices' matched, " + "x" * 400
    services.close_audit(request_id, services.Result(Outcome.OK, tier="home", prompt_text=prompt, explanation=explanation))
    row = AuditEvent.objects.get(request_id=request_id)
    assert row.prompt_text == prompt and row.explanation == explanation
    call_command("audit", "verify", stdout=io.StringIO())


def test_one_bad_row_fails_only_its_own_request_not_the_batch_it_came_with() -> None:
    written: list[int] = []
    release = threading.Event()

    def write(rows: list[int]) -> None:
        release.wait(5)  # the first commit waits for the disk; the rest queue up behind it
        if -1 in rows:
            raise ValueError("a bad row")
        written.extend(rows)

    commit = services._GroupCommit("test-writer", write)
    first = commit(0)
    rest = [commit(n) for n in (1, 2, -1, 3)]
    release.set()
    first.result(5)
    outcomes = []
    for future in rest:
        try:
            future.result(5)
            outcomes.append("ok")
        except ValueError:
            outcomes.append("failed")
    assert outcomes == ["ok", "ok", "failed", "ok"]
    assert sorted(written) == [0, 1, 2, 3]
