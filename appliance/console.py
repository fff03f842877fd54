"""What the box prints on its console at start: where to open it, and the setup code."""

from __future__ import annotations

import socket

from django.contrib.auth import get_user_model

from . import setupcode


def lan_address() -> str:
    """Return the address the box uses to reach the network (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the route
            return str(s.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def banner(port: int) -> list[str]:
    """Return the lines to print: the addresses, and the setup code until the box is claimed."""
    suffix = "" if port == 80 else f":{port}"
    lines = [f"open http://hearth.local{suffix}/ or http://{lan_address()}{suffix}/"]
    try:
        claimed = get_user_model().objects.filter(is_superuser=True).exists()
    except Exception:  # noqa: BLE001  (no database yet: not claimed)
        claimed = False
    if not claimed:
        lines.append(f"setup code: {setupcode.ensure_setup_code()}  (also in {setupcode.code_file()})")
    return lines
