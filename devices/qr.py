"""A QR code carrying what a device added by hand needs: the API base URL and its key."""

from __future__ import annotations

import json

import segno

from .discovery.announce import base_url


def payload(key: str) -> str:
    """Return the text a QR code carries for a device's key."""
    return json.dumps({"api": f"{base_url()}/v1", "key": key}, separators=(",", ":"))


def svg_data_uri(key: str) -> str:
    """Return the QR code as an SVG data URI, for a page that shows the key once."""
    return str(segno.make(payload(key), error="m").svg_data_uri(scale=4))


def terminal(key: str) -> str:
    """Return the QR code drawn with text blocks, for a console."""
    import io

    out = io.StringIO()
    segno.make(payload(key), error="m").terminal(out=out, compact=True)
    return out.getvalue()
