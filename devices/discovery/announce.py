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


WILDCARDS = frozenset({"", "0.0.0.0", "::", "[::]"})  # noqa: S104


def is_loopback(host: str) -> bool:
    """Return True when the web process listens only for this machine."""
    host = host.strip("[]")
    return host == "localhost" or host.startswith("127.") or host == "::1"


def base_url() -> str:
    """Return the URL devices are told to use: one they can reach, given where the web process listens."""
    if settings.HEARTH_PUBLIC_URL:
        return str(settings.HEARTH_PUBLIC_URL)
    host, port = settings.HEARTH_WEB_HOST, settings.HEARTH_WEB_PORT
    suffix = "" if port == 80 else f":{port}"
    if is_loopback(host):
        return f"http://127.0.0.1{suffix}"  # only this machine can reach it: say so, not hearth.local
    if host in WILDCARDS:
        return f"http://{settings.HEARTH_MDNS_HOSTNAME}.local{suffix}"
    return f"http://{'[' + host + ']' if ':' in host else host}{suffix}"


def services() -> list[ServiceInfo]:
    """Return the records Hearth announces."""
    host = settings.HEARTH_WEB_HOST
    # Listening on one address: announce that one, the only one a device can reach.
    ips = [host] if host not in WILDCARDS and not is_loopback(host) and ":" not in host else addresses()
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
