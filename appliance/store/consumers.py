"""The store's pulls, live over a websocket: each open page gets the rendered progress every second."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.template.loader import render_to_string

from . import progress
from .fit import MIB, size

REFRESH_SECONDS = 1.0


def _shown(p: progress.PullStatus) -> dict[str, object]:
    eta = p["eta_s"]
    left = (
        "time left unknown" if eta is None else (f"{int(eta) // 60} min {int(eta) % 60:02d} s left" if eta >= 60 else f"{int(eta)} s left")
    )
    return {
        **p,
        "done_words": size(p["done"] // MIB),
        "total_words": size(p["total"] // MIB),
        "rate_words": f"{p['rate_bps'] / MIB:.1f} MiB/s",
        "left_words": left,
    }


def fragment() -> str:
    """Render every pull the store remembers: bytes, rate, time left, and what it last said."""
    return render_to_string("appliance/store/_pulls.html", {"pulls": [_shown(p) for p in progress.all_pulls()]})


class PullsConsumer(AsyncWebsocketConsumer):
    """Send the pulls' progress now and every second while the page is open, to signed-in household members."""

    # No channel layer: the pulls are files the pulling process writes, so the page follows them
    # even while Redis is down, and an open page holds no Redis channel (an unknown alias gives None).
    channel_layer_alias = "none: the store's pulls are read from disk"
    task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        await self.accept()
        self.task = asyncio.create_task(self._push())

    async def _push(self) -> None:
        last = ""
        while True:
            text = await asyncio.to_thread(fragment)
            if text != last:  # a page left open on a finished pull is not sent the same thing every second
                await self.send(text_data=text)
                last = text
            await asyncio.sleep(REFRESH_SECONDS)

    async def disconnect(self, code: int) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        """The page sends nothing that matters."""
