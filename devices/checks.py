"""Start-up checks of the devices' settings: a bad presence topic or interface fails loudly."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from .discovery.network import addresses


@register()
def presence_topic(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Refuse a presence topic that is a filter or lies in Hearth's own topics."""
    topic = settings.HEARTH_PRESENCE_TOPIC
    if topic and ("+" in topic or "#" in topic or topic.startswith(("hearth/", "$")) or len(topic) > 200):
        return [
            Error(
                f"HEARTH_PRESENCE_TOPIC {topic!r} must be one plain topic (no + or #), outside hearth/ and $SYS.",
                id="hearth.E101",
            )
        ]
    return []


@register()
def discovery_interfaces(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Refuse interfaces that name nothing on this machine."""
    if settings.HEARTH_DISCOVERY_INTERFACES and not addresses():
        return [
            Error(
                f"HEARTH_DISCOVERY_INTERFACES names no interface with an IPv4 address here: {settings.HEARTH_DISCOVERY_INTERFACES}",
                id="hearth.E102",
            )
        ]
    return []
