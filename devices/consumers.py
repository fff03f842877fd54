"""Live list of discovered devices for the admin: each sighting that changed something is
pushed as a `discovery.seen` JSON message. Values are device-supplied: the page must insert
them as text (textContent), never as HTML."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .services import DISCOVERY_GROUP, DiscoveredEvent


class DiscoveredConsumer(AsyncJsonWebsocketConsumer):
    """Staff only; joins the discovery group."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_staff:
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(DISCOVERY_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(DISCOVERY_GROUP, self.channel_name)

    async def discovery_seen(self, event: DiscoveredEvent) -> None:
        await self.send_json(dict(event))

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The page only listens."""
