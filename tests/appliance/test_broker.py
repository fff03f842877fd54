"""The request path's lean publish (appliance.plumbing.broker.send): the message Celery would send."""

from __future__ import annotations

import base64
import json
from typing import Any

import redis

from appliance.plumbing import broker
from appliance.plumbing.stack import Stack
from gateway import tasks

QUEUE = "lean-publish-test"  # no worker consumes it


def _popped(client: redis.Redis) -> dict[str, Any]:
    raw = client.rpop(QUEUE)
    assert raw is not None, "nothing was queued"
    message: dict[str, Any] = json.loads(raw)
    message["body"] = json.loads(base64.b64decode(message["body"]))
    # What differs between any two sends of the same task: its ids.
    for place, names in (("headers", ("id", "root_id")), ("properties", ("correlation_id", "delivery_tag"))):
        for name in names:
            assert message[place].pop(name), f"{place}.{name} is set"
    return message


def test_a_lean_publish_queues_the_message_apply_async_would(stack: Stack) -> None:
    """If Celery or kombu change their message, this fails instead of the workers."""
    client = redis.Redis.from_url(stack.redis_url)
    client.delete(QUEUE)
    args = ({"v": 1, "request_id": "a-request-id", "body": {"messages": [{"role": "user", "content": "Héllo"}]}, "planned": [1, 2]},)
    shown = "('a-request-id', …)"
    reprs: dict[str, Any] = {"argsrepr": shown, "kwargsrepr": "{}"}
    tasks.serve_request.apply_async(args, queue=QUEUE, **reprs)
    by_celery = _popped(client)
    task_id = broker.send(tasks.serve_request, args, QUEUE, shown)
    lean = _popped(client)
    # apply_async also copies its options into the properties, which the worker never reads.
    for option in ("argsrepr", "kwargsrepr"):
        by_celery["properties"].pop(option)
    assert lean == by_celery
    assert client.llen(QUEUE) == 0
    assert len(task_id) == 36


def test_a_lean_publish_runs_the_commands_it_is_given_in_the_same_round_trip(stack: Stack) -> None:
    client = redis.Redis.from_url(stack.redis_url)
    client.delete(QUEUE, "lean-publish-also")
    args = ({"v": 1, "request_id": "a-request-id"},)
    broker.send(tasks.serve_request, args, QUEUE, "('a-request-id', …)", also=lambda pipe: pipe.set("lean-publish-also", "1"))
    assert client.get("lean-publish-also") == b"1"
    assert _popped(client)["headers"]["task"] == "gateway.tasks.serve_request"
