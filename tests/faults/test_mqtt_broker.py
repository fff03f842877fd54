"""Fault: Mosquitto restarts under the MQTT bridge and the devices."""

from __future__ import annotations

import json
import queue
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from django.conf import settings
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from appliance.plumbing.stack import Service, Stack
from devices import services
from tests.conftest import Live, PairedDevice, audited
from tests.devices.conftest import Broker
from tests.support import faults
from tests.support.postgres import child_database_env

pytestmark = pytest.mark.django_db(transaction=True)
ASK = {"model": "hearth-auto", "messages": [{"role": "user", "content": "Name a colour."}], "max_tokens": 8}
LISTENING = "MQTT bridge: listening"


@pytest.fixture(scope="module")
def broker(stack: Stack) -> Iterator[Broker]:
    """The session's Mosquitto (started here unless the device tests already did)."""
    try:
        faults.running(stack, "mosquitto")
        ours = False
    except LookupError:
        stack.start(stack.mosquitto())
        ours = True
    settings.HEARTH_MQTT_PORT = stack.ports.mqtt
    settings.HEARTH_MQTT_PASSWORD = stack.mqtt_password
    settings.HEARTH_MQTT_FILES_DIR = stack.data_dir  # devices.services writes the broker's accounts there
    yield Broker(stack, stack.ports.mqtt)
    if ours:
        stack.stop(faults.running(stack, "mosquitto"))


class Bridge:
    """The MQTT bridge as the box runs it, and the lines of its log written since it started."""

    def __init__(self, stack: Stack) -> None:
        assert stack.log_dir is not None
        self.log = Path(stack.log_dir) / "faults-mqtt-bridge.log"
        self.offset = self.log.stat().st_size if self.log.exists() else 0
        env = child_database_env() | {"HEARTH_LOG_LEVEL": "INFO"}
        self.service = stack.start(Service("faults-mqtt-bridge", [sys.executable, "manage.py", "mqtt_bridge"], env=env))

    def text(self) -> str:
        with self.log.open(encoding="utf-8", errors="replace") as f:
            f.seek(self.offset)
            return f.read()

    def times_listening(self) -> int:
        return self.text().count(LISTENING)


@pytest.fixture
def bridge(live: Live, broker: Broker) -> Iterator[Bridge]:
    started = Bridge(live.stack)
    assert faults.wait_until(started.times_listening, 30), started.text()
    yield started
    live.stack.stop(started.service)


def inbox(client: mqtt.Client, topic: str) -> queue.Queue[mqtt.MQTTMessage]:
    received: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
    client.on_message = lambda c, u, message: received.put(message)
    client.subscribe(topic, qos=1)
    time.sleep(0.3)
    return received


def ask(client: mqtt.Client, request_topic: str, response_topic: str, correlation: bytes) -> None:
    props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    props.ResponseTopic, props.CorrelationData = response_topic, correlation
    client.publish(request_topic, json.dumps(ASK).encode(), qos=1, properties=props).wait_for_publish(5)


def answer(received: queue.Queue[mqtt.MQTTMessage], timeout: float = 60) -> dict[str, object]:
    message = received.get(timeout=timeout)
    return json.loads(message.payload)  # type: ignore[no-any-return]


@pytest.mark.fault(
    "Mosquitto restarted",
    tried="a device asks over MQTT; Mosquitto stopped and started; the same device asks again; a revoked"
    " device, a wrong password and another device's eyes on its answers are tried after the restart",
)
def test_after_mosquitto_restarts_the_bridge_answers_again_and_device_accounts_still_hold(
    live: Live, broker: Broker, bridge: Bridge, make_device: Callable[..., PairedDevice]
) -> None:
    speaker, other, gone = make_device(category="speaker"), make_device(), make_device()
    creds = services.issue_mqtt_credentials(speaker.device)
    other_creds = services.issue_mqtt_credentials(other.device)
    gone_creds = services.issue_mqtt_credentials(gone.device)
    services.revoke(gone.device)
    time.sleep(0.3)
    before = broker.client(creds.username, creds.password)
    got = inbox(before, f"{creds.response_topic}/#")
    ask(before, creds.request_topic, f"{creds.response_topic}/1", b"before")
    assert "choices" in answer(got)
    before.loop_stop()

    faults.restart(live.stack, "mosquitto")

    assert faults.wait_until(lambda: bridge.times_listening() >= 2, 35), "the bridge never came back: " + bridge.text()
    device = broker.client(creds.username, creds.password)
    watcher = broker.client(other_creds.username, other_creds.password)
    got = inbox(device, f"{creds.response_topic}/#")
    watched = inbox(watcher, f"{creds.response_topic}/#")  # another device's answers: the ACL says no
    ask(device, creds.request_topic, f"{creds.response_topic}/2", b"after")
    reply = answer(got)
    assert "choices" in reply, reply
    assert watched.empty()
    with pytest.raises(ConnectionRefusedError):
        broker.client(gone_creds.username, gone_creds.password)
    with pytest.raises(ConnectionRefusedError):
        broker.client(creds.username, creds.password + "x")
    assert len(audited(speaker.device, 2)) == 2
    for client in (device, watcher):
        client.disconnect()
        client.loop_stop()
