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

# When two findings overlap, their union is one span of the kind listed first.
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
    """Merge overlapping findings into one span covering them all, of the highest-ranked kind.

    Two detectors that disagree on where a value ends must not leave the difference in
    the clear: the union is replaced, never the intersection or one side.
    """
    merged: list[Candidate] = []
    last = len(_PRIORITY)
    for cand in sorted(candidates, key=lambda c: (c.start, -c.end)):
        if cand.end <= cand.start:
            continue
        if merged and cand.start < merged[-1].end:
            top = merged[-1]
            kind = top.kind if _PRIORITY.get(top.kind, last) <= _PRIORITY.get(cand.kind, last) else cand.kind
            merged[-1] = Candidate(kind, top.start, max(top.end, cand.end))
        else:
            merged.append(cand)
    return merged


def detect(text: str, household_terms: Sequence[HouseholdTerm] = (), *, statistical: bool = True) -> list[Span]:
    """Return the personal-data spans of text, as offsets into text itself.

    statistical=False leaves out the statistical NER: the rule-based detectors alone, for
    tests and benchmarks that judge them apart.
    """
    if not text:
        return []
    norm = normalize(text)
    ntext = norm.text
    candidates: list[Candidate] = []
    candidates += find_household(ntext, household_terms)
    candidates += find_structured(ntext)
    candidates += find_addresses(ntext)
    candidates += find_people(ntext)
    if statistical:
        candidates += find_entities(ntext)
    spans: list[Span] = []
    for cand in _resolve(candidates):
        start, end = norm.original_span(cand.start, cand.end)
        if end > start:
            spans.append(Span(cand.kind, start, end))
    return spans
