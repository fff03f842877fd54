"""`manage.py discovery`: browse mDNS and MQTT discovery, and announce Hearth, until SIGTERM."""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from zeroconf import Zeroconf

from devices.discovery import announce
from devices.discovery.listener import Listener
from devices.discovery.network import zeroconf_interfaces

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Find devices over mDNS and MQTT discovery and announce Hearth over mDNS; stops on SIGTERM."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-mdns", action="store_true", help="do not browse or announce over mDNS")
        parser.add_argument("--no-mqtt", action="store_true", help="do not listen to MQTT discovery")
        parser.add_argument("--no-announce", action="store_true", help="browse, but do not announce Hearth")

    def handle(self, *args: Any, **options: Any) -> None:
        listener = Listener(mdns=not options["no_mdns"], mqtt_discovery=not options["no_mqtt"])

        def stop(signum: int, frame: FrameType | None) -> None:
            listener.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        zeroconf = None if options["no_mdns"] else Zeroconf(interfaces=zeroconf_interfaces())
        try:
            if zeroconf is not None and not options["no_announce"]:
                try:
                    announce.register(zeroconf)
                except RuntimeError as exc:  # no address to announce on: still browse
                    log.warning("mDNS: not announcing Hearth: %s", exc)
            listener.start(zeroconf)
            listener.run()
        finally:
            if zeroconf is not None and not options["no_announce"]:
                zeroconf.unregister_all_services()
            listener.close()
            log.info("discovery stopped: %d sightings recorded, dropped %s", listener.recorded, dict(listener.dropped) or "none")
