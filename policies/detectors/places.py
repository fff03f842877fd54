"""Cities, countries and regions by name: GeoNames' place names (data/places.tsv, built by data/build_places.py).

The small pipelines miss many places, more so in German (no pipeline) and in short
prompts, and take others for people or firms ("Preston", "Croydon"). A place name is
taken on its own when it cannot well be anything else (a country, a large city that is
no first name and no common word) or when a place preposition stands before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from policies.detectors.base import Candidate, function_words

_DATA = Path(__file__).parent / "data"
BIG_CITY = 100_000  # a city this large is taken without a preposition before it

# Capitalised words that are also ordinary words, names of things or common nouns (German
# capitalises every noun): a town of that name needs a place preposition before it.
_COMMON = frozenset(
    [
        "Of",
        "Most",
        "Nice",
        "Reading",
        "Mobile",
        "Split",
        "Bath",
        "Orange",
        "Hope",
        "Mission",
        "Independence",
        "Aurora",
        "Eagle",
        "Normal",
        "Order",
        "Police",
        "Victory",
        "Union",
        "Liberty",
        "Concord",
        "Plymouth",
        "Sale",
        "Deal",
        "Wells",
        "Wick",
        "Ely",
        "Gay",
        "Bury",
        "Hyde",
        "Street",
        "Lincoln",
        "Jackson",
        "Washington",
        "Essen",
        "Halle",
        "Hof",
        "Bergen",
        "Wetter",
        "Weil",
        "Mark",
        "Wesel",
        "Hamm",
        "Marl",
        "Stade",
        "Bad",
        "Kirchen",
        "Sonne",
        "Brake",
        "Weiden",
        "Unna",
        "Olpe",
        "Lahr",
        "Aue",
        "Rain",
        "Lage",
        "Worms",
        "Wald",
        "Berg",
        "Hütte",
        "Kaufen",
        "Tours",
        "Sens",
        "Vienne",
        "Bar",
        "Dole",
        "Leon",
        "León",
        "Marbella",
        "Mérida",
        "Salamanca",
        "Granada",
        "Valencia",
        "Victoria",
        "Santiago",
        "Trinidad",
        "Esperanza",
        "Concepción",
        "Paz",
        "Manzanillo",
        "Sevilla",
        "Mayor",
        "Florida",
        "Nevada",
        "Montana",
        "Colorado",
        "Virginia",
        "Carolina",
        "Georgia",
        "Indiana",
        "Maine",
        "America",
        "Amerika",
        "Jersey",
        "Guernsey",
        "Turkey",
        "Chad",
        "Jordan",
        "Niger",
        "Mali",
        "Togo",
        "Cuba",
        "Oman",
        "Peru",
        "Chile",
        "Congo",
        "Nauru",
        "Grenada",
        "March",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "April",
        "Paris",
    ]
)
# Countries and cities that are also words above but can stand alone as places when no
# other reading is likely (capitalised, not at a sentence's start): "Peru", "Chile", "Cuba"...
_ALONE_OK = frozenset(
    ["Chile", "Peru", "Cuba", "Oman", "Mali", "Togo", "Congo", "Nauru", "Grenada", "Niger", "America", "Amerika", "Paris"]
)

_PLACE_PREP = (
    r"in|from|near|around|outside|visit|visiting|via|towards|to|at|flying to|fly to|moving to|moved to|born in|live in|lives in"
    r"|nach|aus|von|bei|um|nahe|nähe|richtung"
    r"|à|au|aux|en|vers|depuis|près de|de|d'|dans la région de"
    r"|a|desde|hacia|cerca de|por|hasta|del"
)
_PREP_BEFORE = re.compile(rf"(?i:(?:^|[\s(\"'])(?:{_PLACE_PREP}))\s*$")
# After these, a name is a place, not a person, even when it is also a first name.
_STRONG_PREP_BEFORE = re.compile(r"(?i:(?:^|[\s(])(?:in|from|near|nach|aus|à|en|près de|depuis|desde|hacia|cerca de))\s+$")
_TITLE_BEFORE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Dra|Prof|Pr|Me|Mme|Mlle|Sr|Sra|Srta|Herr|Herrn|Frau|St|Saint|San|Santa|Sankt)\.?|\bM\.)\s+$"
)
_CONNECT = r"(?:am|an der|im|upon|on|sur|de|del|de la|la|le|les|el|los|las|of|y|en|ob der|bei)"
_CAP_WORD = r"[A-ZÀ-ÖØ-ÞĀ-ɏ][a-zß-öø-ÿā-ɏ'’]+(?:-[A-ZÀ-ÖØ-ÞĀ-ɏa-zß-öø-ÿ][a-zß-öø-ÿā-ɏ'’]+)*"
_RUN = re.compile(rf"(?<![\w\-'’.@/])(?P<run>{_CAP_WORD}(?:[ \t]+(?:{_CONNECT}[ \t]+)?{_CAP_WORD}){{0,3}})(?![\w\-@/]|\.\w)")


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, tuple[str, int]]:
    """Return each place name's kind (country, region or city) and population."""
    out: dict[str, tuple[str, int]] = {}
    for line in (_DATA / "places.tsv").read_text("utf-8").splitlines():
        name, kind, population = line.split("\t")
        out[name] = (kind, int(population))
    return out


def known(value: str) -> tuple[str, int] | None:
    """Return a place name's kind and population, or None when it names no known place."""
    value = value.strip()
    if value.endswith(("'s", "’s")):
        value = value[:-2]
    return gazetteer().get(value)


def _first_names() -> frozenset[str]:
    from policies.detectors.ner import first_names

    return first_names()


def is_place(text: str, start: int, end: int) -> bool:
    """Tell whether text[start:end] is a known place here: by its name, and its context for a first name."""
    found = known(text[start:end])
    if found is None:
        return False
    value = text[start:end]
    if value.split()[0].casefold() in _first_names() or value in _COMMON:
        return bool(_STRONG_PREP_BEFORE.search(text, max(0, start - 16), start))
    return True


_AND_AFTER = re.compile(rf"[ \t]+(?:and|et|und|y|&|to|nach|à|a|-|–)[ \t]+(?P<other>{_CAP_WORD})")
_AND_BEFORE = re.compile(rf"(?P<other>{_CAP_WORD})[ \t]+(?:and|et|und|y|&|to|from|nach|von|à|de|a|-|–)[ \t]+$")


def _district(value: str) -> tuple[str, int] | None:
    """Return the city of a district written "City-District", or None."""
    if "-" not in value or " " in value:
        return None
    city = known(value.split("-")[0])
    return city if city is not None and city[0] == "city" else None


def _beside_a_place(text: str, start: int, end: int) -> bool:
    """Tell whether a place that no other word names stands beside this one: "entre Nancy et Metz"."""
    first = _first_names()
    for m in (_AND_AFTER.match(text, end), _AND_BEFORE.search(text, max(0, start - 30), start)):
        if m is not None:
            other = m.group("other")
            if known(other) is not None and other.casefold() not in first and other not in _COMMON:
                return True
    return False


# A big city or a country in lower case after a place preposition: "the concert in hamburg", "à bordeaux".
_LOWER_AFTER_PREP = re.compile(
    r"(?:^|[\s(])(?:in|to|from|nach|aus|en|à|desde|hacia|cerca de|près de)[ \t]+(?P<place>[a-zß-öø-ÿ][a-zß-öø-ÿ\-]{2,24})(?![\w\-])"
)


# A letter's place and date: "Sevilla, a 21 de octubre de 2024", "Nancy, le 3 mars", "Köln, den 3. März", "Leeds, 2 May".
_LETTER_DATE_AFTER = re.compile(r",[ \t]+(?P<article>(?:a|le|den|am|el)[ \t]+)?\d{1,2}(?:\.|er|st|nd|rd|th)?[ \t]+[^\W\d_]")


# A country in lower case after an article or "and": "zwischen der schweiz und österreich", "la france et l'espagne".
_LOWER_COUNTRY = re.compile(
    r"(?:^|[\s(])(?:der|die|den|dem|la|le|el|the|und|and|et|y|oder|or|ou|o|l['’])[ \t]*(?P<place>[a-zß-öø-ÿ][a-zß-öø-ÿ\-]{3,24})(?![\w\-])"
)


# Countries whose name in lower case is also a word: "la reunión", "the turkey", "el chile", "la malta".
_COUNTRY_WORDS = frozenset(
    ["reunión", "réunion", "reunion", "guinea", "jersey", "chad", "turkey", "china", "georgia", "jordan", "niger", "chile",
     "malta", "panama", "panamá", "togo", "mali", "oman", "iran", "israel", "samoa", "tonga", "cuba", "bahamas"]
)  # fmt: skip


def _lower_places(text: str) -> Iterator[Candidate]:
    words, first = function_words(), _first_names()
    for pattern in (_LOWER_COUNTRY, _LOWER_AFTER_PREP):
        for m in pattern.finditer(text):
            word = m.group("place")
            if word in words or word in first:
                continue
            name = "-".join(part[:1].upper() + part[1:] for part in word.split("-"))
            found = known(name)
            if found is None or name in _COMMON:
                continue
            if pattern is _LOWER_COUNTRY:
                ok = found[0] == "country" and word not in _COUNTRY_WORDS  # after an article: countries only
            else:
                ok = found[0] != "city" or found[1] >= BIG_CITY  # after a preposition: big cities too
            if ok:
                yield Candidate("LOCATION", m.start("place"), m.end("place"))


def find_places(text: str) -> Iterator[Candidate]:
    """Yield countries, regions and cities named in text that no other reading fits better."""
    yield from _lower_places(text)
    first = _first_names()
    for m in _RUN.finditer(text):
        start, end = m.span("run")
        value = m.group("run")
        found = known(value)
        if found is None and " " in value:
            # "Kiel Hauptbahnhof", "Madrid Barajas": a place at the head of a longer name
            head = value.split()[0]
            if known(head) is not None and known(head)[0] != "city":  # type: ignore[index]
                value, end, found = head, start + len(head), known(head)
        if found is None and " " in value:
            # "Filiale Frankfurt-Bockenheim", "Klinikum Erfurt": a place at the end of a longer name
            words = value.split()
            for n in (2, 1):
                tail = " ".join(words[-n:])
                if n < len(words) and words[-n].casefold() not in first and tail not in _COMMON:
                    hit = known(tail) or _district(tail)
                    if hit is not None:
                        start, value, found = end - len(tail), tail, hit
                        break
        if found is None and "-" in value and " " not in value and (city := known(value.split("-")[0])) is not None and city[0] == "city":
            found = city  # "Frankfurt-Bockenheim": a district of a known city
        if found is None:
            continue
        kind, population = found
        before = text[max(0, start - 24) : start]
        if _TITLE_BEFORE.search(before):
            continue  # "Mrs Florence", "St Albans" as a saint, "San Diego" is taken whole
        after = text[end : end + 2]
        if after[:1] == " " and after[1:2].isupper() and " " not in value and kind == "city":
            continue  # "Preston Smith": a first word of a longer name
        words = value.split()
        prep = bool(_PREP_BEFORE.search(before))
        strong = bool(_STRONG_PREP_BEFORE.search(before))
        ambiguous = words[0].casefold() in first or value in _COMMON
        at_start = before.rstrip(" \t\"'«“„¿¡(")[-1:] in ("", "\n", ".", ":", "!", "?")
        letter = _LETTER_DATE_AFTER.match(text, end) if at_start else None
        if letter is not None and (not ambiguous or letter.group("article")):
            ok = True
        elif ambiguous:
            ok = strong or (value in _ALONE_OK and not at_start) or _beside_a_place(text, start, end)
        elif kind == "city":
            ok = prep or population >= BIG_CITY or len(words) > 1
        else:
            ok = True
        if ok:
            yield Candidate("LOCATION", start, end)
