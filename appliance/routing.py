"""Websocket routes of the admin's live pages; each app adds its consumers here."""

from __future__ import annotations

from typing import Any

from django.urls import path

from appliance.consumers import DashboardConsumer
from appliance.store.consumers import PullsConsumer
from devices.consumers import DiscoveredConsumer

websocket_urlpatterns: list[Any] = []

# devices: discovered devices appear live (devices/consumers.py).
websocket_urlpatterns.append(path("ws/devices/discovered/", DiscoveredConsumer.as_asgi()))  # type: ignore[arg-type]

# appliance: the dashboard's live figures (appliance/consumers.py).
websocket_urlpatterns.append(path("ws/dashboard/", DashboardConsumer.as_asgi()))  # type: ignore[arg-type]

# appliance: the model store's pulls, live on the hardware step (appliance/store/consumers.py).
websocket_urlpatterns.append(path("ws/store/pulls/", PullsConsumer.as_asgi()))  # type: ignore[arg-type]
