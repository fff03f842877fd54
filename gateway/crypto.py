"""Encryption of provider keys at rest."""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet
from django.conf import settings


@cache
def _fernet() -> Fernet:
    return Fernet(settings.FERNET_KEY.encode())


def encrypt(secret: str) -> str:
    """Return the secret encrypted for storage."""
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    """Return the stored secret in clear, for the one request that needs it."""
    return _fernet().decrypt(token.encode()).decode()


def mask(secret: str) -> str:
    """Return the fixed prefix of a secret that may be shown, never more."""
    if not secret:
        return ""
    return secret[:4] + "…"
