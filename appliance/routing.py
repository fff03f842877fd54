"""Websocket routes of the admin's live pages; each app adds its consumers here."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

websocket_urlpatterns: list[URLPattern | URLResolver] = []
