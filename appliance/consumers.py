"""The dashboard's live figures over a websocket, for signed-in household members."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import dashboard, household

REFRESH_SECONDS = 3.0


def _fragment() -> str:
    # The page counted "today" from the household's midnight (appliance.middleware); so do the updates.
    local = household.current()
    with timezone.override(local.zone), translation.override(local.pages):
        return render_to_string("appliance/_figures.html", {"f": dashboard.figures()})


class DashboardConsumer(AsyncWebsocketConsumer):
    """Send the rendered figures now and every few seconds while the page is open."""

    task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        await self.accept()
        self.task = asyncio.create_task(self._push())

    async def _push(self) -> None:
        while True:
            await self.send(text_data=await database_sync_to_async(_fragment)())
            await asyncio.sleep(REFRESH_SECONDS)

    async def disconnect(self, code: int) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        """The page sends nothing that matters."""
