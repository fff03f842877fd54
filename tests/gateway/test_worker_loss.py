"""A worker killed mid-answer: its request is redelivered, and the client never gets text twice."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import redis
from asgiref.sync import async_to_sync

from gateway import handoff, relay, services, tasks
from gateway.capture import CaptureUpstream
from gateway.choices import Kind
from gateway.models import Provider
from tests.conftest import Live, PairedDevice, audited
from tests.support.envelopes import screened

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_request_whose_worker_dies_mid_answer_ends_with_an_error_not_a_repeat(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    phone = make_device(max_tier="cloud")
    provider = make_provider("cloudy", "cloud")
    capture.reset(chunks=[f"part{i} " for i in range(40)], chunk_delay=0.2)
    stack = live.stack
    victim = stack.start(stack.worker("victim", "threads", 2))
    request_id = async_to_sync(services.open_audit)(phone.device, Kind.CHAT, "cloudy-model", True, ["home", "trusted", "cloud"])
    body = {"messages": [{"role": "user", "content": "count"}], "max_tokens": 50, "stream": True}
    envelope = screened(phone.device, request_id, body, [provider.id], queue="victim")
    tasks.serve_request.apply_async(args=(envelope.to_json(),), queue="victim")  # as the classify worker would

    r = redis.Redis.from_url(stack.redis_url, socket_timeout=None)
    seen: list[dict[str, object]] = []
    while sum(e["type"] == "chunk" for e in seen) < 4:
        popped = r.blpop([relay.out_key(request_id)], timeout=20)
        assert popped is not None, "the victim worker never started answering"
        seen.append(json.loads(popped[1]))
    os.killpg(victim.process.pid, signal.SIGKILL)  # type: ignore[union-attr]
    victim.process.wait()  # type: ignore[union-attr]
    stack.start(stack.worker("victim", "threads", 2))  # a fresh worker on the same queue
    while seen[-1]["type"] not in ("end",):
        popped = r.blpop([relay.out_key(request_id)], timeout=40)
        assert popped is not None, "the request was never taken over"
        seen.append(json.loads(popped[1]))

    texts = [json.loads(str(e["data"]))["choices"][0]["delta"].get("content") for e in seen if e["type"] == "chunk"]
    words = [t for t in texts if t]
    assert words == [f"part{i} " for i in range(len(words))], "each piece once, in order"
    errors = [e for e in seen if e["type"] == "error"]
    assert [e["code"] for e in errors] == ["worker_lost"]
    assert len(capture.requests) == 1, "the provider was not asked again"
    [event] = audited(phone.device, timeout=20)
    assert event.outcome == "interrupted"


def test_a_request_whose_audit_row_was_never_written_is_sent_nowhere(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    """The web process writes the audit row while the request is screened; if the row never
    comes (the disk failed), the serving worker must not send anything anywhere."""
    phone = make_device(max_tier="cloud")
    provider = make_provider("cloudy", "cloud")
    request_id = str(uuid.uuid4())  # queued, screened, but no audit row
    body = {"messages": [{"role": "user", "content": "count"}], "max_tokens": 5, "stream": True}
    tasks.serve_request.apply_async(args=(screened(phone.device, request_id, body, [provider.id]).to_json(),), queue="upstream")
    r = redis.Redis.from_url(live.stack.redis_url, socket_timeout=None)
    popped = r.blpop([relay.out_key(request_id)], timeout=30)
    assert popped is not None, "the client heard nothing"
    event = json.loads(popped[1])
    assert (event["type"], event["status"], event["code"]) == ("error", 503, "not_recorded")
    assert capture.requests == []


def test_a_request_whose_audit_row_failed_is_refused_at_once_not_after_a_wait(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    """The web process says so when it could not write the row; the worker does not wait."""
    phone = make_device(max_tier="cloud")
    provider = make_provider("cloudy", "cloud")
    request_id = str(uuid.uuid4())
    handoff.unrecorded(request_id)  # as the web process does when the write failed
    body = {"messages": [{"role": "user", "content": "count"}], "max_tokens": 5, "stream": True}
    started = time.monotonic()
    tasks.serve_request.apply_async(args=(screened(phone.device, request_id, body, [provider.id]).to_json(),), queue="upstream")
    r = redis.Redis.from_url(live.stack.redis_url, socket_timeout=None)
    popped = r.blpop([relay.out_key(request_id)], timeout=30)
    assert popped is not None, "the client heard nothing"
    assert json.loads(popped[1])["code"] == "not_recorded"
    assert time.monotonic() - started < float(live.stack.child_env()["HEARTH_SCREENING_WAIT"]), (
        "it did not wait for a row that will never come"
    )
    assert capture.requests == []


def test_a_request_whose_client_went_away_before_it_was_served_is_never_sent(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    """A serving task that comes after its client gave up (a backlog, a restarted worker) sends nothing."""
    phone = make_device(max_tier="cloud")
    provider = make_provider("cloudy", "cloud")
    request_id = async_to_sync(services.open_audit)(phone.device, Kind.CHAT, "cloudy-model", True, ["home", "trusted", "cloud"])
    async_to_sync(relay.cancel)(request_id)  # the client went away while it waited in the queue
    body = {"messages": [{"role": "user", "content": "count"}], "max_tokens": 5, "stream": True}
    tasks.serve_request.apply_async(args=(screened(phone.device, request_id, body, [provider.id]).to_json(),), queue="upstream")
    [event] = audited(phone.device, timeout=20)
    assert event.outcome == "cancelled"
    assert capture.requests == []


def test_two_deliveries_of_one_request_serve_it_once(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    """A second delivery of a request while the first is serving it (a redelivery) neither
    asks the provider nor sends text: the lease keeps it out."""
    phone = make_device(max_tier="cloud")
    provider = make_provider("cloudy", "cloud")
    capture.reset(chunks=["once ", "only"], chunk_delay=0.3)
    request_id = async_to_sync(services.open_audit)(phone.device, Kind.CHAT, "cloudy-model", True, ["home", "trusted", "cloud"])
    body = {"messages": [{"role": "user", "content": "say it once"}], "max_tokens": 5, "stream": True}
    args = (screened(phone.device, request_id, body, [provider.id]).to_json(),)
    for _ in range(2):
        tasks.serve_request.apply_async(args=args, queue="upstream")
    r = redis.Redis.from_url(live.stack.redis_url, socket_timeout=None)

    seen: list[dict[str, object]] = []
    while not seen or seen[-1]["type"] != "end":
        popped = r.blpop([relay.out_key(request_id)], timeout=20)
        assert popped is not None, "the request was never answered"
        seen.append(json.loads(popped[1]))
    time.sleep(float(live.stack.child_env()["HEARTH_LEASE_SECONDS"]) + 1)  # the second delivery has looked again by now
    texts = [json.loads(str(e["data"]))["choices"][0]["delta"].get("content") for e in seen if e["type"] == "chunk"]
    assert "".join(t for t in texts if t) == "once only"
    assert r.llen(relay.out_key(request_id)) == 0, "nothing came after the end"
    assert len(capture.requests) == 1
    [event] = audited(phone.device)
    assert event.outcome == "ok"


def test_a_redelivered_copy_that_waits_for_the_lease_never_writes_the_prompt_into_redis_in_plain_text(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    """A copy that finds the lease held is retried by Celery, which writes the arguments' repr
    into the message headers unless told otherwise: the prompt would sit there in Redis."""
    phone = make_device(max_tier="cloud")
    provider = make_provider("cloudy", "cloud")
    capture.reset(chunks=["fine"], chunk_delay=0.5)
    marker = "quokka-lantern-7731"  # only the prompt carries it; the answer does not
    request_id = async_to_sync(services.open_audit)(phone.device, Kind.COMPLETION, "cloudy-model", True, ["home", "trusted", "cloud"])
    body = {"prompt": f"Tell me about {marker}", "max_tokens": 5, "stream": True}
    args = (screened(phone.device, request_id, body, [provider.id], completion=True).to_json(),)
    r = redis.Redis.from_url(live.stack.redis_url, socket_timeout=None)
    written: list[str] = []
    monitor = r.monitor().__enter__()  # type: ignore[no-untyped-call]
    watching = threading.Event()

    def watch() -> None:
        watching.set()
        while True:
            command = monitor.next_command()["command"]
            if "hearth-stop-watching" in command:
                return
            written.append(command)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    watching.wait(5)
    shown: dict[str, Any] = {"argsrepr": f"({request_id!r}, …)", "kwargsrepr": "{}"}  # as the services queue them
    for _ in range(2):  # the first delivery and a redelivered copy
        tasks.serve_request.apply_async(args=args, queue="upstream", **shown)
    seen: list[dict[str, object]] = []
    while not seen or seen[-1]["type"] != "end":
        popped = r.blpop([relay.out_key(request_id)], timeout=20)
        assert popped is not None, "the request was never answered"
        seen.append(json.loads(popped[1]))
    time.sleep(float(live.stack.child_env()["HEARTH_LEASE_SECONDS"]) + 1)  # the copy has been retried by now
    redis.Redis.from_url(live.stack.redis_url).get("hearth-stop-watching")
    watcher.join(10)
    assert any('"retries": 1' in c for c in written), "the copy that found the lease held was retried"
    assert not [c for c in written if marker in c], "the prompt was written to Redis in plain text"
    assert len(capture.requests) == 1
