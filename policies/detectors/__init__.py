"""Personal-data span detectors: find what must not leave the house in a piece of text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from policies.detectors.address import find_addresses, widen
from policies.detectors.base import KINDS, Candidate, HouseholdTerm, Span
from policies.detectors.household import find_household
from policies.detectors.ner import find_entities
from policies.detectors.nrp import find_nrp
from policies.detectors.orgs import find_organisations
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


# Kinds told apart by reading words (names, places, firms, dates): when two such findings
# overlap, the one that covers more says what the whole is ("Klinik Dr. Weber" is a firm,
# "10115 Berlin" an address); on equal extents, the first of this order.
_NAMED = ("ADDRESS", "LOCATION", "NRP", "PERSON", "ORGANIZATION", "DATE", "AGE")


def _wins(a: Candidate, b: Candidate) -> bool:
    """Tell whether finding a gives its kind to the union of a and b."""
    last = len(_PRIORITY)
    if a.kind in _NAMED and b.kind in _NAMED:
        la, lb = a.end - a.start, b.end - b.start
        if la == lb and a.strong != b.strong:
            return a.strong
        return la > lb or (la == lb and _NAMED.index(a.kind) <= _NAMED.index(b.kind))
    return _PRIORITY.get(a.kind, last) <= _PRIORITY.get(b.kind, last)


def _resolve(candidates: list[Candidate]) -> list[Candidate]:
    """Merge overlapping findings into one span covering them all, of the kind that wins.

    Two detectors that disagree on where a value ends must not leave the difference in
    the clear: the union is replaced, never the intersection or one side. An identifier's
    kind (a card, an e-mail...) wins over a name's; among names, the longer finding's.
    """
    merged: list[Candidate] = []
    leaders: list[Candidate] = []  # the finding whose kind each merged span carries
    for cand in sorted(candidates, key=lambda c: (c.start, -c.end)):
        if cand.end <= cand.start:
            continue
        if merged and cand.start < merged[-1].end:
            top = merged[-1]
            if not _wins(leaders[-1], cand):
                leaders[-1] = cand
            merged[-1] = Candidate(leaders[-1].kind, top.start, max(top.end, cand.end))
        else:
            merged.append(cand)
            leaders.append(cand)
    return merged


def _names_after_addresses(text: str, entities: list[Candidate], addresses: list[Candidate]) -> list[Candidate]:
    """Start a name that runs on from inside an address where the address ends.

    The model reads "10115 Berlin Zoë Hallo" as one person, the name rules "28013 Madrid Lucía"
    as a surname and a first name; the town is the address's and the rest stays a name. Both
    are still replaced: only where one ends and the other starts moves.
    """
    out = []
    for e in entities:
        for a in addresses:
            if e.kind == "PERSON" and a.start < e.start < a.end < e.end:
                start = a.end
                while start < e.end and not text[start].isalnum():
                    start += 1
                e = Candidate(e.kind, start, e.end, e.strong)
        out.append(e)
    return out


# A message header's or a log's field name before its colon ("Para:", "Asunto:", "Log:"): no name.
_FIELD_NAMES = frozenset(
    [
        "Para",
        "De",
        "Asunto",
        "Enviado",
        "Fecha",
        "Betreff",
        "Von",
        "An",
        "Gesendet",
        "Datum",
        "Objet",
        "Envoyé",
        "Date",
        "Subject",
        "From",
        "To",
        "Sent",
        "Cc",
        "Bcc",
        "Log",
        "Logs",
        "Error",
        "Warning",
        "Info",
        "Debug",
        "Output",
        "Status",
        "Note",
        "Nota",
        "Remarque",
        "Hinweis",
    ]
)


def _is_field_name(text: str, cand: Candidate) -> bool:
    """Tell whether a finding is a field name written before its colon."""
    return text[cand.start : cand.end] in _FIELD_NAMES and text[cand.end : cand.end + 1] == ":"


# Between two parts of one organisation's name: "Kühne + Nagel", "Lehrstuhl für X der Universität".
_ORG_JOIN = re.compile(r"[ \t]+(?:de la|de l'|de los|de las|de|du|des|del|of|von|vom|der|am|im)[ \t]+|[ \t]*[+&][ \t]*|[ \t]+d'")


def _joined_organisations(text: str, candidates: list[Candidate]) -> list[Candidate]:
    """Add one organisation over two firms' names that a connecting word ties into one ("Kühne + Nagel").

    A firm and a place ("Crédit Agricole de Quimper") stay two findings: the place keeps its kind.
    """
    named = sorted((c for c in candidates if c.kind == "ORGANIZATION"), key=lambda c: c.start)
    joined = []
    for i, a in enumerate(named):
        for b in named[i + 1 :]:
            if b.start > a.end + 8:
                break
            if a.end < b.start and _ORG_JOIN.fullmatch(text, a.end, b.start) is not None:
                joined.append(Candidate("ORGANIZATION", a.start, b.end, a.strong))
    return candidates + joined


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
    addresses = find_addresses(ntext)
    # "305-1840 Lonsdale Ave": a unit and house number that a phone pattern took for a number
    candidates = [c for c in candidates if not (c.kind == "PHONE" and any(a.start == c.start and a.end > c.end for a in addresses))]
    candidates += addresses
    candidates += _names_after_addresses(ntext, find_people(ntext), addresses)
    candidates += find_nrp(ntext)
    candidates += find_organisations(ntext)
    if statistical:
        candidates += _names_after_addresses(ntext, find_entities(ntext), addresses)
    candidates = [c for c in candidates if not (c.kind in ("LOCATION", "ORGANIZATION", "PERSON") and _is_field_name(ntext, c))]
    spans: list[Span] = []
    for cand in _resolve(widen(ntext, _joined_organisations(ntext, candidates))):
        start, end = norm.original_span(cand.start, cand.end)
        if end > start:
            spans.append(Span(cand.kind, start, end))
    return spans
