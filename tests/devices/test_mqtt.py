"""MQTT for small devices: per-device accounts and ACLs in a real Mosquitto, and the bridge
answering a device's chat request through the request path."""

from __future__ import annotations

import io
import json
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from devices import services
from devices.models import MqttAccount
from tests.conftest import Live, PairedDevice, audited
from tests.devices.conftest import Broker

pytestmark = pytest.mark.django_db(transaction=True)


def inbox(client: mqtt.Client, *topics: str) -> queue.Queue[mqtt.MQTTMessage]:
    received: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
    client.on_message = lambda c, u, message: received.put(message)
    for topic in topics:
        client.subscribe(topic, qos=1)
    time.sleep(0.3)
    return received


def drain(q: queue.Queue[mqtt.MQTTMessage], wait: float = 0.8) -> list[tuple[str, bytes]]:
    time.sleep(wait)
    out = []
    while not q.empty():
        m = q.get()
        out.append((m.topic, bytes(m.payload)))
    return out


def test_a_device_reads_only_its_own_answers_and_publishes_only_its_own_requests_not_discovery(
    mqtt_broker: Broker, make_device: Callable[..., PairedDevice]
) -> None:
    a = services.issue_mqtt_credentials(make_device().device)
    b = services.issue_mqtt_credentials(make_device().device)
    time.sleep(0.3)
    hearth = mqtt_broker.client("hearth", mqtt_broker.stack.mqtt_password)
    requests = inbox(hearth, "hearth/+/request", "homeassistant/#")
    client_a = mqtt_broker.client(a.username, a.password)
    client_b = mqtt_broker.client(b.username, b.password)
    got_a = inbox(client_a, f"{a.response_topic}/#", f"{b.response_topic}/#", "hearth/+/request")
    got_b = inbox(client_b, f"{b.response_topic}/#")

    hearth.publish(f"{b.response_topic}/1", b"for b", qos=1).wait_for_publish(5)
    hearth.publish(f"{a.response_topic}/1", b"for a", qos=1).wait_for_publish(5)
    client_a.publish(b.request_topic, b"a pretending to be b", qos=1).wait_for_publish(5)
    client_a.publish(b.response_topic, b"a answering for hearth", qos=1).wait_for_publish(5)
    client_a.publish("homeassistant/camera/fake/config", b"{}", qos=1).wait_for_publish(5)  # not a hub
    client_a.publish(a.request_topic, b"a's own request", qos=1).wait_for_publish(5)

    assert drain(got_a) == [(f"{a.response_topic}/1", b"for a")]
    assert drain(got_b, 0) == [(f"{b.response_topic}/1", b"for b")]
    assert drain(requests, 0) == [(a.request_topic, b"a's own request")]
    for c in (hearth, client_a, client_b):
        c.disconnect()


def test_a_revoked_device_is_cut_off_the_broker_within_a_second(mqtt_broker: Broker, make_device: Callable[..., PairedDevice]) -> None:
    paired = make_device()
    creds = services.issue_mqtt_credentials(paired.device)
    time.sleep(0.3)
    connected = mqtt_broker.client(creds.username, creds.password)
    dropped = threading.Event()
    connected.on_disconnect = lambda *args: dropped.set()
    connected.reconnect_delay_set(30, 30)  # a reconnect must not hide the drop
    services.revoke(paired.device)
    revoked = time.monotonic()
    assert dropped.wait(1.0), "the connected device kept its session"
    print(f"\nrevoked device disconnected {time.monotonic() - revoked:.2f} s after the revoke")
    connected.loop_stop()
    with pytest.raises(ConnectionRefusedError):
        mqtt_broker.client(creds.username, creds.password)


def test_reloading_the_broker_keeps_other_clients_connected(mqtt_broker: Broker, make_device: Callable[..., PairedDevice]) -> None:
    a = services.issue_mqtt_credentials(make_device().device)
    time.sleep(0.3)
    client_a = mqtt_broker.client(a.username, a.password)
    got = inbox(client_a, f"{a.response_topic}/#")
    disconnected: list[Any] = []
    client_a.on_disconnect = lambda *args: disconnected.append(args)
    services.issue_mqtt_credentials(make_device().device)  # rewrites the files and sends SIGHUP
    time.sleep(0.5)
    hearth = mqtt_broker.client("hearth", mqtt_broker.stack.mqtt_password)
    hearth.publish(f"{a.response_topic}/x", b"still here", qos=1).wait_for_publish(5)
    assert drain(got) == [(f"{a.response_topic}/x", b"still here")] and not disconnected
    hearth.disconnect()
    client_a.disconnect()


def request(client: mqtt.Client, topic: str, body: dict[str, Any] | bytes, response_topic: str, correlation: bytes) -> None:
    props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    props.ResponseTopic = response_topic
    props.CorrelationData = correlation
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    client.publish(topic, payload, qos=1, properties=props).wait_for_publish(5)


def answers(q: queue.Queue[mqtt.MQTTMessage], until: Callable[[bytes], bool], timeout: float = 60) -> list[mqtt.MQTTMessage]:
    out: list[mqtt.MQTTMessage] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            message = q.get(timeout=0.5)
        except queue.Empty:
            continue
        out.append(message)
        if until(bytes(message.payload)):
            break
    return out


def test_an_mqtt_device_is_answered_by_the_home_engine_and_audited_under_its_name(
    live: Live, mqtt_broker: Broker, run_command: Any, make_device: Callable[..., PairedDevice]
) -> None:
    paired = make_device(category="speaker")
    creds = services.issue_mqtt_credentials(paired.device)
    bridge = run_command("mqtt_bridge")
    device = mqtt_broker.client(creds.username, creds.password)
    got = inbox(device, f"{creds.response_topic}/#")
    bridge.wait_for_line("MQTT bridge: listening")
    ask = {"model": "hearth-auto", "messages": [{"role": "user", "content": "Name a colour."}], "max_tokens": 8}

    request(device, creds.request_topic, ask, f"{creds.response_topic}/whole", b"req-1")
    (whole,) = answers(got, lambda p: True)
    assert whole.topic == f"{creds.response_topic}/whole" and whole.properties.CorrelationData == b"req-1"
    completion = json.loads(whole.payload)
    assert "error" not in completion, completion
    assert completion["object"] == "chat.completion" and completion["choices"][0]["message"]["content"].strip()

    request(device, creds.request_topic, ask | {"stream": True}, f"{creds.response_topic}/stream", b"req-2")
    streamed = answers(got, lambda p: p == b"[DONE]")
    assert len(streamed) > 2 and streamed[-1].payload == b"[DONE]"
    assert all(m.properties.CorrelationData == b"req-2" for m in streamed)
    assert json.loads(streamed[0].payload)["object"] == "chat.completion.chunk"

    request(device, creds.request_topic, b"{not json", creds.response_topic, b"req-3")
    (error,) = answers(got, lambda p: True)
    assert json.loads(error.payload)["error"]["code"] == "invalid_json" and error.properties.CorrelationData == b"req-3"
    request(device, creds.request_topic, ask, "hearth/someone-else-1/response", b"req-4")
    (refused,) = answers(got, lambda p: True)
    assert refused.topic == creds.response_topic and json.loads(refused.payload)["error"]["code"] == "invalid_response_topic"

    rows = audited(paired.device, 2)
    assert [r.device_name for r in rows] == [paired.device.name] * 2 and {r.tier for r in rows} == {"home"}
    device.disconnect()
    code, log = bridge.terminate()
    assert code == 0 and "Name a colour" not in log, log


def test_device_mqtt_prints_a_working_broker_login_once_and_refuses_a_revoked_device(
    mqtt_broker: Broker, make_device: Callable[..., PairedDevice]
) -> None:
    paired = make_device()
    out = io.StringIO()
    call_command("device", "mqtt", paired.device.name, "--discovery", stdout=out, stderr=io.StringIO())
    printed = dict(line.split(" ", 1) for line in out.getvalue().splitlines()[:2])
    account = MqttAccount.objects.get(device=paired.device)
    assert printed["username"] == account.username and account.publishes_discovery and not account.publishes_presence
    assert (
        printed["password"] not in account.password_hash
        and printed["password"] not in mqtt_broker.stack.data_dir.joinpath("mosquitto.passwd").read_text()
    )
    time.sleep(0.3)
    mqtt_broker.client(printed["username"], printed["password"]).disconnect()
    services.revoke(paired.device)
    with pytest.raises(CommandError, match="revoked"):
        call_command("device", "mqtt", paired.device.name, stdout=io.StringIO(), stderr=io.StringIO())


def test_deleting_a_device_in_the_admin_takes_its_broker_login_away(
    mqtt_broker: Broker, make_device: Callable[..., PairedDevice], admin_client: Client
) -> None:
    paired = make_device()
    creds = services.issue_mqtt_credentials(paired.device)
    time.sleep(0.3)
    mqtt_broker.client(creds.username, creds.password).disconnect()
    deleted = admin_client.post(
        "/admin/devices/device/",
        {"action": "delete_selected", "_selected_action": [paired.device.pk], "post": "yes"},
        HTTP_HOST="127.0.0.1",
    )
    assert deleted.status_code == 302 and not MqttAccount.objects.exists()
    time.sleep(0.3)
    with pytest.raises(ConnectionRefusedError):
        mqtt_broker.client(creds.username, creds.password)
