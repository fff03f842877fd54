"""`manage.py mqtt_bridge`: answer chat requests of MQTT devices until SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from asgiref.sync import sync_to_async
from django.core.management.base import BaseCommand

from devices import services as device_services
from gateway.mqtt import Bridge


class Command(BaseCommand):
    help = "Take chat requests from MQTT devices through the request path and publish the answers; stops on SIGTERM."

    def handle(self, *args: Any, **options: Any) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopping.set)
        # The broker's accounts and ACL follow the registry and settings (a changed presence topic).
        await sync_to_async(device_services.sync_broker)()
        bridge = Bridge(loop)
        bridge.start()
        await stopping.wait()
        await bridge.stop()
        self.stderr.write("MQTT bridge stopped.")
