"""Find the well-known organisations a household deals with: carriers, banks, insurers, authorities.

The small pipelines miss most one-word firm names ("DHL", "Allianz", "HMRC") or call them
people; a list of the ones households write to and about (data/organisations.txt) finds them
in every language, with or without the pipelines. A name that is also an everyday word or a
product ("Orange", "Sky", "Amazon") counts only next to a word that makes it a party.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from policies.detectors.base import Candidate
from policies.detectors.places import known

_DATA = Path(__file__).parent / "data" / "organisations.txt"

# Just before an ambiguous name: one is with, at or from a firm ("with Orange", "bei Saturn").
_PARTY_BEFORE = re.compile(
    r"(?i:\b(?:with|at|from|by|via|through|to|on|switch(?:ed|ing)? to|bei|von|vom|mit|zu|zur|an|über|chez|avec|de|du|par|à"
    r"|sur|pour|con|por|en|a|al|del|desde|para|forfait|abonnement|abo|offre|tarifa|contrato|factura|plan|bill|tarif|vertrag))[ \t]+$"
)
# Just after one: what a household has with a firm ("Sky bill", "Orange-Rechnung", "factura de Claro" is before).
_PARTY_AFTER = re.compile(
    r"^(?:[ \t]+|-)(?i:bill|account|app|contract|customer|store|shop|order|parcel|delivery|driver|plan|broadband|support"
    r"|router|box|package|subscription|Rechnung|Vertrag|Kundenservice|Kundennummer|Filiale|Paket|Bestellung|Tarif"
    r"|facture|compte|contrat|colis|livreur|commande|forfait|factura|cuenta|contrato|tienda|pedido|paquete|tarifa)\b"
)

# Just after a name: an identifier it issued ("my Medicare number is", "AOK-Versichertennummer" is one word).
_ISSUER_OF = re.compile(r"^[ \t]+(?i:number|no\.|nummer|nr\.|numéro|n°|número|núm\.|id)\b")

# Just after a name: the place of the branch or office it is ("CPAM du Val-de-Marne", "BBVA México").
_PLACE_AFTER = re.compile(r"[ \t]+(?:(?:du|de la|de l'|de|des|del)[ \t]+)?(?P<place>[A-ZÀ-ÖØ-Þ][\w'’]*(?:[ \t\-][A-ZÀ-ÖØ-Þ][\w'’]*){0,2})")


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], frozenset[str]]:
    """Return one pattern over every listed name (longest first) and the names that need a party word."""
    names: list[str] = []
    ambiguous: set[str] = set()
    for line in _DATA.read_text("utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("?"):
            line = line[1:]
            ambiguous.add(line)
        names.append(line)
        if line not in ambiguous and sum(c.isalpha() for c in line) >= 4 and not line.isupper():
            names.append(line.upper())  # as card statements and letterheads write it: "HOFER", "BARCLAYS"
    alternation = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
    # Not inside a word, a hyphenated word, a domain or an address ("AHV-Nummer", "dhl.de", "info@dpd").
    pattern = re.compile(rf"(?<![\w\-.@/])(?:{alternation})(?![\w\-@]|\.\w)")
    return pattern, frozenset(ambiguous)


def find_organisations(text: str) -> Iterator[Candidate]:
    """Yield the listed organisations named in text."""
    pattern, ambiguous = _patterns()
    for m in pattern.finditer(text):
        start, end = m.span()
        name = m.group()
        if known(name) is not None:
            continue  # "Iceland", "Halifax", "Zurich": a place first; the place rules judge it
        if _ISSUER_OF.match(text[end : end + 12]):
            continue  # the number is what is personal there; the structured detectors judge it
        if name in ambiguous and not (_PARTY_BEFORE.search(text, max(0, start - 24), start) or _PARTY_AFTER.match(text[end : end + 24])):
            continue
        if (after := _PLACE_AFTER.match(text, end)) is not None and known(after.group("place")) is not None:
            end = after.end()
        yield Candidate("ORGANIZATION", start, end, strong=True)
