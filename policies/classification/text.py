"""Text preparation shared by training and inference (so both see the same tokens)."""

from __future__ import annotations

import re

from policies.normalize import normalize

LABELS: tuple[str, ...] = (
    "health",
    "finance",
    "children",
    "identity_contact",
    "location_home",
    "credentials",
    "intimate",
    "legal",
    "general",
)
_NON_WORD = re.compile(r"[\W_]+")
MAX_CHARS = 8000  # long prompts: the head carries the topic; bounds the cost per call


def prepare(text: str) -> str:
    """Fold Unicode tricks and case, keep only words separated by single spaces."""
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS // 2] + " " + text[-MAX_CHARS // 2 :]
    return _NON_WORD.sub(" ", normalize(text).text.casefold()).strip()
