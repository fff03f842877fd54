"""The Host names the web process answers to when HEARTH_ALLOWED_HOSTS=auto."""

from __future__ import annotations

import fcntl
import socket
import struct
import time
from collections.abc import Iterator
from pathlib import Path

SIOCGIFADDR = 0x8915
_cache: tuple[float, list[str]] = (0.0, [])


def interface_addresses() -> list[str]:
    """Return the box's IPv4 and IPv6 addresses now, re-read at most every five seconds."""
    global _cache
    if time.monotonic() - _cache[0] < 5:
        return _cache[1]
    found: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for _, name in socket.if_nameindex():
            try:
                packed = fcntl.ioctl(s.fileno(), SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
            except OSError:
                continue  # no IPv4 address on this interface
            found.append(socket.inet_ntoa(packed[20:24]))
    try:
        for line in Path("/proc/net/if_inet6").read_text().splitlines():
            raw = line.split()[0]
            address = socket.inet_ntop(socket.AF_INET6, bytes.fromhex(raw))
            if not address.startswith("fe80"):
                found.append(f"[{address}]")
    except OSError:
        pass
    _cache = (time.monotonic(), found)
    return found


class BoxHosts(list[str]):
    """Fixed names plus the addresses the box has at the moment it is asked (DHCP may change them)."""

    def __iter__(self) -> Iterator[str]:
        yield from super().__iter__()
        yield from interface_addresses()
