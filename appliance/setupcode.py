"""The setup code: printed on the box's console, needed to claim the box in the browser."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from django.conf import settings

# The image's firstboot uses the same alphabet: no 0/O, 1/I to misread on a console.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def code_file() -> Path:
    return Path(settings.HEARTH_SETUP_CODE_FILE)


def ensure_setup_code() -> str:
    """Return the setup code, making it (mode 0640) when the box has none yet."""
    file = code_file()
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        try:
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        except FileExistsError:
            return file.read_text().strip()  # another process made it first
        with os.fdopen(fd, "w") as out:
            out.write(f"{code[:4]}-{code[4:]}\n")
    return file.read_text().strip()


def _normal(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def matches(given: str) -> bool:
    """Say whether `given` is the box's setup code (dashes, spaces and case do not matter)."""
    return hmac.compare_digest(_normal(given).encode(), _normal(ensure_setup_code()).encode())
