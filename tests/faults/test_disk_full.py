"""Fault: the database's disk is full, then space is freed."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import httpx
import pytest
from django.db import connection

from appliance.plumbing.stack import Service
from gateway.capture import CaptureUpstream
from gateway.models import AuditEvent, Provider
from policies.models import HouseholdRule
from tests.conftest import Live, PairedDevice, audited
from tests.support.faults import running, start_again
from tests.support.web import Web, web_process

pytestmark = pytest.mark.django_db(transaction=True)
PAGES_PER_MB = 256  # SQLite's default page of 4 KiB, as settings' HEARTH_DB_MAX_MB counts


def pages() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        return int(cursor.fetchone()[0])


@pytest.fixture(autouse=True)
def rule_lets_the_cloud_serve(transactional_db: None) -> None:
    """A request that may leave the house, so that a provider would receive it (the default rule keeps everything home)."""
    HouseholdRule.objects.create(name="Everything up to the device's tier", conditions={}, actions={"max_tier": "cloud"})


@pytest.fixture
def capped(live: Live) -> Iterator[tuple[Web, int]]:
    """A web process whose database may grow by about a megabyte more, and the serving worker
    under the same cap (it seals the rows, which grows them: on a full disk it cannot grow
    the file either, and SQLite lets every connection use what another grew it by); return
    the web process and its cap in pages."""
    cap_mb = math.ceil(pages() / PAGES_PER_MB) + 1
    worker = running(live.stack, "worker-upstream")
    live.stack.stop(worker)  # kept in the stack's list: start_again takes it out and starts it as it was
    capped_worker = live.stack.start(
        Service(worker.name, worker.argv, worker.ready, worker.ready_seconds, env={**worker.env, "HEARTH_DB_MAX_MB": str(cap_mb)})
    )
    try:
        with web_process(live.stack, "faults-web-capped", HEARTH_DB_MAX_MB=str(cap_mb)) as web:
            yield web, cap_mb * PAGES_PER_MB
    finally:
        live.stack.stop(capped_worker)
        live.stack.services.remove(capped_worker)
        start_again(live.stack, worker)


@pytest.fixture
def ballast() -> Iterator[Callable[[int], None]]:
    """Fill the database up to a number of pages (as other files fill a disk); dropped after, which frees them."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE fault_ballast (data BLOB)")

    def fill(up_to: int) -> None:
        with connection.cursor() as cursor:
            while pages() < up_to:
                cursor.execute("INSERT INTO fault_ballast (data) VALUES (randomblob(262144))")
            # The workers (not capped) grow the file when an audit row is sealed longer than
            # it was opened, and leave pages free: on a full disk other files take those too.
            for _ in range(10_000):
                cursor.execute("PRAGMA freelist_count")
                if cursor.fetchone()[0] == 0:
                    break
                cursor.execute("INSERT INTO fault_ballast (data) VALUES (randomblob(2048))")
            cursor.execute("PRAGMA freelist_count")
            assert cursor.fetchone()[0] == 0, "the database still has free pages"

    yield fill
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS fault_ballast")


def chat(web: Web, key: str) -> httpx.Response:
    body = {"model": "cloudy-model", "messages": [{"role": "user", "content": "hello there"}], "max_tokens": 5}
    return httpx.post(f"{web.url}/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=60)


@pytest.mark.fault(
    "disk full on the data folder",
    tried="the database filled to its last page under a web process and the serving worker (SQLite"
    " max_page_count); cloud requests sent until refused and after; then space freed and the same request sent again",
    only="sqlite",
    why="PostgreSQL has no size cap short of a root-mounted tablespace, and a full disk under its WAL stops"
    " the server itself; its DiskFull is an OperationalError, mapped to the same 503",
)
def test_with_the_disk_full_requests_get_503_nothing_is_sent_unrecorded_and_they_succeed_once_space_is_freed(
    capped: tuple[Web, int],
    ballast: Callable[[int], None],
    make_device: Callable[..., PairedDevice],
    make_provider: Callable[..., Provider],
    capture: CaptureUpstream,
) -> None:
    web, cap = capped
    phone = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud")
    first = chat(web, phone.key)
    assert first.status_code == 200, first.text

    ballast(cap)
    # Rows still fit in the audit table's last pages for a while, as on a real disk; then none does.
    answers = [chat(web, phone.key) for _ in range(3)]
    for _ in range(40):
        if answers[-1].status_code != 200:
            break
        ballast(cap)
        answers.append(chat(web, phone.key))
    refused = answers[-1]
    answers += [chat(web, phone.key) for _ in range(2)]
    served = sum(a.status_code == 200 for a in answers)

    assert refused.status_code == 503, refused.text
    assert refused.json()["error"]["code"] == "audit_unavailable" and refused.json()["error"]["type"] == "service_unavailable"
    assert int(refused.headers["retry-after"]) > 0
    assert all(a.status_code == 200 or a.json()["error"]["code"] == "audit_unavailable" for a in answers)
    assert answers[-2].status_code == answers[-1].status_code == 503
    # A request refused at the door was sent nowhere; one whose answer could not be sealed
    # was sent, and its row (opened before it was) says so: nothing reached the provider unrecorded.
    assert AuditEvent.objects.filter(device=phone.device).count() == len(capture.requests), "sent without its audit row"

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE fault_ballast")  # space freed
    sent = len(capture.requests)
    again = chat(web, phone.key)
    assert again.status_code == 200, again.text
    assert len(capture.requests) == sent + 1
    audited(phone.device, 2 + served)  # every answer a client received has its sealed row
    assert AuditEvent.objects.filter(device=phone.device, outcome="ok").count() == 2 + served
    assert AuditEvent.objects.filter(device=phone.device).count() == sent + 1  # no row for a request refused at the door
