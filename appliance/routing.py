"""Websocket routes of the admin's live pages; each app adds its consumers here."""

from __future__ import annotations

from typing import Any

websocket_urlpatterns: list[Any] = []
