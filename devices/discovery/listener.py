"""The discovery listener: zeroconf browsing and MQTT discovery, feeding one queue.

Callbacks of zeroconf's and paho's threads only parse-free enqueue; one thread resolves,
parses and records, so database writes are serial and a flood fills a bounded queue
(dropped and counted) instead of memory.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from django.conf import settings
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from zeroconf import ServiceBrowser, ServiceStateChange, Zeroconf

from devices import services
from devices.kinds import DiscoveryIndex, index

from . import parse
from .network import zeroconf_interfaces

log = logging.getLogger(__name__)

MQTT_TOPICS = ["homeassistant/+/+/config", "homeassistant/+/+/+/config", "zigbee2mqtt/bridge/devices", "tasmota/discovery/#"]
QUEUE_SIZE = 2000
# paho refuses nothing by size; anything larger than the biggest accepted payload is
# dropped before it is parsed.
MAX_PAYLOAD = parse.MAX_LIST_BYTES


@dataclass(frozen=True)
class _Service:
    service_type: str
    name: str


@dataclass(frozen=True)
class _Message:
    topic: str
    payload: bytes


class Listener:
    """Browse zeroconf and listen to MQTT discovery until `stop()`."""

    def __init__(self, *, mdns: bool = True, mqtt_discovery: bool = True, discovery_index: DiscoveryIndex | None = None) -> None:
        self.index = discovery_index or index()
        self.dropped: Counter[str] = Counter()
        self.recorded = 0
        self.inbox: queue.Queue[_Service | _Message] = queue.Queue(QUEUE_SIZE)
        self._stop = threading.Event()
        self._mdns, self._mqtt_discovery = mdns, mqtt_discovery
        self.zeroconf: Zeroconf | None = None
        self._browser: ServiceBrowser | None = None
        self._client: mqtt.Client | None = None
        # The presence topic rides on the same connection; its messages are not discovery.
        self.presence_topic: str = settings.HEARTH_PRESENCE_TOPIC
        self.topics = MQTT_TOPICS + ([self.presence_topic] if self.presence_topic else [])

    # --- feeding the queue (other threads) ----------------------------------------------
    def _offer(self, item: _Service | _Message) -> None:
        try:
            self.inbox.put_nowait(item)
        except queue.Full:
            self.dropped["backlog"] += 1

    def _on_service(self, zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange) -> None:
        if state_change in (ServiceStateChange.Added, ServiceStateChange.Updated):
            self._offer(_Service(service_type, name))

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        if len(message.payload) > MAX_PAYLOAD:
            self.dropped["oversize"] += 1
            return
        self._offer(_Message(message.topic, bytes(message.payload)))

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode, properties: Properties | None) -> None:
        if reason.is_failure:
            log.warning("MQTT discovery: the broker refused the connection (%s)", reason)
            return
        client.subscribe([(topic, 0) for topic in self.topics])
        log.info("MQTT discovery: subscribed to %s", ", ".join(self.topics))

    def _on_connect_fail(self, client: mqtt.Client, userdata: Any) -> None:
        log.warning("MQTT discovery: cannot reach the broker at %s:%s; retrying", settings.HEARTH_MQTT_HOST, settings.HEARTH_MQTT_PORT)

    # --- running ---------------------------------------------------------------------------
    def start(self, zeroconf: Zeroconf | None = None) -> None:
        """Start browsing and listening (returns at once)."""
        if self._mdns:
            self.zeroconf = zeroconf or Zeroconf(interfaces=zeroconf_interfaces())
            types = sorted(self.index.services)
            self._browser = ServiceBrowser(self.zeroconf, types, handlers=[self._on_service])
            log.info("mDNS discovery: browsing %d service types", len(types))
        if self._mqtt_discovery:
            client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="hearth-discovery", protocol=mqtt.MQTTv5)
            client.username_pw_set(settings.HEARTH_MQTT_USERNAME, settings.HEARTH_MQTT_PASSWORD)
            client.on_connect = self._on_connect
            client.on_connect_fail = self._on_connect_fail
            client.on_message = self._on_message
            client.reconnect_delay_set(1, 30)
            client.connect_async(settings.HEARTH_MQTT_HOST, settings.HEARTH_MQTT_PORT)
            client.loop_start()
            self._client = client

    def run(self) -> None:
        """Process the queue until `stop()`."""
        reported = 0
        while not self._stop.is_set():
            try:
                item = self.inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            self.handle(item)
            if (total := sum(self.dropped.values())) >= reported + 100:
                reported = total
                log.warning("discovery: dropped payloads so far: %s", dict(self.dropped))

    def handle(self, item: _Service | _Message) -> None:
        """Parse and record one queued item; anything malformed is counted, never raised."""
        if isinstance(item, _Message) and self.presence_topic and item.topic == self.presence_topic:
            self._presence(item.payload)
            return
        try:
            sightings = self._resolve(item) if isinstance(item, _Service) else parse.mqtt_message(item.topic, item.payload, self.index)
            for seen in sightings:
                services.record_sighting(seen)
                self.recorded += 1
        except parse.Malformed as exc:
            self.dropped[exc.reason] += 1
        except Exception:
            self.dropped["error"] += 1
            log.exception("discovery: could not record a sighting")

    def _presence(self, payload: bytes) -> None:
        state = services.presence_from_payload(payload)
        if state is None:
            self.dropped["presence"] += 1
            return
        services.set_presence(state, f"mqtt:{self.presence_topic}")

    def _resolve(self, item: _Service) -> list[parse.Sighting]:
        assert self.zeroconf is not None
        info = self.zeroconf.get_service_info(item.service_type, item.name, timeout=3000)
        if info is None:
            self.dropped["unresolved"] += 1
            return []
        return [parse.mdns(item.service_type, item.name, info.server or "", info.parsed_scoped_addresses(), info.properties, self.index)]

    def stop(self) -> None:
        """Ask `run()` to return (safe from a signal handler)."""
        self._stop.set()

    def close(self) -> None:
        """Stop browsing and listening; call once `run()` returned."""
        self._stop.set()
        if self._browser is not None:
            self._browser.cancel()
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
        if self.zeroconf is not None:
            self.zeroconf.close()
