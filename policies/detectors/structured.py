"""Detectors for structured identifiers: checked by checksum or a library where one exists."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from functools import lru_cache

import phonenumbers
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.ar import cbu as ar_cbu
from stdnum.ar import cuit as ar_cuit
from stdnum.be import nn as be_nn
from stdnum.ca import sin as ca_sin
from stdnum.ch import ssn as ch_ssn
from stdnum.cl import rut as cl_rut
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.fr import nir as fr_nir
from stdnum.gb import nhs as gb_nhs
from stdnum.ie import pps as ie_pps
from stdnum.it import codicefiscale as it_cf
from stdnum.mx import curp as mx_curp
from stdnum.mx import rfc as mx_rfc
from stdnum.nl import bsn as nl_bsn
from stdnum.us import ssn as us_ssn

from policies.detectors.base import Candidate
from policies.detectors.cues import find_cued
from policies.detectors.dates import find_dates
from policies.detectors.secrets import find_secrets

_SEP = r"[ \t.\-]"  # what people put between digit groups, or to hide a value

# --- e-mail ----------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][\w.+\-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}\.)+[A-Za-z]{2,24}(?![\w-])")
# "anna dot smith at gmail dot com", "anna(at)gmail(dot)com", "anna [at] gmail.com"
_AT = r"(?:\s*[\[(]\s*at\s*[\])]\s*|\s+at\s+|\s*@\s*)"
_DOT = r"(?:\s*[\[(]\s*dot\s*[\])]\s*|\s+dot\s+|\s*\.\s*)"
_EMAIL_OBFUSCATED = re.compile(
    # Every part is bounded as in RFC 5321, so a long run of word characters costs a
    # bounded scan per start instead of one to the end of the text.
    rf"(?<![\w.\-+])[A-Za-z0-9][\w+\-]{{0,63}}(?:{_DOT}[\w+\-]{{1,63}}){{0,4}}{_AT}[A-Za-z0-9\-]{{1,63}}"
    rf"(?:{_DOT}[A-Za-z0-9\-]{{1,63}}){{0,4}}"
    rf"{_DOT}(?:com|net|org|de|fr|es|uk|co\.uk|io|edu|gov|info|ch|at|nl|it|eu|me|us|ca)\b",
    re.IGNORECASE,
)

# --- cards and bank accounts -----------------------------------------------------------
_CARD = re.compile(rf"(?<![\w.\-+])\d(?:{_SEP}?\d){{11,18}}(?![\w\-]|\.\d)")
_CARD_GROUPS = re.compile(r"\d{4}([ \-])\d{4}\1\d{4}")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[ \-]?\d{2}(?:[ \-]?[A-Za-z0-9]){10,32}(?![A-Za-z0-9])")

# --- national identifiers --------------------------------------------------------------
_SSN = re.compile(r"(?<![\w\-.])\d{3}([ \-.]?)\d{2}\1\d{4}(?![\w\-]|\.\d)")
_SSN_CUE = re.compile(r"(?i)\b(ssn|social security|soc\.? sec|taxpayer|tin|itin)\b")
_NINO = re.compile(
    r"(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"[ \-]?\d{2}[ \-]?\d{2}[ \-]?\d{2}[ \-]?[A-D](?![A-Za-z0-9])",
    re.IGNORECASE,
)
# Written as HMRC writes it, in pairs, a National Insurance number is one whatever its prefix ("QQ 12 34 56 C").
_NINO_PAIRS = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2} \d{2} \d{2} \d{2} [A-D](?![A-Za-z0-9])")
# France's tax number (numéro fiscal, SPI) as the tax notice prints it: 13 digits, 4-3-3-3, first 0 to 3.
_FR_SPI = re.compile(r"(?<![\w.\-])[0-3]\d{3} \d{3} \d{3} \d{3}(?![\w\-]|[.,]\d)")
_NHS = re.compile(r"(?<![\w\-])\d{3}[ \-]?\d{3}[ \-]?\d{4}(?![\w\-])")
# The Dutch citizen service number: nine digits passing the eleven test, with "BSN" nearby.
_NL_BSN = re.compile(r"(?<![\w\-.])\d{4}[ .]?\d{2}[ .]?\d{3}(?![\w\-]|[.,]\d)")
_NL_BSN_CUE = re.compile(r"(?i)\b(?:bsn|burgerservicenummer|sofinummer|sofi-nummer)\b")
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
_EUI64 = re.compile(r"(?:[0-9A-Fa-f]{2}:){7}[0-9A-Fa-f]{2}")
# "MAC a483e7123456", "BSSID: A483E7123456": twelve hex digits written together, after their cue.
_MAC_CUED = re.compile(
    r"(?i:\b(?:mac(?:[ \-]address|[ \-]adresse|[ \-]addr)?|bssid|hardware address|hwaddr|ether))\s*[:=]?\s*"
    r"(?P<value>(?=[0-9A-Fa-f]*\d)[0-9A-Fa-f]{12})(?![0-9A-Za-z])"
)
# --- places and dates ------------------------------------------------------------------
_GPS = re.compile(r"(?<![\w.\-])([-+]?\d{1,2}\.\d{3,})\s*[,;/ ]\s*([-+]?\d{1,3}\.\d{3,})(?!\w|\.\d)")
# "48.8584° N, 2.2945° E", "N 48° 51.507' E 002° 17.656'", and one coordinate after its cue ("lat 51.5007").
_GPS_HEMI = re.compile(
    r"(?<![\w.])\d{1,2}[.,]\d{2,}\s*°?\s*[NS][\s,;/]+\d{1,3}[.,]\d{2,}\s*°?\s*[EWO](?!\w)"
    r"|(?<!\w)[NS]\s*\d{1,2}\s*°\s*\d{1,2}(?:[.,]\d+)?\s*['′]?[\s,;/]+[EWO]\s*\d{1,3}\s*°\s*\d{1,2}(?:[.,]\d+)?\s*['′]?"
)
_GPS_CUED = re.compile(
    # also as a config's key: "latitude_home: 53.27", "home_lat: -34.60"
    r"(?i:(?:\b|(?<=_))(?:lat|latitude|lon|lng|long|longitude|breite|breitengrad|länge|längengrad|latitud|longitud)(?:_[a-z]+)?)"
    r"\.?\s*[:=]?\s*[\"']?"
    r"(?P<value>[-+]?\d{1,3}[.,]\d{3,}[ \t]*°?(?:[ \t]*[NSEWO](?!\w))?)"
)
_GPS_DMS = re.compile(
    # seconds' marks as typed or as normalisation writes them: ", ″, '' or ′′ (NFKC of ″)
    r"\d{1,2}\s*°\s*\d{1,2}\s*['′’]\s*(?:\d{1,2}(?:[.,]\d+)?\s*(?:\"|″|''|′′|”))?\s*[NS]"
    r"[\s,/]*\d{1,3}\s*°\s*\d{1,2}\s*['′’]\s*(?:\d{1,2}(?:[.,]\d+)?\s*(?:\"|″|''|′′|”))?\s*[EWO]"
)


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def _add(found: list[Candidate], kind: str, m: re.Match[str], group: int | str = 0) -> None:
    found.append(Candidate(kind, m.start(group), m.end(group)))


def _near(text: str, start: int, end: int, cue: re.Pattern[str], width: int = 40) -> bool:
    return cue.search(text, max(0, start - width), min(len(text), end + width)) is not None


# A card named just before its number, also joined by a hyphen: "die Maestro-Karte 501869467982".
_CARD_NAMED = re.compile(r"(?i)(?:card|karte|carte|tarjeta|visa|mastercard|maestro|amex|discover|jcb|diners)\W{0,12}$")
_GROUP_START = re.compile(r"(?<=[ \-])\d")


def _cards(text: str, found: list[Candidate]) -> None:
    for m in _CARD.finditer(text):
        # "12/11 5477-8980-6667-4201": a run may begin with digits that are not the card's; try it from each group on
        starts = [m.start()] + [g.start() for g in _GROUP_START.finditer(text, m.start(), m.end())]
        for start in starts:
            raw = text[start : m.end()]
            d = _digits(raw)
            if re.search(r"[A-Za-z]{2}\d{2}[ \-]?$", text[max(0, start - 6) : start]):
                break  # the tail of an IBAN-shaped string, not a card
            # Every issuer range (UATP starts with 1, fuel cards with 7); 12 digits only when
            # grouped like a card or named as one, since so many other numbers have 12 digits.
            if not (12 <= len(d) <= 19 and d[0] != "0" and len(set(d)) > 1 and luhn.is_valid(d)):
                continue
            if len(d) == 12 and not _CARD_GROUPS.fullmatch(raw) and not _CARD_NAMED.search(text, max(0, start - 20), start):
                continue
            found.append(Candidate("CARD", start, m.end()))
            break


def _mod97_cuts(compact: str) -> list[int]:
    """Return the lengths, longest first, at which compact's prefix passes the IBAN mod-97 check."""
    head = "".join(str(int(c, 36)) for c in compact[:4])
    head_value, head_scale = int(head), pow(10, len(head), 97)
    remainder = 0
    cuts = []
    for i, ch in enumerate(compact[4:], start=5):
        digits = str(int(ch, 36))
        remainder = (remainder * pow(10, len(digits), 97) + int(digits)) % 97
        if i >= 15 and (remainder * head_scale + head_value) % 97 == 1:
            cuts.append(i)
    return cuts[::-1]


_IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24,
    "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19,
    "SK": 24, "SM": 27, "TR": 26,
}  # fmt: skip
_IBAN_BLOCKS = re.compile(r"[A-Z]{2}\d{2}(?: [A-Z0-9]{4}){2,}")
_IBAN_CUE = re.compile(r"(?i)\b(?:iban|bic/iban|iban-nr\.?|iban number)\W{0,6}$")


def _ibans(text: str, found: list[Candidate]) -> None:
    for m in _IBAN.finditer(text):
        raw = m.group()
        # The regex is greedy; shrink from the right until mod-97 holds.
        compact = re.sub(r"[ \-]", "", raw).upper()
        if not compact.isalnum() or not compact.isascii():
            continue
        cut = next((c for c in _mod97_cuts(compact) if std_iban.is_valid(compact[:c])), None)
        if cut is None:
            # Cue beats checksum: an IBAN-shaped value right after "IBAN" is one, mistyped;
            # so is one with its country's exact length, written in blocks of four or as one run of digits.
            length = _IBAN_LENGTHS.get(compact[:2])
            if length and (
                (len(compact) >= length and _IBAN_BLOCKS.match(raw)) or (len(compact) == length and compact[2:].isdigit() and raw.isalnum())
            ):
                n = 0
                for i, ch in enumerate(raw):
                    n += ch not in " -"
                    if n == length:
                        end = m.start() + i + 1
                        while end < m.end() and text[end].isalnum():
                            end += 1  # a block typed too long is still the IBAN's: never leave part of it
                        found.append(Candidate("IBAN", m.start(), end))
                        break
                continue
            if _IBAN_CUE.search(text, max(0, m.start() - 16), m.start()):
                end = m.start()
                for block in re.finditer(r"[A-Za-z0-9]+", raw):
                    if not (block.group().isupper() or any(c.isdigit() for c in block.group())):
                        break  # a word after the value
                    end = m.start() + block.end()
                found.append(Candidate("IBAN", m.start(), end))
            continue
        # find the original end for `cut` significant characters
        n = 0
        end = m.start()
        for i, ch in enumerate(raw):
            if ch not in " -":
                n += 1
            if n == cut:
                end = m.start() + i + 1
                break
        while end < m.end() and text[end].isalnum():
            end += 1  # a block typed one character too long is still the IBAN's: never leave part of it
        found.append(Candidate("IBAN", m.start(), end))


def _national_ids(text: str, found: list[Candidate]) -> None:
    for m in _SSN.finditer(text):
        d = _digits(m.group())
        has_sep = bool(m.group(1))
        if us_ssn.is_valid(d) and (has_sep or _near(text, m.start(), m.end(), _SSN_CUE)):
            _add(found, "NATIONAL_ID", m)
    for pattern in (_NINO, _NINO_PAIRS, _FR_SPI):
        for m in pattern.finditer(text):
            _add(found, "NATIONAL_ID", m)
    for m in _NL_BSN.finditer(text):
        if _near(text, m.start(), m.end(), _NL_BSN_CUE, 50) and nl_bsn.is_valid(_digits(m.group())):
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


# Identifiers whose shape and check digits say what they are without a cue word.
_CH_AHV = re.compile(r"(?<![\w.])756[ .]?\d{4}[ .]?\d{4}[ .]?\d{2}(?![\w]|\.\d)")  # Swiss AHV/AVS
_BE_NN = re.compile(r"(?<![\w.\-])\d{2}\.\d{2}\.\d{2}[ \-]\d{3}[ .]\d{2}(?![\w\-]|\.\d)")  # Belgian national number
_AR_CUIT = re.compile(r"(?<![\w\-])(?:20|2[3-7]|30|33|34)-\d{8}-\d(?![\w\-])")  # CUIT / CUIL
_CL_RUT = re.compile(r"(?<![\w.\-])\d{1,2}\.\d{3}\.\d{3}-[\dkK](?![\w\-])")
# Written in threes; not from 6 to 9, where Spain's phone numbers written in threes start.
_CA_SIN = re.compile(r"(?<![\w\-])[1-5]\d{2}([ \-])\d{3}\1\d{3}(?![\w\-]|\.\d)")
_IE_PPS = re.compile(r"(?<![\w])\d{7}[A-Wa-w][A-IWa-iw]?(?![\w])")
_MX_CURP = re.compile(r"(?<![A-Za-z0-9])[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d(?![A-Za-z0-9])")
_MX_RFC = re.compile(r"(?<![A-Za-z0-9])[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}(?![A-Za-z0-9])")
# German pension insurance number: area, birth date, the surname's initial, a serial and a check digit.
_DE_RVNR = re.compile(r"(?<![\w])\d{2} ?(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2} ?[A-Z] ?\d{2} ?\d(?![\w])")
# German health insurance number (KVNR): a letter, eight digits and a check digit.
_DE_KVNR = re.compile(r"(?<![A-Za-z0-9])[A-Z]\d{9}(?![A-Za-z0-9])")
# Spanish social security number: a province, a serial and two check digits (mod 97).
_ES_NSS = re.compile(r"(?<![\w/\-])(\d{2})[ /\-]?(\d{7,8})[ /\-]?(\d{2})(?![\w/\-])")
# Mexican CLABE: 18 digits with a weighted check digit (an account, like an IBAN).
_MX_CLABE = re.compile(r"(?<![\w\-])\d{3}[ \-]?\d{3}[ \-]?\d{11}[ \-]?\d(?![\w\-])")


def _kvnr_valid(value: str) -> bool:
    digits = f"{ord(value[0]) - 64:02d}" + value[1:9]
    total = sum(sum(divmod(int(d) * (1 if i % 2 == 0 else 2), 10)) for i, d in enumerate(digits))
    return total % 10 == int(value[9])


def _es_nss_valid(province: str, serial: str, check: str) -> bool:
    # eight serial digits are appended to the province; fewer, padded to seven
    number = int(province) * (10**8 if int(serial) >= 10**7 else 10**7) + int(serial)
    return 1 <= int(province) <= 53 and number % 97 == int(check)


def _clabe_valid(digits: str) -> bool:
    total = sum(int(d) * (3, 7, 1)[i % 3] % 10 for i, d in enumerate(digits[:17]))
    return (10 - total % 10) % 10 == int(digits[17])


def compact(value: str) -> str:
    """Return an identifier without the spaces, dots, dashes and slashes it was written with."""
    return re.sub(r"[ .\-/]", "", value)


# Each shape with what proves it; the German pension number's birth date and middle letter are proof enough.
_CHECKED_IDS: tuple[tuple[re.Pattern[str], Callable[[str], bool]], ...] = (
    (_CH_AHV, lambda v: ch_ssn.is_valid(compact(v))),
    (_BE_NN, lambda v: be_nn.is_valid(compact(v))),
    (_AR_CUIT, lambda v: ar_cuit.is_valid(compact(v))),
    (_CL_RUT, lambda v: cl_rut.is_valid(compact(v))),
    (_CA_SIN, lambda v: ca_sin.is_valid(compact(v))),
    (_IE_PPS, lambda v: ie_pps.is_valid(v.upper())),
    (_MX_CURP, mx_curp.is_valid),
    (_MX_RFC, lambda v: len(v) == 13 and mx_rfc.is_valid(v)),
    (_DE_RVNR, lambda v: True),
    (_DE_KVNR, _kvnr_valid),
)
_AR_CBU = re.compile(r"(?<![\w\-])\d{8}[ \-]?\d{14}(?![\w\-])")  # Argentine CBU: two checked blocks


def _checked_ids(text: str, found: list[Candidate]) -> None:
    for pattern, valid in _CHECKED_IDS:
        for m in pattern.finditer(text):
            try:
                ok = valid(m.group())
            except (ValueError, IndexError):
                ok = False
            if ok:
                _add(found, "NATIONAL_ID", m)
    for m in _ES_NSS.finditer(text):
        if _es_nss_valid(m.group(1), m.group(2), m.group(3)):
            _add(found, "NATIONAL_ID", m)
    for m in _MX_CLABE.finditer(text):
        if _clabe_valid(_digits(m.group())):
            _add(found, "IBAN", m)
    for m in _AR_CBU.finditer(text):
        if ar_cbu.is_valid(_digits(m.group())):
            _add(found, "IBAN", m)


_PHONE_CANDIDATE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d \t().\-/]{5,20}\d(?![\w])")
_PHONE_CUE = re.compile(
    r"(?i)(call|phone|tel\b|tel\.|mobile|cell|whats ?app|text|sms|fax|reach|ring|dial|handy|telefon|ruf|"
    r"appel|portable|llama|móvil|movil|contact)"
)
_NOT_PHONE_CUE = re.compile(
    r"(?i)(order|tracking|invoice|reference|ref\.?|account|customer|ticket|flight|isbn|serial|"
    r"bestell|rechnung|kunden|commande|pedido|factura|card|karte|carte|tarjeta|iban|booking|reservation|confirmation|parcel"
    r"|shipment|meter|vertrags|auftrags|sendungs|buchungs|vorgangs|akten|zähler|referenz|client|dossier|contrat|colis|suivi"
    r"|r[ée]servation|compteur|contrato|reserva|localizador|expediente|referencia|seguimiento|env[íi]o|contador)"
    r"\W*(?:number|no\.?|nr\.?|#|nummer|num[ée]ro|n[º°o]\.?)?\W*$"
)
# "ext. 204", "x204", "Durchwahl 89", "poste 12": the extension belongs to the number.
_EXTENSION = re.compile(
    r"(?i)[ \t]{0,3},?[ \t]{0,3}(?:ext\.?|extension|x|durchwahl|dw\.?|app\.?|apparat|poste|extensi[oó]n)[ \t]*[:.#]?[ \t]*\d{1,6}(?!\w)"
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


@lru_cache(maxsize=1024)
def _valid_phone(candidate: str, intl: bool) -> bool:
    try:
        if intl:
            # a number written with its country code is one when its length fits that country's plan: a range the
            # plan has not assigned yet ("+33 6 39 ...", often in made-up or new numbers) is still someone's to redact
            return bool(phonenumbers.is_possible_number(phonenumbers.parse(candidate, None)))
        for region in _REGIONS:
            num = phonenumbers.parse(candidate, region)
            if phonenumbers.is_possible_number(num) and phonenumbers.is_valid_number_for_region(num, region):
                return True
    except phonenumbers.NumberParseException:
        return False
    return False


def _possible_phone(candidate: str) -> bool:
    """Tell whether a national number after a phone cue has the length of a number of one of the regions served."""
    digits = _digits(candidate)
    if not digits.startswith("0") or len(digits) < 9:
        return False
    try:
        return any(phonenumbers.is_possible_number(phonenumbers.parse(candidate, region)) for region in _REGIONS)
    except phonenumbers.NumberParseException:
        return False


# An extension written alone, its number known to the reader: "IT Services, ext. 4417", "poste 2210".
_EXTENSION_ALONE = re.compile(r"(?i:\b(?:ext\.?|extension|durchwahl|poste|extensi[oó]n|anexo))[ \t]*[:.#]?[ \t]*(?P<ext>\d{2,6})(?![\w])")


_TRUNK = re.compile(r"\s*\(0\)\s*")


def _phones(text: str, found: list[Candidate]) -> None:
    for m in _EXTENSION_ALONE.finditer(text):
        found.append(Candidate("PHONE", m.start("ext"), m.end("ext")))
    for m in _PHONE_CANDIDATE.finditer(text):
        raw = m.group()
        d = _digits(raw)
        if not 7 <= len(d) <= 15 or len(set(d)) <= 2:
            continue  # no phone number is one or two digits over and over
        if re.match(r"\d{4}-\d{2}-\d{2}\b", raw):
            continue  # an ISO date, with its time: the date patterns'
        if re.search(r"\d{1,3}(?:\.\d{1,3}){3}\s", raw):
            continue  # an IPv4 address and what follows it, the network detector's
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
        cued = _PHONE_CUE.search(text, max(0, start - 40), start) is not None
        context = text[max(0, start - 30) : start].lower()
        if _NOT_PHONE_CUE.search(context):
            continue
        if not intl:
            bare = raw.isdigit()
            if len(d) > 12 or (len(d) > 11 and not d.startswith("0")):
                continue  # national numbers are at most 11 digits; longer runs are references
            if bare and not (d.startswith("0") or cued):
                continue  # a plain digit run is a phone number only when something says so
        candidate = "+" + raw[2:] if raw.startswith("00") else raw
        if intl:
            candidate = _TRUNK.sub(" ", candidate)  # "+34 (0)91 ...", "+33 (0)6 ...": the trunk prefix is dropped abroad
        if _valid_phone(candidate, intl) or (cued and _possible_phone(candidate)):
            ext = _EXTENSION.match(text, m.end())
            found.append(Candidate("PHONE", start, ext.end() if ext else m.end()))


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
        if _EUI64.fullmatch(m.group()):
            _add(found, "MAC", m)  # eight pairs of hex digits: a hardware address (EUI-64), not an IPv6 one
            continue
        try:
            ipaddress.IPv6Address(m.group())
        except ValueError:
            continue
        _add(found, "IP", m)
    for m in _MAC.finditer(text):
        _add(found, "MAC", m)
    for m in _MAC_CUED.finditer(text):
        _add(found, "MAC", m, "value")


def _places(text: str, found: list[Candidate]) -> None:
    for m in _GPS.finditer(text):
        lat, lon = float(m.group(1)), float(m.group(2))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            _add(found, "GPS", m)
    for m in _GPS_DMS.finditer(text):
        _add(found, "GPS", m)
    for m in _GPS_HEMI.finditer(text):
        _add(found, "GPS", m)
    for m in _GPS_CUED.finditer(text):
        _add(found, "GPS", m, "value")


def _emails(text: str, found: list[Candidate]) -> None:
    for m in _EMAIL.finditer(text):
        _add(found, "EMAIL", m)
    for m in _EMAIL_OBFUSCATED.finditer(text):
        if "@" in m.group() and " " not in m.group():
            continue  # the plain pattern already has it
        _add(found, "EMAIL", m)


_STEPS: tuple[Callable[[str, list[Candidate]], None], ...] = (
    _emails,
    find_secrets,
    _cards,
    _ibans,
    _national_ids,
    _checked_ids,
    _network,
    _phones,
    _places,
    find_dates,
    find_cued,
)


def find_structured(text: str) -> list[Candidate]:
    """Find e-mail, phone, card, IBAN, national id, network, secret, GPS, DOB and age spans."""
    found: list[Candidate] = []
    for step in _STEPS:
        step(text, found)
    # Cue beats checksum: a number after "numéro de sécurité sociale" is that, even when it passes Luhn.
    cued = [c for c in found if c.kind == "NATIONAL_ID"]
    found = [c for c in found if c.kind != "CARD" or not any(i.start <= c.start and c.end <= i.end for i in cued)]
    # "Código IBAN: ES91 2100...": a value a checksum proves to be an account or a card is that, not a code
    # after a weak cue; the account's span covers it all the same.
    checked = [c for c in found if c.kind in ("IBAN", "CARD")]
    found = [c for c in found if c.kind != "SECRET" or not any(i.start <= c.start and c.end <= i.end for i in checked)]
    # "27.12.–03.01.", "18.11. 07:31": digits that the date patterns read as dates and times are no phone number.
    dates = [c for c in found if c.kind in ("DATE", "DOB")]
    return [c for c in found if c.kind != "PHONE" or not dates or _digits_outside(text, c, dates) > 1]


def _digits_outside(text: str, cand: Candidate, others: list[Candidate]) -> int:
    """Count the digits of cand that none of others covers."""
    return sum(1 for i in range(cand.start, cand.end) if text[i].isdigit() and not any(o.start <= i < o.end for o in others))
