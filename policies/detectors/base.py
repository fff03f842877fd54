"""Types shared by the detectors."""

from __future__ import annotations

from dataclasses import dataclass

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
