"""The MQTT bridge: small devices send chat requests over MQTT and get answers back.

A device publishes a chat-completions body to `hearth/<username>/request`; the answer goes
to the MQTT v5 response topic it named (only under its own `hearth/<username>/response`)
or to that topic itself, with its correlation data echoed. A whole answer is one message;
a streamed one is one message per OpenAI chunk, then `[DONE]`, as over HTTP. Errors are
one message in the OpenAI error shape. Requests go through journey.submit like the HTTP
API's: the same routing, screening, audit and workers.
"""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import Future
from typing import Any

import paho.mqtt.client as mqtt
from django.conf import settings
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from devices.broker import request_topic, response_topic
from devices.models import Device, MqttAccount

from . import journey, router, schema
from .errors import ApiError

log = logging.getLogger(__name__)

REQUEST_FILTER = request_topic("+")
MAX_IN_FLIGHT = 32


class Bridge:
    """Subscribe to every device's request topic and answer each message."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        self.pending: set[Future[None]] = set()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="hearth-bridge", protocol=mqtt.MQTTv5)
        self.client.username_pw_set(settings.HEARTH_MQTT_USERNAME, settings.HEARTH_MQTT_PASSWORD)
        self.client.on_connect = self._on_connect
        self.client.on_connect_fail = self._on_connect_fail
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(1, 30)

    def start(self) -> None:
        self.client.connect_async(settings.HEARTH_MQTT_HOST, settings.HEARTH_MQTT_PORT)
        self.client.loop_start()

    async def stop(self, grace: float = 5.0) -> None:
        """Stop taking requests; let those in flight finish for a moment."""
        self.client.unsubscribe(REQUEST_FILTER)
        if self.pending:
            await asyncio.wait([asyncio.wrap_future(f) for f in self.pending], timeout=grace)
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode, properties: Properties | None) -> None:
        if reason.is_failure:
            log.warning("MQTT bridge: the broker refused the connection (%s)", reason)
            return
        client.subscribe(REQUEST_FILTER, qos=1)
        log.info("MQTT bridge: listening on %s", REQUEST_FILTER)

    def _on_connect_fail(self, client: mqtt.Client, userdata: Any) -> None:
        log.warning("MQTT bridge: cannot reach the broker at %s:%s; retrying", settings.HEARTH_MQTT_HOST, settings.HEARTH_MQTT_PORT)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        levels = message.topic.split("/")
        if len(levels) != 3 or levels[0] != "hearth" or levels[2] != "request":
            return
        props = message.properties
        future = asyncio.run_coroutine_threadsafe(
            self.handle(levels[1], bytes(message.payload), getattr(props, "ResponseTopic", None), getattr(props, "CorrelationData", None)),
            self.loop,
        )
        self.pending.add(future)
        future.add_done_callback(self.pending.discard)

    async def handle(self, username: str, payload: bytes, asked_topic: str | None, correlation: bytes | None) -> None:
        """Answer one request message."""
        own = response_topic(username)
        # The bridge may write every device's responses, so a device may only name its own.
        topic = asked_topic if asked_topic and (asked_topic == own or asked_topic.startswith(own + "/")) else own
        async with self.slots:
            account = await MqttAccount.objects.select_related("device").filter(username=username).afirst()
            if account is None or not account.device.is_active:
                return  # the broker's ACL lets no one else publish here; a revoked device gets nothing
            try:
                if asked_topic and topic != asked_topic:
                    raise ApiError(400, f"The response topic must be under {own}.", "invalid_request_error", "invalid_response_topic")
                await self._serve(account.device, payload, topic, correlation)
            except ApiError as exc:
                self.publish(topic, json.dumps(exc.body()), correlation)
            except Exception:
                log.exception("MQTT bridge: unexpected error serving a request of device %s", account.device.pk)
                error = ApiError(500, "Hearth hit an internal error; the request was not served.", "server_error")
                self.publish(topic, json.dumps(error.body()), correlation)

    async def _serve(self, device: Device, payload: bytes, topic: str, correlation: bytes | None) -> None:
        if len(payload) > settings.HEARTH_MAX_BODY_BYTES:
            raise ApiError(
                413, f"The request is larger than {settings.HEARTH_MAX_BODY_BYTES} bytes.", "invalid_request_error", "request_too_large"
            )
        api = schema.chat_request(schema.parse_json(payload))
        try:
            envelope = await journey.submit(device, api)
        except router.NoRoute as exc:
            raise ApiError(
                exc.status, exc.message, "service_unavailable" if exc.status == 503 else "invalid_request_error", exc.code
            ) from None
        async for event in journey.answer(envelope):
            if event["type"] in ("chunk", "response"):
                self.publish(topic, event["data"], correlation)  # type: ignore[typeddict-item]
                if event["type"] == "response":
                    return
            elif event["type"] == "error":
                raise ApiError(event["status"], event["message"], event["error_type"], event["code"])
            elif event["type"] == "end":
                self.publish(topic, "[DONE]", correlation)
                return
        raise ApiError(502, "The worker ended without an answer.", "upstream_error")

    def publish(self, topic: str, payload: str, correlation: bytes | None) -> None:
        props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
        if correlation is not None:
            props.CorrelationData = correlation
        props.ContentType = "application/json" if payload != "[DONE]" else "text/plain"
        self.client.publish(topic, payload, qos=1, properties=props)
