"""Detectors for structured identifiers: checked by checksum or a library where one exists."""

from __future__ import annotations

import ipaddress
import math
import re
from collections import Counter
from collections.abc import Callable

import phonenumbers
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.fr import nir as fr_nir
from stdnum.gb import nhs as gb_nhs
from stdnum.it import codicefiscale as it_cf
from stdnum.us import ssn as us_ssn

from policies.detectors.base import Candidate

_SEP = r"[ \t.\-]"  # what people put between digit groups, or to hide a value

# --- e-mail ----------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][\w.+\-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}\.)+[A-Za-z]{2,24}(?![\w-])")
# "anna dot smith at gmail dot com", "anna(at)gmail(dot)com", "anna [at] gmail.com"
_AT = r"(?:\s*[\[(]\s*at\s*[\])]\s*|\s+at\s+|\s*@\s*)"
_DOT = r"(?:\s*[\[(]\s*dot\s*[\])]\s*|\s+dot\s+|\s*\.\s*)"
_EMAIL_OBFUSCATED = re.compile(
    rf"(?<![\w.])[A-Za-z0-9][\w+\-]*(?:{_DOT}[\w+\-]+)*{_AT}[A-Za-z0-9\-]+(?:{_DOT}[A-Za-z0-9\-]+)*"
    rf"{_DOT}(?:com|net|org|de|fr|es|uk|co\.uk|io|edu|gov|info|ch|at|nl|it|eu|me|us|ca)\b",
    re.IGNORECASE,
)

# --- cards and bank accounts -----------------------------------------------------------
_CARD = re.compile(rf"(?<![\w.\-])\d(?:{_SEP}?\d){{12,18}}(?![\w\-]|\.\d)")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[ \-]?\d{2}(?:[ \-]?[A-Za-z0-9]){10,32}(?![A-Za-z0-9])")

# --- national identifiers --------------------------------------------------------------
_SSN = re.compile(r"(?<![\w\-.])\d{3}([ \-.]?)\d{2}\1\d{4}(?![\w\-]|\.\d)")
_SSN_CUE = re.compile(r"(?i)\b(ssn|social security|soc\.? sec|taxpayer|tin|itin)\b")
_NINO = re.compile(
    r"(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"[ \-]?\d{2}[ \-]?\d{2}[ \-]?\d{2}[ \-]?[A-D](?![A-Za-z0-9])",
    re.IGNORECASE,
)
_NHS = re.compile(r"(?<![\w\-])\d{3}[ \-]?\d{3}[ \-]?\d{4}(?![\w\-])")
_NHS_CUE = re.compile(r"(?i)\bnhs\b")
_ES_ID = re.compile(r"(?<![A-Za-z0-9])(?:\d{8}|[XYZ]\d{7})[ \-]?[A-Za-z](?![A-Za-z0-9])")
_FR_NIR = re.compile(r"(?<![\w])[12](?: ?\d){12}(?: ?\d{2})(?!\w)")
_IT_CF = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{6}\d{2}[A-Za-z]\d{2}[A-Za-z]\d{3}[A-Za-z](?![A-Za-z0-9])")
_DE_IDNR = re.compile(r"(?<![\w])\d{2} ?\d{3} ?\d{3} ?\d{3}(?!\w)")
_DE_CUE = re.compile(r"(?i)(steuer[- ]?id|steueridentifikationsnummer|idnr|identifikationsnummer|tax id)")

# --- network ---------------------------------------------------------------------------
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_MAC = re.compile(
    r"(?<![\w:\-])(?:[0-9A-Fa-f]{2}([:\-]))(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}(?![\w:\-])"
    r"|(?<![\w.])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![\w.])"
)
_URL_CRED = re.compile(r"\b[a-z][a-z0-9+.\-]{1,15}://[^\s/:@]+:[^\s/@]+@[^\s/?#]+", re.IGNORECASE)
_URL_TOKEN = re.compile(r"(?i)[?&](?:access_token|token|api_key|apikey|key|sig|signature|password|pwd|secret|auth)=([^\s&#]{6,})")

# --- secrets ---------------------------------------------------------------------------
_KNOWN_SECRETS = re.compile(
    r"(?<![\w\-])(?:"
    r"sk-(?:proj-|ant-(?:api\d\d-)?|live-)?[A-Za-z0-9_\-]{20,}"
    r"|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}"
    r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}"
    r"|glpat-[A-Za-z0-9_\-]{20,}|xox[abposr]-[A-Za-z0-9\-]{10,}"
    r"|AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|AIza[0-9A-Za-z_\-]{35}"
    r"|hf_[A-Za-z0-9]{30,}|npm_[A-Za-z0-9]{36}|SG\.[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{20,}"
    r"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"
    r")"
)
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)")
_PASSWORD = re.compile(
    r"(?i)\b(?:password|passwort|passcode|pass ?phrase|kennwort|mot de passe|contraseña|contrasena"
    r"|pin(?: code)?|wifi key|wi-fi key|api key|secret|token|pwd|pw)"
    r"(?:\s+(?:is|ist|est|es|was|=|:|to|for \w+(?: \w+)? is))?\s*[:=]?\s*"
    r"[\"'“‘]?(?P<value>[^\s\"'”’]{4,})"
)
_PASSWORD_STOP = frozenset({"again", "change", "changed", "expired", "field", "forgot", "forgotten", "hint", "length", "manager", "managers", "please", "policy", "protected", "protection", "recovery", "required", "reset", "strength", "strong"})  # fmt: skip
_TOKENISH = re.compile(r"(?<![\w/+=\-])[A-Za-z0-9_\-+/=]{24,}(?![\w/+=\-])")

# --- places and dates ------------------------------------------------------------------
_GPS = re.compile(r"(?<![\w.\-])([-+]?\d{1,2}\.\d{3,})\s*[,;/ ]\s*([-+]?\d{1,3}\.\d{3,})(?![\w.])")
_GPS_DMS = re.compile(
    r"\d{1,2}\s*°\s*\d{1,2}\s*['′]\s*(?:\d{1,2}(?:\.\d+)?\s*(?:\"|″|''))?\s*[NS]"
    r"[\s,]*\d{1,3}\s*°\s*\d{1,2}\s*['′]\s*(?:\d{1,2}(?:\.\d+)?\s*(?:\"|″|''))?\s*[EWO]"
)
_MONTHS = (
    r"(?:jan(?:uary|uar)?|feb(?:ruary|ruar)?|m[aä]r(?:ch|z)?|apr(?:il)?|ma[yi]|june?|juni|july|juli"
    r"|aug(?:ust)?|sep(?:t|tember)?|o[ck]t(?:ober)?|nov(?:ember)?|de[cz](?:ember)?"
    r"|janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre"
    r"|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\.?"
)
_DATE = (
    r"(?:\d{1,2}[./\-]\d{1,2}[./\-](?:19|20)?\d{2}|(?:19|20)\d{2}-\d{1,2}-\d{1,2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th|er)?\.?\s+(?:of\s+|de\s+)?{_MONTHS}(?:,?\s+(?:de\s+)?(?:19|20)\d{{2}})?"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d{{2}})?)"
)
_DOB = re.compile(
    r"(?i)\b(?:born(?:\s+on)?|date of birth|d\.?o\.?b\.?|birth ?date|birthday(?:\s+is)?(?:\s+on)?"
    r"|geboren(?:\s+am)?|geburtsdatum|geburtstag(?:\s+ist)?(?:\s+am)?|né(?:e)?\s+le|date de naissance"
    r"|anniversaire(?:\s+est)?(?:\s+le)?|nacido\s+el|nacida\s+el|fecha de nacimiento|cumpleaños(?:\s+es)?(?:\s+el)?)"
    rf"\s*[:\-]?\s*(?:is\s+|was\s+|on\s+|the\s+|am\s+|le\s+|el\s+)?(?P<date>{_DATE})"
)
_AGE = re.compile(
    r"(?i)(?P<age>\b\d{1,3}[\s\-]*(?:years?|yrs?|yo|y/o|jahre?n?|ans|años|months?|monate?)"
    r"(?:[\s\-]*old|[\s\-]*alt)?\b(?!\s+(?:ago|later|from|since|warranty)))"
    r"|\b(?:aged|age|alter|âge|edad)\s*[:\-]?\s*(?P<age2>\d{1,3})\b"
    r"|\b(?:i'm|i am|he's|she's|he is|she is|they are|turns?|turning|just turned|ich bin|er ist|sie ist"
    r"|tengo|tiene|j'ai|il a|elle a)\s+(?P<age3>\d{1,3})(?=\s*(?:$|[.,!?;]|and\b|und\b|y\b|et\b|today|now|tomorrow))"
)


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def _add(found: list[Candidate], kind: str, m: re.Match[str], group: int | str = 0) -> None:
    found.append(Candidate(kind, m.start(group), m.end(group)))


def _near(text: str, start: int, end: int, cue: re.Pattern[str], width: int = 40) -> bool:
    return cue.search(text, max(0, start - width), min(len(text), end + width)) is not None


def _cards(text: str, found: list[Candidate]) -> None:
    for m in _CARD.finditer(text):
        d = _digits(m.group())
        if re.search(r"[A-Za-z]{2}\d{2}[ \-]?$", text[max(0, m.start() - 6) : m.start()]):
            continue  # the tail of an IBAN-shaped string, not a card
        if 13 <= len(d) <= 19 and luhn.is_valid(d) and d[0] in "2345689" and len(set(d)) > 1:
            _add(found, "CARD", m)


def _ibans(text: str, found: list[Candidate]) -> None:
    for m in _IBAN.finditer(text):
        raw = m.group()
        # The regex is greedy; shrink from the right until mod-97 holds.
        compact = re.sub(r"[ \-]", "", raw).upper()
        for cut in range(len(compact), 14, -1):
            if std_iban.is_valid(compact[:cut]):
                # find the original end for `cut` significant characters
                n = 0
                end = m.start()
                for i, ch in enumerate(raw):
                    if ch not in " -":
                        n += 1
                    if n == cut:
                        end = m.start() + i + 1
                        break
                found.append(Candidate("IBAN", m.start(), end))
                break


def _national_ids(text: str, found: list[Candidate]) -> None:
    for m in _SSN.finditer(text):
        d = _digits(m.group())
        has_sep = bool(m.group(1))
        if us_ssn.is_valid(d) and (has_sep or _near(text, m.start(), m.end(), _SSN_CUE)):
            _add(found, "NATIONAL_ID", m)
    for m in _NINO.finditer(text):
        _add(found, "NATIONAL_ID", m)
    for m in _NHS.finditer(text):
        if gb_nhs.is_valid(_digits(m.group())) and _near(text, m.start(), m.end(), _NHS_CUE):
            _add(found, "NATIONAL_ID", m)
    for m in _ES_ID.finditer(text):
        v = re.sub(r"[ \-]", "", m.group()).upper()
        if es_dni.is_valid(v) or es_nie.is_valid(v):
            _add(found, "NATIONAL_ID", m)
    for m in _FR_NIR.finditer(text):
        if fr_nir.is_valid(m.group().replace(" ", "")):
            _add(found, "NATIONAL_ID", m)
    for m in _IT_CF.finditer(text):
        if it_cf.is_valid(m.group().upper()):
            _add(found, "NATIONAL_ID", m)
    for m in _DE_IDNR.finditer(text):
        if _near(text, m.start(), m.end(), _DE_CUE, 60):
            from stdnum.de import idnr

            if idnr.is_valid(m.group().replace(" ", "")):
                _add(found, "NATIONAL_ID", m)


_PHONE_CANDIDATE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d \t().\-/]{5,20}\d(?![\w])")
_PHONE_CUE = re.compile(
    r"(?i)(call|phone|tel\b|tel\.|mobile|cell|whats ?app|text|sms|fax|reach|ring|dial|handy|telefon|ruf|"
    r"appel|portable|llama|móvil|movil|contact)"
)
_NOT_PHONE_CUE = re.compile(
    r"(?i)(order|tracking|invoice|reference|ref\.?|account|customer|ticket|flight|isbn|serial|"
    r"bestell|rechnung|kunden|commande|pedido|factura|card|karte|carte|tarjeta|iban)\W*(?:number|no\.?|nr\.?|#|nummer)?\W*$"
)
_REGIONS = (
    "US",
    "GB",
    "DE",
    "FR",
    "ES",
    "IT",
    "NL",
    "CH",
    "AT",
    "IE",
    "CA",
    "AU",
    "IN",
)


def _valid_phone(candidate: str, intl: bool) -> bool:
    try:
        if intl:
            return bool(phonenumbers.is_valid_number(phonenumbers.parse(candidate, None)))
        for region in _REGIONS:
            num = phonenumbers.parse(candidate, region)
            if phonenumbers.is_possible_number(num) and phonenumbers.is_valid_number_for_region(num, region):
                return True
    except phonenumbers.NumberParseException:
        return False
    return False


def _phones(text: str, found: list[Candidate]) -> None:
    for m in _PHONE_CANDIDATE.finditer(text):
        raw = m.group()
        d = _digits(raw)
        if not 7 <= len(d) <= 15:
            continue
        if re.fullmatch(
            r"\d{1,2}[./\-]\d{1,2}[./\-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{3}([ \-.])\d{2}\1\d{4}",
            raw,
        ):
            continue  # a date, or shaped like an SSN
        start = m.start()
        # An opening parenthesis with no closing one is not part of the number.
        if raw.startswith("(") and ")" not in raw:
            start += 1
            raw = raw[1:]
        intl = raw.startswith(("+", "00"))
        context = text[max(0, start - 30) : start].lower()
        if _NOT_PHONE_CUE.search(context):
            continue
        if not intl:
            bare = raw.isdigit()
            if len(d) > 12 or (len(d) > 11 and not d.startswith("0")):
                continue  # national numbers are at most 11 digits; longer runs are references
            if bare and not (d.startswith("0") or _PHONE_CUE.search(text, max(0, start - 40), start)):
                continue  # a plain digit run is a phone number only when something says so
        candidate = "+" + raw[2:] if raw.startswith("00") else raw
        ok = _valid_phone(candidate, intl)
        if ok:
            found.append(Candidate("PHONE", start, m.end()))


def _network(text: str, found: list[Candidate]) -> None:
    for m in _IPV4.finditer(text):
        try:
            ipaddress.IPv4Address(m.group())
        except ValueError:
            continue
        before = text[max(0, m.start() - 9) : m.start()].lower()
        if re.search(r"\b(version|v|ver\.?)\s*$", before):
            continue
        _add(found, "IP", m)
    for m in _IPV6.finditer(text):
        if m.group().count(":") < 2 or not re.search(r"[0-9A-Fa-f]", m.group()):
            continue
        try:
            ipaddress.IPv6Address(m.group())
        except ValueError:
            continue
        _add(found, "IP", m)
    for m in _MAC.finditer(text):
        _add(found, "MAC", m)


def _entropy(s: str) -> float:
    counts = Counter(s)
    return -sum(c / len(s) * math.log2(c / len(s)) for c in counts.values())


def _secrets(text: str, found: list[Candidate]) -> None:
    for m in _URL_CRED.finditer(text):
        _add(found, "URL_CREDENTIALS", m)
    for m in _URL_TOKEN.finditer(text):
        _add(found, "URL_CREDENTIALS", m, 1)
    for m in _KNOWN_SECRETS.finditer(text):
        _add(found, "SECRET", m)
    for m in _PEM.finditer(text):
        _add(found, "SECRET", m)
    for m in _PASSWORD.finditer(text):
        value = m.group("value").rstrip(".,;:?)")
        if value.lower() in _PASSWORD_STOP or not value:
            continue
        found.append(Candidate("SECRET", m.start("value"), m.start("value") + len(value)))
    for m in _TOKENISH.finditer(text):
        tok = m.group()
        classes = sum(
            (
                any(c.islower() for c in tok),
                any(c.isupper() for c in tok),
                any(c.isdigit() for c in tok),
            )
        )
        if classes >= 3 and _entropy(tok) >= 4.0 and "/" not in tok.strip("/"):
            _add(found, "SECRET", m)


def _places_and_dates(text: str, found: list[Candidate]) -> None:
    for m in _GPS.finditer(text):
        lat, lon = float(m.group(1)), float(m.group(2))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            _add(found, "GPS", m)
    for m in _GPS_DMS.finditer(text):
        _add(found, "GPS", m)
    for m in _DOB.finditer(text):
        _add(found, "DOB", m, "date")
    for m in _AGE.finditer(text):
        for g in ("age", "age2", "age3"):
            if m.group(g) is not None:
                value = _digits(m.group(g))
                if value and int(value) <= 120:
                    _add(found, "AGE", m, g)
                break


def _emails(text: str, found: list[Candidate]) -> None:
    for m in _EMAIL.finditer(text):
        _add(found, "EMAIL", m)
    for m in _EMAIL_OBFUSCATED.finditer(text):
        if "@" in m.group() and " " not in m.group():
            continue  # the plain pattern already has it
        _add(found, "EMAIL", m)


_STEPS: tuple[Callable[[str, list[Candidate]], None], ...] = (
    _emails,
    _secrets,
    _cards,
    _ibans,
    _national_ids,
    _network,
    _phones,
    _places_and_dates,
)


def find_structured(text: str) -> list[Candidate]:
    """Find e-mail, phone, card, IBAN, national id, network, secret, GPS, DOB and age spans."""
    found: list[Candidate] = []
    for step in _STEPS:
        step(text, found)
    return found
