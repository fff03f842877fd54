"""Identifiers after their cue words, whatever their checksum, and long numbers written in blocks.

A mistyped or unusual identifier is still personal: "SSN 912-34-5678" is redacted though no
SSN starts with 9, "card 4111 1111 1111 1112" though it fails Luhn. When in doubt, redact.
"""

from __future__ import annotations

import re

from policies.detectors.base import Candidate, lower_pattern, lowered

# Each cue names the kind of what follows it.
_ID_CUES = (
    r"ssn|social security(?: number| no\.?| #)?|soc\.? ?sec\.?(?: no\.?)?|itin|taxpayer id(?:entification number)?"
    r"|tax (?:id|number|identification number|file number)|tin|nhs(?: number| no\.?)?|national insurance(?: number| no\.?)?"
    r"|ni (?:number|no\.?)|nino|national id(?: number)?|id (?:number|no\.?|card(?: number)?)|identity card(?: number)?"
    r"|passport(?: number| no\.?| #)?|passport-nr\.?|reisepass(?:nummer)?|passnummer|pass-nr\.?|passeport|pasaporte"
    r"|n[uú]mero de pasaporte|num[ée]ro de passeport"
    r"|driver'?s licen[cs]e(?: number| no\.?| #)?|driving licen[cs]e(?: number| no\.?)?|licen[cs]e (?:number|no\.?)"
    r"|dl (?:number|no\.?|#)|führerschein(?:nummer)?|fuehrerschein(?:nummer)?|permis de conduire|num[ée]ro de permis"
    r"|carnet de conducir|licencia de conducir|permiso de conducir"
    r"|steuer-?id|steuer-identifikationsnummer|steueridentifikationsnummer|steuernummer|idnr|identifikationsnummer"
    r"|personalausweis(?:nummer)?|ausweisnummer|ausweis-nr\.?|sozialversicherungsnummer|rentenversicherungsnummer"
    r"|versichertennummer|krankenversichertennummer|svnr|ahv(?:-nummer)?"
    r"|num[ée]ro de s[ée]curit[ée] sociale|s[ée]curit[ée] sociale|carte vitale|nir|insee|carte d'identit[ée]|cni"
    r"|num[ée]ro fiscal|nif|n\.?i\.?e\.?(?= ?[xyz]\d)|dni|nss|n[uú]mero de la seguridad social|seguridad social|n[uú]mero de afiliaci[oó]n|afiliaci[oó]n|documento de identidad"
    r"|codice fiscale|medicare(?: number)?|medicaid(?: number)?|health insurance (?:number|id)|member id|bsn|pps(?:n| number)?"
    r"|sin|social insurance(?: number)?|tfn|tax file number|insurance (?:id|number|no\.?)|insurance member (?:id|number)"
    r"|member(?:ship)? (?:number|no\.?)|mitgliedsnummer|patient (?:id|number)|mrn|hospital number|dl|permis|ine"
    r"|num[ée]ro (?:d'adh[ée]rent|de mutuelle|d'assur[ée])|n[uú]mero de (?:socio|afiliado|tarjeta sanitaria)|tarjeta sanitaria|cip"
    r"|aadhaar|curp|rfc|cpf|pesel|personnummer|bsn-nummer|burgerservicenummer|sofinummer|utr|unique taxpayer reference"
    r"|svn|nuss|krankenkassennummer|kvnr|versicherungsnummer|ausweis|id-nummer|id-nr\.?|n[°º] de s[ée]cu|s[ée]cu"
    r"|sv-nummer|sv-nr\.?|sozialversicherungsnr\.?|avs|num[ée]ro avs|ahv-nr\.?|num[ée]ro d'assurance sociale|ramq"
    r"|num[ée]ro national|registre national|niss|num[ée]ro d'allocataire|cuil|cuit|c[ée]dula(?: de ciudadan[íi]a)?|c\.c\.|nit|rut"
    r"|ihi|ssn-nummer|pps no\.?|personal public service(?: number)?|carte d'assur[ée] social|c[oó]digo fiscal"
    # insurance policies and benefit files: the household's own numbers (policy numbers count as ids)
    r"|p[óo]liza|policy(?: number| no\.?)?|police d'assurance|n[°º] de police|versicherungsschein(?:nummer)?|policennummer"
    r"|afiliado|n[°º] ?allocataire|allocataire|num[ée]ro allocataire"
)
_CARD_CUES = (
    r"card(?: number| no\.?| #)?|credit card|debit card|visa|mastercard|master card|amex|american express|maestro"
    r"|discover|diners|jcb|unionpay|kreditkarte(?:nnummer)?|kartennummer|karte|ec-karte|girocard|carte(?: bancaire| bleue)?"
    r"|num[ée]ro de carte|cb|tarjeta(?: de cr[ée]dito| de d[ée]bito)?|n[uú]mero de tarjeta|cc"
)
_ACCOUNT_CUES = (
    r"account(?: number| no\.?| #)?|acct\.?(?: no\.?)?|acc\.?|bank account|routing(?: number| no\.?)?|aba|sort code|bsb"
    r"|kontonummer|konto(?:-nr\.?| nr\.?)?|bankleitzahl|blz|num[ée]ro de compte|compte(?: bancaire)?|rib"
    r"|n[uú]mero de cuenta|cuenta(?: bancaria)?|ccc|clabe|cbu|cvu|transit(?: number)?|institution number"
)
# Between a cue and its value: "number", "is", a colon...
_GAP = (
    r"(?:\s*(?:number|no\.?|nro\.?|nr\.?|num\.?|#|nummer|num[ée]ro|n[uú]mero|n[°º]\.?))?"
    # "póliza de hogar HG-2231-009874", "numéro d'allocataire 1234567": what the document is for, in one word
    r"(?:\s+(?:de|du|del|d['’])\s*[a-zà-ÿ]{3,15}(?=\s*[:#]?\s*[A-Za-z]{0,3}[\-]?\d))?"
    # "Versichertennummer bei der AOK Bayern ist M7654...": where the number is from, then "is"
    r"(?:\s+(?:bei|beim|at|with|von|vom|for|für|of|chez|avec|con|en|de|du|del)\s+(?:[\w\-.&]+\s+){0,3}?(?:is|ist|est|es|lautet|was|war)(?=\s))?"
    r"(?:\s+(?:is|ist|lautet|est|c['’]est|es|was|war|reads|de la|del|de)(?!\w))?\s*[:#=\-]?\s*[\"'(\[]?\s*"
)
_VALUE = r"[A-Za-z0-9](?:[A-Za-z0-9]|[ \-/.](?=[A-Za-z0-9])){3,40}"
_CUED = lower_pattern(
    rf"(?i)(?<![\w\-])(?:(?P<id>{_ID_CUES})|(?P<card>{_CARD_CUES})|(?P<account>{_ACCOUNT_CUES}))(?![\w\-])"
    rf"{_GAP}(?=(?P<value>{_VALUE}))"
)
_BLOCK = re.compile(r"[A-Za-z0-9]+")
# Long numbers in blocks of 4 or 5 ("4729 1836 5502 9174 6630"): a key, a card or an account.
_BLOCKS = re.compile(r"(?<![\w.\-+/])\d{4,5}(?P<sep>[ \-])\d{4,5}(?:(?P=sep)\d{4,5}){3,}(?![\w\-]|[.,]\d)")
_IBAN_HEAD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}[ \-]?$")
_BLOCKS_NOT_CUE = re.compile(
    r"(?i)\b(?:order|tracking|invoice|reference|ref\.?|ticket|flight|isbn|serial|bestell\w*|rechnung\w*|sendung\w*"
    r"|commande|pedido|factura|seguimiento)\b[\w\s.#:\-]{0,20}$"
)


def _take_blocks(value: str, kind: str) -> int:
    """Return how many characters of value belong to the identifier: its blocks, no words."""
    end = 0
    digits = 0
    for m in _BLOCK.finditer(value):
        block = m.group()
        has_digit = any(c.isdigit() for c in block)
        if not has_digit and not (block.isupper() and len(block) <= 6):
            break  # a word: the identifier ended before it
        if kind != "id" and not block.isdigit():
            break  # cards and accounts are digits only
        if m.start() > end and value[end : m.start()] not in (" ", "-", "/", ".", " - "):
            break
        digits += sum(c.isdigit() for c in block)
        end = m.end()
    return end if digits >= 4 else 0


# An identity document named a little before, then its number: "le passeport de Wout ..., son numéro c'est EN4827361".
_DOCUMENT = lower_pattern(
    r"(?i)\b(?:passport|passeport|pasaporte|reisepass|ausweis|personalausweis|identity card|id card|carte d'identit[ée]|dni|nie"
    r"|driving licen[cs]e|driver'?s licen[cs]e|permis de conduire|f[üu]hrerschein|carnet de conducir|licencia de conducir)\b"
)
_ITS_NUMBER = lower_pattern(
    r"(?i)\b(?:number|numéro|numero|número|nummer|no\.|nr\.)\s*(?:is|ist|est|c['’]est|es|lautet|:)?\s*"
    r"(?P<value>(?=[A-Za-z0-9]*\d{5})[A-Za-z]{0,3}\d[\dA-Za-z]{4,14})(?![\w\-])"
)
# Numbers of other things, said just before "number": a phone's, an order's, an account's.
_OTHER_NUMBER = lower_pattern(
    r"(?i)(?:phone|tel|mobile|cell|handy|fax|t[ée]l[ée]phone|portable|tel[ée]fono|m[óo]vil|order|booking|reference|tracking"
    r"|account|card|invoice|customer|rechnung|bestell|kunden|konto|commande|r[ée]servation|compte|carte|pedido|reserva|factura"
    r"|cuenta|tarjeta|flight|vol|vuelo|flug|seat|room|zimmer|chambre|habitaci[óo]n)\w*\s*(?:'s\s*)?$"
)


def find_cued(text: str, found: list[Candidate]) -> None:
    """Add identifiers that follow their cue words, and long numbers written in blocks."""
    low = lowered(text)
    for m in _CUED.finditer(low):
        kind = "id" if m.group("id") is not None else "card" if m.group("card") is not None else "account"
        length = _take_blocks(text[m.start("value") : m.end("value")], kind)
        if not length:
            continue
        start = m.start("value")
        value = text[start : start + length]
        digits = sum(c.isdigit() for c in value)
        if kind == "card" and not 12 <= digits <= 19:
            continue
        if kind == "account" and digits < 6:
            continue
        if kind == "id" and sum(c.isalnum() for c in value) < 5:
            continue
        label = {"id": "NATIONAL_ID", "card": "CARD", "account": "IBAN"}[kind]
        found.append(Candidate(label, start, start + length))
    for m in _ITS_NUMBER.finditer(low):
        if _DOCUMENT.search(low, max(0, m.start() - 80), m.start()) and not _OTHER_NUMBER.search(low, max(0, m.start() - 24), m.start()):
            found.append(Candidate("NATIONAL_ID", m.start("value"), m.end("value")))
    for m in _BLOCKS.finditer(text):
        if _BLOCKS_NOT_CUE.search(text, max(0, m.start() - 40), m.start()):
            continue
        if _IBAN_HEAD.search(text, max(0, m.start() - 6), m.start()):
            continue  # the body of an IBAN: the IBAN detector has it, as an IBAN
        found.append(Candidate("SECRET", m.start(), m.end()))
