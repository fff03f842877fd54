"""Which network interfaces discovery and the announcement use: a setting, not a guess."""

from __future__ import annotations

import ipaddress

import ifaddr
from django.conf import settings
from zeroconf import InterfaceChoice


def addresses() -> list[str]:
    """Return the IPv4 addresses of the configured interfaces (all non-loopback ones by default)."""
    wanted = settings.HEARTH_DISCOVERY_INTERFACES
    found: list[str] = []
    adapters = ifaddr.get_adapters()
    for entry in wanted or [a.name for a in adapters]:
        try:
            found.append(str(ipaddress.IPv4Address(entry)))
            continue
        except ValueError:
            pass
        for adapter in adapters:
            if adapter.name == entry:
                found += [str(ip.ip) for ip in adapter.ips if isinstance(ip.ip, str) and (wanted or not ip.ip.startswith("127."))]
    return list(dict.fromkeys(found))


def zeroconf_interfaces() -> InterfaceChoice | list[str]:
    """Return the interfaces for Zeroconf(): every one, or the configured ones' addresses."""
    if not settings.HEARTH_DISCOVERY_INTERFACES:
        return InterfaceChoice.All
    found = addresses()
    if not found:
        raise RuntimeError(f"HEARTH_DISCOVERY_INTERFACES names no usable interface: {settings.HEARTH_DISCOVERY_INTERFACES}")
    return found
