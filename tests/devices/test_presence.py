"""Presence: the household's home/away state from its MQTT topic or the owner's override,
seen by the rules on the real request path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from django.test import Client

from devices import services
from policies import services as rules
from tests.conftest import Live, PairedDevice, audited
from tests.devices.conftest import Broker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
HOST = "127.0.0.1"
ASK = {"model": "hearth-auto", "messages": [{"role": "user", "content": "What is the capital of France?"}], "max_tokens": 8}


def test_the_owner_overrides_presence_in_the_admin_and_sees_the_state_and_its_source(admin_client: Client) -> None:
    services.set_presence("home", "mqtt:home/presence")
    page = admin_client.get("/admin/devices/presence/", HTTP_HOST=HOST).content.decode()
    assert "home (mqtt:home/presence)" in page

    change = admin_client.post("/admin/devices/presence/1/change/", {"override": "away"}, HTTP_HOST=HOST)
    assert change.status_code == 302
    assert services.presence().state == "away" and services.presence().source == "set by admin in the admin"
    services.set_presence("home", "mqtt:home/presence")  # the topic speaks again: the override still wins
    assert services.presence().state == "away"
    assert "away (set by admin in the admin)" in admin_client.get("/admin/devices/presence/", HTTP_HOST=HOST).content.decode()

    admin_client.post("/admin/devices/presence/1/change/", {"override": ""}, HTTP_HOST=HOST)
    assert (services.presence().state, services.presence().source) == ("home", "mqtt:home/presence")


def test_a_presence_message_on_the_topic_changes_which_rule_a_real_request_matches(
    live: Live, mqtt_broker: Broker, run_command: Any, make_device: Callable[..., PairedDevice], settings: Any
) -> None:
    settings.HEARTH_PRESENCE_TOPIC = "home/presence"
    rules.replace_rules(
        [
            {"name": "Nobody home", "conditions": {"presence": "away"}, "actions": {"block": "Nobody is home: the assistant sleeps."}},
            {"name": "Someone home", "conditions": {"presence": "home"}, "actions": {"max_tier": "home"}},
        ]
    )
    speaker = make_device(category="speaker")
    phone = services.issue_mqtt_credentials(make_device().device, publishes_presence=True)
    listener = run_command("discovery", "--no-mdns", HEARTH_PRESENCE_TOPIC="home/presence")
    listener.wait_for_line("MQTT discovery: subscribed")
    publisher = mqtt_broker.client(phone.username, phone.password)

    def ask() -> httpx.Response:
        return httpx.post(f"{live.api}/chat/completions", json=ASK, headers={"Authorization": f"Bearer {speaker.key}"}, timeout=60)

    publisher.publish("home/presence", b"home", qos=1).wait_for_publish(5)
    assert wait_for(lambda: services.presence().state == "home")
    answered = ask()
    assert answered.status_code == 200 and "rule 'Someone home' matched" in unquote(answered.headers["x-hearth-explanation"])

    publisher.publish("home/presence", b"away", qos=1).wait_for_publish(5)
    assert wait_for(lambda: services.presence().state == "away")
    refused = ask()
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "Nobody is home: the assistant sleeps."
    assert [e.rule for e in audited(speaker.device, 2)] == ["Someone home", "Nobody home"]
    publisher.disconnect()
    code, log = listener.terminate()
    assert code == 0, log
