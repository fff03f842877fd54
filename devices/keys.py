"""Device keys: 256 random bits, shown once, stored as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "hk-"
PREFIX_SHOWN = 10  # characters of the key kept for display: the prefix and 7 random


def new_key() -> str:
    """Return a new device key."""
    return PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    """Return the stored form of a key."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def shown_prefix(key: str) -> str:
    """Return the part of a key that may be shown again."""
    return key[:PREFIX_SHOWN]
