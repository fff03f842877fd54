"""Postal addresses: street lines in English, German, French and Spanish forms, and postcodes."""

from __future__ import annotations

import re

from policies.detectors.base import Candidate

_W = r"[A-ZÀ-ÖØ-ÞĀ-ɏ][\w'’\-]*"  # a capitalised word
_LW = r"[^\W\d_][\w'’\-]*"  # any word

_EN_TYPES = (
    r"(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|pl"
    r"|terrace|ter|circle|cir|close|crescent|cres|parkway|pkwy|highway|hwy|square|sq|row|grove"
    r"|gardens|mews|walk|hill|trail|trl|loop|pike|alley|mall|road north|broadway)\b\.?"
)
_UNIT = r"(?:,?\s*(?:apt|apartment|unit|suite|ste|flat|#)\.?\s*#?\s*[\w\-]{1,6})?"
_US_STATE = (
    r"(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|P[AR]|RI|S[CD]"
    r"|T[NX]|UT|V[AIT]|W[AIVY])"
)
_UK_POSTCODE = r"(?:[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})"
_CITY_TAIL = (
    rf"(?:,?\s+{_W}(?:\s+{_W}){{0,2}}(?:,?\s+{_US_STATE})?(?:,?\s+\d{{5}}(?:-\d{{4}})?)?"
    rf"|,?\s+{_UK_POSTCODE}|,?\s+\d{{4,5}}\s+{_W}(?:[\s\-]{_W})?)?"
)
_EN_STREET = re.compile(
    rf"(?<![\w\-])\d{{1,5}}[A-Za-z]?(?:-\d{{1,4}})?\s+(?:(?:[NSEW]|north|south|east|west)\.?\s+)?"
    rf"(?:{_W}\s+){{0,3}}(?:\d{{1,3}}(?:st|nd|rd|th)\s+)?(?i:{_EN_TYPES})"
    rf"{_UNIT}(?:,?\s+{_W}(?:\s+{_W}){{0,2}},?\s+(?:{_US_STATE}|{_UK_POSTCODE})(?:\s+\d{{5}}(?:-\d{{4}})?)?"
    rf"|,\s+{_W}(?:\s+{_W}){{0,2}}(?:,?\s+{_UK_POSTCODE})?)?",
)
# German-speaking: "Hauptstraße 12a, 10115 Berlin", "Am Lindenweg 3"
_DE_SUFFIX = (
    r"(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|steig|pfad|markt|hof|berg"
    r"|graben|kamp|wall|zeile)"
)
_DE_STREET = re.compile(
    rf"(?<![\w\-])(?:(?:Am|An der|Auf dem|Im|In der|Zum|Zur)\s+)?[A-ZÄÖÜĀ-ɏ][^\W\d_]*?-?{_DE_SUFFIX}"
    rf"(?:\s+[A-ZÄÖÜ][a-zäöüß]+)?\s+\d{{1,4}}\s?[a-zA-Z]?\b(?:,?\s+\d{{5}}\s+{_W}(?:[\s\-]{_W})?)?"
    rf"|(?<![\w\-])(?:[A-ZÄÖÜ][a-zäöüß]+\s+)(?:Straße|Strasse|Weg|Gasse|Platz|Allee|Ring|Damm)"
    rf"\s+\d{{1,4}}\s?[a-zA-Z]?\b(?:,?\s+\d{{5}}\s+{_W})?"
)
# French: "12 bis, rue de la Paix, 75002 Paris"; Spanish: "Calle Mayor 5, 28013 Madrid", "C/ Alcalá, 42"
_FR_TYPES = r"(?:rue|avenue|av\.|boulevard|bd|place|chemin|allée|allee|impasse|quai|route|cours|square|passage)"
_FR_STREET = re.compile(
    rf"(?<![\w\-])\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+(?i:{_FR_TYPES})\s+(?:(?:de la|de l'|du|des|de|d')\s*)?"
    rf"{_LW}(?:[\s\-]{_W}){{0,3}}(?:,?\s+\d{{5}}\s+{_W}(?:[\s\-]{_W})?)?"
)
_ES_TYPES = r"(?:calle|c/|avenida|avda\.|av\.|plaza|pza\.|paseo|camino|carrer|ronda|travesía)"
_ES_STREET = re.compile(
    rf"(?<![\w\-])(?i:{_ES_TYPES})\s*(?:(?:de la|de los|del|de)\s+)?{_W}(?:\s+{_W}){{0,3}},?\s+(?:n[º°o]\.?\s*)?"
    rf"\d{{1,4}}(?:,?\s*\d{{1,2}}[º°]\s?[A-Za-z]?)?(?:,?\s+\d{{5}}\s+{_W})?"
)
_UK_POSTCODE_ALONE = re.compile(rf"(?<![\w])(?-i:{_UK_POSTCODE})(?![\w])")
_ADDRESS_CUE = re.compile(
    r"(?i)\b(?:i live (?:at|on|in)|we live (?:at|on)|my address(?: is)?|home address|wohne (?:in der|in|am|an der)"
    r"|meine adresse(?: ist)?|j'habite (?:au|à|rue)|vivo en)\s+"
)


def find_addresses(text: str) -> list[Candidate]:
    """Find street addresses (with city and postcode when present) and UK postcodes."""
    found: list[Candidate] = []
    for pattern in (_EN_STREET, _DE_STREET, _FR_STREET, _ES_STREET):
        for m in pattern.finditer(text):
            span = m.group().rstrip(" ,")
            found.append(Candidate("ADDRESS", m.start(), m.start() + len(span)))
    for m in _UK_POSTCODE_ALONE.finditer(text):
        found.append(Candidate("ADDRESS", m.start(), m.end()))
    return found
