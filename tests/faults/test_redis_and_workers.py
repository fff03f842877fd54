"""Faults: Redis restarted under a streaming answer or stopped for a while; a serving worker
or the classify worker killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest

from gateway.capture import CaptureUpstream
from gateway.models import Provider
from policies.models import HouseholdRule
from tests.conftest import Live, PairedDevice, audited
from tests.support import faults

pytestmark = pytest.mark.django_db(transaction=True)
BOX = ("web", "worker-classify", "worker-home", "worker-upstream")


@pytest.fixture(autouse=True)
def rule_lets_the_cloud_serve(transactional_db: None) -> None:
    HouseholdRule.objects.create(name="Everything up to the device's tier", conditions={}, actions={"max_tier": "cloud"})


@contextmanager
def _stream(live: Live, key: str) -> Iterator[httpx.Response]:
    body = {"model": "hearth-auto", "messages": [{"role": "user", "content": "count slowly"}], "max_tokens": 50, "stream": True}
    with (
        httpx.Client(timeout=60) as client,
        client.stream("POST", f"{live.api}/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"}) as response,
    ):
        yield response


def _after_chunks(response: httpx.Response, count: int) -> Iterator[str]:
    """The stream's remaining lines, once `count` chunks have arrived (the answer is under way)."""
    lines = response.iter_lines()
    seen = 0
    for line in lines:
        seen += line.startswith("data: {")
        if seen == count:
            break
    return lines


def _chat(live: Live, key: str) -> httpx.Response:
    body = {"model": "hearth-auto", "messages": [{"role": "user", "content": "Name a colour."}], "max_tokens": 4}
    return httpx.post(f"{live.api}/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=60)


def _alive(live: Live) -> list[str]:
    return [s.name for s in live.stack.services if s.name in BOX and s.process is not None and s.process.poll() is None]


def _cloud(make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider]) -> PairedDevice:
    phone = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud", quality=10)
    Provider.objects.filter(name="home").update(enabled=False)
    return phone


@pytest.mark.fault(
    "Redis restarted mid-stream",
    tried="a streamed answer is relayed; Redis is restarted (SIGTERM, start): the stream ends with an error event, the audit row "
    "says interrupted with the provider it reached, no process exits, the next requests are answered",
)
def test_a_redis_restart_mid_stream_ends_the_stream_with_an_error_and_nothing_exits(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = _cloud(make_device, make_provider)
    capture.reset(chunks=[f"part{i} " for i in range(40)], chunk_delay=0.25)
    before = sorted(_alive(live))
    with _stream(live, phone.key) as response:
        assert response.status_code == 200
        lines = _after_chunks(response, 3)
        faults.restart(live.stack, "redis")
        rest = [json.loads(line[6:]) for line in lines if line.startswith("data: {")]
    errors = [e["error"] for e in rest if "error" in e]
    assert [e["code"] for e in errors] == ["broker_unavailable"], "the stream ends with an explicit error, not a silent cut"  # type: ignore[index]
    [event] = audited(phone.device, timeout=30)
    assert (event.outcome, event.tier, event.provider_name) == ("interrupted", "cloud", "cloudy")
    assert sorted(_alive(live)) == before, "no process exited"
    started = time.monotonic()
    answered = faults.wait_until(lambda: _chat(live, phone.key).status_code == 200, timeout=30, every=0.5)
    assert answered, "requests are answered again after Redis is back"
    recovered = time.monotonic() - started
    assert all(_chat(live, phone.key).status_code == 200 for _ in range(5)), "no stale connection fails a later request"
    assert recovered < 15


@pytest.mark.fault(
    "Redis stopped for a while",
    tried="requests while Redis is down get 503 with Retry-After in the OpenAI shape, and nothing is sent; once it is back they are answered",
)
def test_while_redis_is_away_the_api_answers_503_and_recovers_when_it_returns(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = _cloud(make_device, make_provider)
    assert _chat(live, phone.key).status_code == 200
    capture.reset()
    with faults.stopped(live.stack, "redis"):
        refused = _chat(live, phone.key)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
        assert refused.json()["error"]["code"] == "broker_unavailable"
        assert capture.requests == []
    assert faults.wait_until(lambda: _chat(live, phone.key).status_code == 200, timeout=30, every=0.5)
    assert len(capture.requests) == 1


@pytest.mark.fault(
    "kill -9 of the serving worker mid-stream",
    tried="the upstream worker is killed while it streams: the client hears worker_lost within seconds (the lease is the "
    "heartbeat), the provider was asked once, the audit row names the provider reached",
)
def test_a_serving_worker_killed_mid_stream_is_noticed_in_seconds(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = _cloud(make_device, make_provider)
    capture.reset(chunks=[f"part{i} " for i in range(40)], chunk_delay=0.25)
    lease = float(live.stack.child_env()["HEARTH_LEASE_SECONDS"])
    dead = None
    try:
        with _stream(live, phone.key) as response:
            lines = _after_chunks(response, 3)
            dead = faults.kill9(live.stack, "worker-upstream")
            killed = time.monotonic()
            rest = [json.loads(line[6:]) for line in lines if line.startswith("data: {")]
            heard = time.monotonic() - killed
    finally:
        if dead is not None:
            faults.start_again(live.stack, dead)
    assert [e["error"]["code"] for e in rest if "error" in e] == ["worker_lost"]  # type: ignore[index]
    assert heard < 2 * lease + 3, f"heard of it {heard:.1f} s after the kill"
    assert len(capture.requests) == 1, "the provider was not asked again"
    [event] = audited(phone.device, timeout=20)
    assert (event.outcome, event.tier, event.provider_name) == ("interrupted", "cloud", "cloudy")


@pytest.mark.fault(
    "kill -9 of the classify worker between requests",
    tried="with the classify worker dead, a request is kept home after the screening wait (fails closed, nothing leaves); "
    "restarted, it screens again",
)
def test_with_the_classify_worker_killed_a_request_stays_home_and_screening_resumes_after_restart(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud", quality=10)
    dead = faults.kill9(live.stack, "worker-classify")
    try:
        response = _chat(live, phone.key)
        assert response.status_code == 200 and response.headers["x-hearth-tier"] == "home"
        assert capture.requests == [], "nothing left the house unscreened"
    finally:
        faults.start_again(live.stack, dead)
    [event] = audited(phone.device, timeout=20)
    assert event.screening_failed == "screening did not finish in time"
    again = _chat(live, phone.key)
    assert again.status_code == 200
    _, row = audited(phone.device, 2, timeout=20)
    assert row.screening_failed == ""


@pytest.mark.fault(
    "a poison request (its worker dies every time)",
    tried="a screening task whose worker is killed with SIGKILL at each delivery (the first time leaving the hand-back "
    "lock held, as a worker killed while restoring does): after HEARTH_MAX_DELIVERIES it is "
    "dead-lettered (the client hears request_dead_lettered, the audit row says so), not retried forever",
)
def test_a_request_whose_worker_dies_at_every_delivery_is_dead_lettered(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    import redis as redis_client
    from asgiref.sync import async_to_sync

    from appliance.plumbing import broker
    from gateway import relay, schema, services, tasks
    from gateway.choices import Kind
    from gateway.envelope import DeviceFacts, Envelope

    phone = make_device(max_tier="cloud")
    stack = live.stack
    r = redis_client.Redis.from_url(stack.redis_url, socket_timeout=None)
    # Screening that takes seconds (a long prompt, a long budget), so each delivery can be killed in the middle of it.
    victim = stack.worker("poison", "threads", 1)
    victim.env.update(HEARTH_CLASSIFY_BUDGET="60")
    request_id = async_to_sync(services.open_audit)(phone.device, Kind.CHAT, "hearth-auto", False, ["home", "trusted", "cloud"])
    prompt = "Plan a quiet weekend walk by the river with a picnic and a book. " * 3000
    api = schema.chat_request({"model": "hearth-auto", "messages": [{"role": "user", "content": prompt}]})
    envelope = Envelope.of(DeviceFacts(phone.device.pk, phone.device.name, phone.device.category, "cloud"), api, {})
    envelope = Envelope(**{**envelope.__dict__, "request_id": request_id})
    broker.send(tasks.screen_request, (envelope.to_json(),), "poison", f"({request_id!r}, …)")
    counted = f"hearth:req:{request_id}:deliveries:screening"  # gateway.deadletter counts each redelivery

    def delivered() -> bool:  # in kombu's unacked hash: a worker has it now
        return any(request_id.encode() in raw for raw in r.hvals("unacked"))

    service = stack.start(victim)
    deliveries = 0
    try:
        while not r.llen(relay.out_key(request_id)):
            if deliveries == 0:
                assert faults.wait_until(delivered, timeout=30), "the message was never delivered"
            else:
                # Taken again: the redelivered copy counted itself as it started.
                def again(n: int = deliveries) -> bool:
                    return int(r.get(counted) or 0) >= n or bool(r.llen(relay.out_key(request_id)))

                seen = faults.wait_until(again, 40)
                assert seen, "the message was never delivered again"
                if r.llen(relay.out_key(request_id)):
                    break  # this delivery was set aside
            time.sleep(0.5)  # in the middle of screening it
            if r.llen(relay.out_key(request_id)):
                break  # this delivery was set aside at once
            if deliveries == 0:
                # As a worker killed while it handed lapsed requests back leaves it: the lock held until it expires.
                r.set("unacked_mutex", "a-worker-killed-while-restoring", ex=int(stack.env["HEARTH_UNACKED_MUTEX_SECONDS"]))
            faults.kill9(stack, service.name)
            deliveries += 1
            service = faults.start_again(stack, service)
    finally:
        stack.stop(service)
        stack.services.remove(service)
    [event] = [json.loads(raw) for raw in r.lrange(relay.out_key(request_id), 0, 0)]
    assert (event["type"], event["code"]) == ("error", "request_dead_lettered")
    assert deliveries == 3, "killed at each of HEARTH_MAX_DELIVERIES deliveries, then set aside"
    [row] = audited(phone.device, timeout=20)
    assert row.outcome == "dead_lettered"
    assert capture.requests == []


@pytest.mark.fault(
    "power cut (kill -9 of every process of the box at once)",
    tried="streamed requests in flight; Redis, the web process and every worker killed with SIGKILL together, then started "
    "again: every request whose client saw its end has its sealed row, and the audit chain verifies",
)
def test_after_a_power_cut_every_answer_a_client_saw_end_has_its_sealed_row(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    import threading

    from gateway.models import AuditEvent
    from gateway.services import verify_chain

    phone = _cloud(make_device, make_provider)
    capture.reset(chunks=[f"w{i} " for i in range(20)], chunk_delay=0.1)
    ended: list[str] = []  # request ids whose client read the end of the answer

    def ask() -> None:
        try:
            with _stream(live, phone.key) as response:
                if any(line == "data: [DONE]" for line in response.iter_lines()):
                    ended.append(response.headers["x-request-id"])
        except httpx.HTTPError:
            pass  # cut by the power cut

    askers: list[threading.Thread] = []

    def launch() -> None:
        for _ in range(16):
            askers.append(threading.Thread(target=ask, daemon=True))
            askers[-1].start()
            time.sleep(0.4)

    launcher = threading.Thread(target=launch, daemon=True)
    launcher.start()
    # The cut comes once some answers have ended, while others are mid-answer or not yet sent.
    assert faults.wait_until(lambda: len(ended) >= 3, timeout=60), "no answer ended"
    stack = live.stack
    box = ["redis", *BOX]
    dead = [faults.running(stack, name) for name in box]
    for service in dead:
        os.killpg(service.process.pid, signal.SIGKILL)  # type: ignore[union-attr]
    for service in dead:
        service.process.wait(10)  # type: ignore[union-attr]
    launcher.join(30)
    for asker in askers:
        asker.join(30)
    for service in dead:
        faults.start_again(stack, service)
    assert ended, "some answers ended before the cut"
    sealed = set(AuditEvent.objects.filter(chain_seq__isnull=False).values_list("request_id", flat=True))
    assert {str(r) for r in sealed} >= set(ended), "an answer the client saw end has no sealed row"
    report = verify_chain()
    assert report.first_bad is None and not report.problem, report.problem
    assert _chat(live, phone.key).status_code == 200, "the box answers again"


@pytest.mark.fault(
    "kill -9 of the home worker between requests",
    tried="the home queue's worker killed with SIGKILL; a request the rules keep home waits in its queue and is answered "
    "once the worker is back (as systemd restarts it), asked of the engine once",
)
def test_a_request_queued_while_the_home_worker_is_dead_is_answered_when_it_returns(
    live: Live, make_device: Callable[..., PairedDevice]
) -> None:
    import threading

    HouseholdRule.objects.all().delete()  # the default rule: everything stays home
    laptop = make_device(max_tier="cloud")
    dead = faults.kill9(live.stack, "worker-home")
    answers: list[httpx.Response] = []
    asker = threading.Thread(target=lambda: answers.append(_chat(live, laptop.key)), daemon=True)
    try:
        asker.start()
        time.sleep(2)  # queued on home, nobody to take it
        assert not answers, "answered with no home worker"
    finally:
        faults.start_again(live.stack, dead)
    asker.join(60)
    [response] = answers
    assert response.status_code == 200 and response.headers["x-hearth-tier"] == "home"
    [row] = audited(laptop.device, timeout=20)
    assert (row.outcome, row.tier, row.provider_name) == ("ok", "home", "home")
