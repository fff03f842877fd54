"""What the box prints on its console at start: where to open it, and the setup code."""

from __future__ import annotations

import socket

from django.contrib.auth import get_user_model

from devices.discovery.announce import WILDCARDS, base_url, is_loopback

from . import setupcode


def lan_address() -> str:
    """Return the address the box uses to reach the network (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the route
            return str(s.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def addresses(host: str, port: int) -> list[str]:
    """Return the URLs a person or device can open, given where the web process listens."""
    suffix = "" if port == 80 else f":{port}"
    if is_loopback(host):
        return [f"http://127.0.0.1{suffix}/"]
    urls = [base_url() + "/"]
    if host in WILDCARDS:
        urls.append(f"http://{lan_address()}{suffix}/")
    return list(dict.fromkeys(urls))


def banner(host: str, port: int) -> list[str]:
    """Return the lines to print: the addresses, and the setup code until the box is claimed."""
    lines = ["open " + " or ".join(addresses(host, port))]
    if is_loopback(host):
        lines.append("  (this machine only: HEARTH_WEB_HOST=0.0.0.0 lets devices on the network reach it)")
    try:
        claimed = get_user_model().objects.filter(is_superuser=True).exists()
    except Exception:  # noqa: BLE001  (no database yet: not claimed)
        claimed = False
    if not claimed:
        lines.append(f"setup code: {setupcode.ensure_setup_code()}  (also in {setupcode.code_file()})")
    return lines
