"""The store's pulls, live over a websocket: each open page gets the rendered progress every second."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .. import household
from . import progress
from .fit import MIB, size

REFRESH_SECONDS = 1.0


def _left(eta: float | None) -> str:
    if eta is None:
        return _("time left unknown")
    if eta >= 60:
        return _("%(min)d min %(s)02d s left") % {"min": int(eta) // 60, "s": int(eta) % 60}
    return _("%(s)d s left") % {"s": int(eta)}


def _shown(p: progress.PullStatus) -> dict[str, object]:
    return {
        **p,
        "done_words": size(p["done"] // MIB),
        "total_words": size(p["total"] // MIB),
        "rate_words": _("%(rate).1f MiB/s") % {"rate": p["rate_bps"] / MIB},
        "left_words": _left(p["eta_s"]),
    }


def fragment(language: str | None = None) -> str:
    """Render every pull the store remembers: bytes, rate, time left, and what it last said."""
    with translation.override(language) if language else contextlib.nullcontext():
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
        self.task = asyncio.create_task(self._push((await household.acurrent()).pages))

    async def _push(self, language: str) -> None:
        last = ""
        while True:
            text = await asyncio.to_thread(fragment, language)
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
