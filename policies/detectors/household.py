"""Match the owner's own private terms (children's names, street, school)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from policies.detectors.base import Candidate, HouseholdTerm
from policies.normalize import normalize


def _term_pattern(value: str) -> re.Pattern[str] | None:
    words = normalize(value).text.split()
    if not words:
        return None
    # Any run of spaces, dots, dashes or underscores may separate the words of a term,
    # and a term may be spelt out letter by letter ("E m m a", "E.m.m.a").
    parts = []
    for word in words:
        letters = [re.escape(ch) for ch in word]
        parts.append(r"[\s.\-_]?".join(letters))
    body = r"[\s.\-_,]+".join(parts)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def find_household(text: str, terms: Sequence[HouseholdTerm]) -> list[Candidate]:
    """Find every occurrence of the household's own terms, case and spacing ignored."""
    found: list[Candidate] = []
    for term in terms:
        pattern = _term_pattern(term.value)
        if pattern is None:
            continue
        for m in pattern.finditer(text):
            found.append(Candidate("HOUSEHOLD", m.start(), m.end()))
    return found
