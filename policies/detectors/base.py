"""Types shared by the detectors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

KINDS: tuple[str, ...] = (
    "PERSON",
    "EMAIL",
    "PHONE",
    "ADDRESS",
    "CARD",
    "IBAN",
    "NATIONAL_ID",
    "DOB",
    "AGE",
    "IP",
    "MAC",
    "URL_CREDENTIALS",
    "SECRET",
    "GPS",
    "HOUSEHOLD",
    "LOCATION",  # a city, region or country on its own (a street address is ADDRESS)
    "ORGANIZATION",  # a school, employer, clinic, club, bank by name
    "DATE",  # a date or time other than a date of birth
    "NRP",  # a nationality, religion or political group
)


@dataclass(frozen=True, slots=True)
class Span:
    """A personal-data finding: its kind and [start, end) in the original text."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class HouseholdTerm:
    """A term the owner marks as private (a child's name, the street, the school)."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A finding in normalized-text offsets, before overlaps are resolved."""

    kind: str
    start: int
    end: int
    strong: bool = False  # found by a cue that says what it is ("works at X"): its kind wins a tie over a model's guess


@lru_cache(maxsize=8)
def lowered(text: str) -> str:
    """Return text in lower case, one character for one, so that offsets into it hold for text."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def lower_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a case-insensitive pattern to run on lowered() text.

    Without IGNORECASE the regex engine can skip ahead to a possible first character;
    with it, it tries every position: five to ten times slower on ordinary prompts.
    """
    return re.compile(pattern.replace("(?i)", "").replace("(?i:", "(?:").replace("(?im)", "(?m)"))


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """Return the four languages' function words (spaCy's stop-word lists), case-folded.

    Never a name of anyone or anything: "mr hollis" is a name, "the Dr. said" and "in love" hold none.
    """
    from spacy.lang.de.stop_words import STOP_WORDS as de
    from spacy.lang.en.stop_words import STOP_WORDS as en
    from spacy.lang.es.stop_words import STOP_WORDS as es
    from spacy.lang.fr.stop_words import STOP_WORDS as fr

    return frozenset(w.casefold() for w in en | de | fr | es)
