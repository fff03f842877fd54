"""Celery's Redis transport, keeping one Redis client per channel; and a lean publish.

kombu's Redis channel builds a new `redis.Redis` object for every command it sends
outside its consumer loop (each publish, each acknowledgement, each unacked-message
entry); building one costs about 0.14 ms here, several times per device request. The
client object holds no connection of its own (it borrows from the channel's pool, and
is safe to share between threads), so one per pool does the same work.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any

import redis
from celery import signals
from django.conf import settings
from kombu.transport import redis as kombu_redis
from kombu.utils.json import dumps

from appliance.plumbing.redis import sync_client


class Channel(kombu_redis.Channel):
    _kept_client: Any = None

    def _create_client(self, asynchronous: bool = False) -> Any:
        if getattr(self.connection, "client", None) is None:
            # The connection closed under the channel (Redis restarted) and the channel is
            # being closed too: kombu builds a pool from the closed connection's settings and
            # fails with an AttributeError that nothing catches (celery/kombu#582), which
            # stopped the worker. A connection error is what kombu's close and Celery's
            # reconnect expect and step over.
            raise redis.exceptions.ConnectionError("the broker connection is closed")
        if asynchronous:
            return super()._create_client(asynchronous=True)  # type: ignore[misc]  # kombu has no type stubs
        kept = self._kept_client
        if kept is None or kept.connection_pool is not self.pool:  # the pool is new after a reconnect
            kept = self._kept_client = super()._create_client()  # type: ignore[misc]
        return kept


class Transport(kombu_redis.Transport):
    Channel = Channel


def send(task: Any, args: tuple[Any, ...], queue: str, argsrepr: str, also: Callable[[Any], None] | None = None) -> str:
    """Queue a task as `task.apply_async(args, queue=queue, argsrepr=argsrepr)` would; return its id.

    `also`: adds commands to the same round trip (it is given a Redis pipeline); done
    before the task is queued when the broker is not the shared Redis.

    For the two tasks every device request queues while its client waits. The message is
    the one Celery's own builder makes (protocol 2), in the envelope kombu's Redis
    transport gives it, pushed with one command on the process's shared Redis client; the
    workers consume it as any other, and the publish signals fire as Celery fires them.
    apply_async spends twice as long (0.76 against 0.33 ms here, most of it now the round
    trip) on what these tasks do not use: routing, producer pools, publish retries.
    """
    app = task.app
    if app.conf.broker_url != settings.REDIS_URL:  # a broker of its own: only Celery knows it
        if also is not None:
            with sync_client().pipeline(transaction=False) as pipe:
                also(pipe)
                pipe.execute()
        return str(task.apply_async(args, queue=queue, argsrepr=argsrepr, kwargsrepr="{}").id)
    task_id = str(uuid.uuid4())
    headers, properties, body, _ = app.amqp.as_task_v2(
        task_id, task.name, args, argsrepr=argsrepr, kwargsrepr="{}", ignore_result=task.ignore_result, reply_to=app.thread_oid
    )
    if signals.before_task_publish.receivers:  # as Celery does: they may add headers
        signals.before_task_publish.send(
            sender=task.name,
            body=body,
            exchange="",
            routing_key=queue,
            headers=headers,
            properties=properties,
            declare=[],
            retry_policy=None,
        )
    properties.update(
        delivery_mode=2,
        delivery_info={"exchange": "", "routing_key": queue},
        priority=0,
        body_encoding="base64",
        delivery_tag=str(uuid.uuid4()),
    )
    envelope = {
        "body": base64.b64encode(dumps(body).encode()).decode(),
        "content-encoding": "utf-8",
        "content-type": "application/json",
        "headers": headers,
        "properties": properties,
    }
    if also is None:
        sync_client().lpush(queue, dumps(envelope))
    else:
        with sync_client().pipeline(transaction=False) as pipe:
            pipe.lpush(queue, dumps(envelope))
            also(pipe)
            pipe.execute()
    if signals.after_task_publish.receivers:
        signals.after_task_publish.send(sender=task.name, body=body, headers=headers, exchange="", routing_key=queue)
    return task_id
