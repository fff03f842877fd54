"""Hearth announces itself: `_hearth._tcp` for devices (API base URL and pairing path in
TXT), `_http._tcp` for people, both on `<hostname>.local`."""

from __future__ import annotations

import logging
import socket

from django.conf import settings
from zeroconf import ServiceInfo, Zeroconf

from .network import addresses

log = logging.getLogger(__name__)

HEARTH_TYPE = "_hearth._tcp.local."
HTTP_TYPE = "_http._tcp.local."


def base_url() -> str:
    """Return the URL devices use to reach the box's web process."""
    return settings.HEARTH_PUBLIC_URL or f"http://{settings.HEARTH_MDNS_HOSTNAME}.local:{settings.HEARTH_WEB_PORT}"


def services() -> list[ServiceInfo]:
    """Return the records Hearth announces."""
    ips = addresses()
    if not ips:
        raise RuntimeError("no IPv4 address to announce on: set HEARTH_DISCOVERY_INTERFACES")
    server = f"{settings.HEARTH_MDNS_HOSTNAME}.local."
    # Without address records the services point at the host name, which avahi answers for.
    packed = [socket.inet_aton(ip) for ip in ips] if settings.HEARTH_MDNS_ANNOUNCE_HOST else []
    url = base_url()
    txt = {"api": f"{url}/v1", "admin": f"{url}/admin/", "txtvers": "1"}
    if settings.HEARTH_PAIRING_ENABLED:
        txt["pair"] = settings.HEARTH_PAIRING_PATH
    name = settings.HEARTH_MDNS_NAME
    port = settings.HEARTH_WEB_PORT
    return [
        ServiceInfo(HEARTH_TYPE, f"{name}.{HEARTH_TYPE}", port=port, properties=txt, server=server, addresses=packed),
        ServiceInfo(HTTP_TYPE, f"{name}.{HTTP_TYPE}", port=port, properties={"path": "/admin/"}, server=server, addresses=packed),
    ]


def register(zeroconf: Zeroconf) -> list[ServiceInfo]:
    """Announce Hearth; another box's name already on the network gets a number appended."""
    infos = services()
    for info in infos:
        zeroconf.register_service(info, allow_name_change=True)
    log.info("mDNS: announced %s on %s", ", ".join(i.name for i in infos), infos[0].server)
    return infos
