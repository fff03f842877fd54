"""Personal-data span detectors: find what must not leave the house in a piece of text."""

from __future__ import annotations

from collections.abc import Sequence

from policies.detectors.address import find_addresses
from policies.detectors.base import KINDS, Candidate, HouseholdTerm, Span
from policies.detectors.household import find_household
from policies.detectors.ner import find_entities
from policies.detectors.person import find_people
from policies.detectors.structured import find_structured
from policies.normalize import normalize

__all__ = ["KINDS", "HouseholdTerm", "Span", "detect"]

# When two findings overlap, the kind listed first wins; then the longer one.
_PRIORITY = {
    kind: rank
    for rank, kind in enumerate(
        (
            "SECRET",
            "URL_CREDENTIALS",
            "EMAIL",
            "IBAN",
            "CARD",
            "NATIONAL_ID",
            "HOUSEHOLD",
            "IP",
            "MAC",
            "GPS",
            "PHONE",
            "DOB",
            "ADDRESS",
            "PERSON",
            "ORGANIZATION",
            "LOCATION",
            "DATE",
            "AGE",
            "NRP",
        )
    )
}


def _resolve(candidates: list[Candidate]) -> list[Candidate]:
    chosen: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    ranked = sorted(candidates, key=lambda c: (_PRIORITY[c.kind], -(c.end - c.start), c.start))
    for cand in ranked:
        if any(cand.start < e and s < cand.end for s, e in taken):
            continue
        chosen.append(cand)
        taken.append((cand.start, cand.end))
    return sorted(chosen, key=lambda c: c.start)


def detect(text: str, household_terms: Sequence[HouseholdTerm] = ()) -> list[Span]:
    """Return the personal-data spans of text, as offsets into text itself."""
    if not text:
        return []
    norm = normalize(text)
    ntext = norm.text
    candidates: list[Candidate] = []
    candidates += find_household(ntext, household_terms)
    candidates += find_structured(ntext)
    candidates += find_addresses(ntext)
    candidates += find_people(ntext)
    candidates += find_entities(ntext)
    spans: list[Span] = []
    for cand in _resolve(candidates):
        start, end = norm.original_span(cand.start, cand.end)
        if end > start:
            spans.append(Span(cand.kind, start, end))
    return spans
