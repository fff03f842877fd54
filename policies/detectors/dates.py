"""Dates, times, dates of birth and ages in English, German, French and Spanish."""

from __future__ import annotations

import re

from policies.detectors.base import Candidate, lower_pattern, lowered

# Month names and their abbreviations in the four languages. Longest first, so that
# "septembre" is never cut to "sept" by an alternation that tried the short form first.
_MONTH_WORDS = sorted(
    {
        # English
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        # German
        "januar", "jänner", "jaenner", "februar", "feber", "märz", "maerz", "mai", "juni", "juli",
        "oktober", "dezember", "mär", "mrz", "okt", "dez",
        # French
        "janvier", "février", "fevrier", "mars", "avril", "juin", "juillet", "août", "aout",
        "septembre", "octobre", "novembre", "décembre", "decembre", "janv", "févr", "fevr", "fév",
        "fev", "avr", "juil", "déc",
        # Spanish
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
        "setiembre", "octubre", "noviembre", "diciembre", "ene", "abr", "ago", "set", "dic",
    },
    key=lambda w: (-len(w), w),
)  # fmt: skip


def _trie(words: list[str]) -> str:
    """Return a regex that matches any of words, longest first, as a trie (fast to reject)."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + render(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return render(tree)


# A month name ends at the end of its word (never inside "Marseille"); an abbreviation
# may carry its dot. Greedy trie branches try the longer name first, so "septembre" is
# never cut to "sept".
MONTH = rf"(?:{_trie(_MONTH_WORDS)})(?![^\W\d_])\.?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?!\d)"
_ORD = r"(?:st|nd|rd|th|er|re|e|º|°|ª|\.)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)(?!\d)"
_YEAR_TAIL = rf"(?:,?\s*(?:de\s+|del\s+|of\s+)?{_YEAR}|\s+'\d\d(?!\d))?"
WEEKDAY = _trie(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed",
     "thu", "thur", "thurs", "fri", "sat", "sun", "montag", "dienstag", "mittwoch", "donnerstag", "freitag",
     "samstag", "sonntag", "mo.", "di.", "mi.", "do.", "fr.", "sa.", "so.", "lundi", "mardi", "mercredi", "jeudi",
     "vendredi", "samedi", "dimanche", "lun", "mar", "mer", "jeu", "ven", "sam", "dim", "lunes", "martes",
     "miércoles", "miercoles", "jueves", "viernes", "sábado", "sabado", "domingo", "mié", "mie", "jue", "vie", "sáb",
     "sab"]
)  # fmt: skip
_WEEKDAY_FULL = _trie(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "montag", "dienstag", "mittwoch",
     "donnerstag", "freitag", "samstag", "sonntag", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
     "dimanche", "lunes", "martes", "miércoles", "miercoles", "jueves", "viernes", "sábado", "sabado", "domingo"]
)  # fmt: skip
_WD = rf"(?:(?:{WEEKDAY})(?![^\W\d_])|(?:mo|di|mi|do|fr|sa|so)(?=,\s*\d|\s+(?:[01]?\d|2[0-3])[:.][0-5]\d))\.?,?\s*(?:the\s+|le\s+|el\s+|den\s+)?"
_DATE_BODY = (
    # 17 septembre 2017, 12 oct. 2026, 3. März 1990, 5 de mayo de 2019, 5th of May, 1er mars
    # a range: 12 to 15 December, 21. bis 23. Dezember, du 3 au 5 mars, del 3 al 5 de marzo, 12-15 May
    rf"{_DAY}{_ORD}(?:\s*(?:-|–|to|till|until|bis|au|al|and|und|et|y)\s*{_DAY}{_ORD})?\s*(?:of\s+|de\s+)?{MONTH}{_YEAR_TAIL}"
    # May 5th, 2019; March 4 1990; Sept. 3
    rf"|{MONTH}\s*{_DAY}(?:st|nd|rd|th)?(?![\w:]){_YEAR_TAIL}"
    # March 1990, mayo de 2019
    rf"|{MONTH}\s*(?:de\s+|of\s+)?{_YEAR}"
    # 12/03/1985, 12.03.85, 3-4-2024
    r"|(?:[12]\d|3[01]|0?[1-9])(?P<s1>[./\-])(?:1[0-2]|0?[1-9])(?P=s1)(?:\d{4}|\d\d)(?![\d./\-]\d)"
    r"|(?:1[0-2]|0?[1-9])(?P<s2>[./\-])(?:[12]\d|3[01]|0?[1-9])(?P=s2)(?:\d{4}|\d\d)(?![\d./\-]\d)"
    # 1985-03-12, 1985/03/12
    r"|(?:1[89]|20)\d\d(?P<s3>[./\-])(?:1[0-2]|0?[1-9])(?P=s3)(?:[12]\d|3[01]|0?[1-9])(?:t\d\d:\d\d(?::\d\d(?:[.,]\d{1,6})?)?(?:z|[+\-]\d\d:?\d\d)?)?(?!\d)"
    # 20261218T190000Z: an iCalendar timestamp
    r"|(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])t[0-2]\d[0-5]\d(?:[0-5]\d)?z?(?!\w)"
    # 18.12. (German day and month, no year)
    r"|(?:[12]\d|3[01]|0?[1-9])\.(?:1[0-2]|0?[1-9])\.(?!\d)"
    # on 29/11, el 18/12, le 29/11, on 12/14: day and month after a word that introduces a date
    r"|(?:(?<=on )|(?<=el )|(?<=le )|(?<=am )|(?<=du )|(?<=au )|(?<=del )|(?<=by )|(?<=bis )|(?<=ab ))"
    r"(?:[12]\d|3[01]|0?[1-9])/(?:[12]\d|3[01]|0?[1-9])(?![/\d])"
    # the 19th, the 1st of every month
    r"|(?<=the )(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)(?!\s+(?:century|centuries|floor|grade|row|place|time))"
)
_HOUR_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
# "half six", "half past six", "quarter to five"; "halb acht", "viertel nach 7": quarter hours, before their hour
_QUARTER_EN = r"(?:half|quarter)\s+(?:(?:past|to)\s+)?"
_QUARTER_DE = r"(?:halb|viertel nach|viertel vor|dreiviertel)\s+"
# Where hours are counted to 23: after "um", "a las", "gegen"; after "à", "vers", "bis" with their unit.
_AFTER_24H = (
    r"(?:(?<=\bum )|(?<=\ba las )|(?<=\ba la )|(?<=\bgegen )|(?<=\bsobre las )|(?<=\bhacia las )|(?<=\bhasta las )"
    r"|(?<=\bde las )|(?<=\bdesde las ))"
)
_AFTER_24H_UNIT = (
    r"(?:(?<=\bà )|(?<=\bbis )|(?<=\bab )|(?<=\bvers )|(?<=\bavant )|(?<=\baprès )|(?<=\bdès )|(?<=\bjusqu'à )|(?<=\bà partir de ))"
)
_TIME_BODY = (
    r"(?:[01]?\d|2[0-3])(?::|\s?h\s?)[0-5]\d(?::[0-5]\d(?:[.,]\d{1,6})?)?(?:\s*(?:am|pm|a\.\s?m\.|p\.\s?m\.|uhr|hs|h)(?!\w))?"
    r"|(?:[01]?\d|2[0-3])\.[0-5]\d\s*(?:am|pm|a\.\s?m\.|p\.\s?m\.|uhr|h)(?!\w)"
    r"|(?:1[0-2]|0?[1-9])(?:\s*[\-–]\s*(?:1[0-2]|0?[1-9]))?\s*(?:am|pm|a\.\s?m\.|p\.\s?m\.)(?!\w)"
    r"|(?:[01]?\d|2[0-3])\s*(?:uhr|hs)(?!\w)|(?:[01]?\d|2[0-3])h(?!\w)|(?:1[0-2]|0?[1-9])\s*o['’]?\s?clock|midnight|noon|mitternacht|minuit|midi|medianoche|mediodía"
    # a bare hour after "at", "um", "à", "a las", where the clause ends: "see you at 5", "um 8?"
    r"|(?:(?<=\bat )|(?<=\baround )|(?<=\babout )|(?<=\bby )|(?<=\buntil )|(?<=\btill )|(?<=\bbefore )|(?<=\bafter ))"
    rf"(?:(?:1[0-2]|0?[1-9])(?:\.[0-5]\d)?|{_HOUR_WORDS})(?=\s*(?:$|[.,;!?]|tonight|today|tomorrow|this\b|o'clock))"
    # "um 20?", "a las 13", "gegen 18", "a las 8 de la mañana", "a las 7 y media", "um 18h"
    rf"|{_AFTER_24H}(?:[01]?\d|2[0-3])(?:(?:\s+(?:y media|y cuarto|menos cuarto))?\s+(?:de la (?:mañana|tarde|noche)|del mediodía"
    r"|de la madrugada)(?!\w)|\s?h(?:\s?[0-5]\d)?(?!\w)|\s?hs(?!\w)|\s+(?:y media|y cuarto|menos cuarto)(?!\w)"
    r"|(?![.,]\d)(?=\s*(?:$|[.,;!?]|heute|morgen|esta|mañana|a las\b|y\b|und\b|ab\b|an\b|los\b|da\b|zurück|vorbei)))"
    # "vers 18 h", "dès 7h", "bis 18 h", "à 8 heures", "vers 20 heures 30"
    rf"|{_AFTER_24H_UNIT}(?:[01]?\d|2[0-3])(?:\s?h(?:\s?[0-5]\d)?|\s?heures?(?:\s?(?:[0-5]\d|et demie|et quart|moins le quart))?)(?!\w)"
    # half six, half past six, quarter to five; "um halb 8" (with a digit; in words: _WORD_TIME)
    rf"|{_QUARTER_EN}(?:1[0-2]|0?[1-9]|{_HOUR_WORDS})(?![\w:.])|{_QUARTER_DE}(?:1[0-2]|0?[1-9])(?![\w:.])"
)
# "6–7:30pm", "3:15–4:00 p.m.", "10-12 Uhr", "14h-16h", "de las 12 a las 13:30": an hour range.
_HOUR = r"(?:[01]?\d|2[0-3])"
_SUFFIX = r"(?:\s*(?:am|pm|a\.\s?m\.|p\.\s?m\.|uhr|hs|h)(?!\w))"
_TIME_RANGE = (
    rf"{_HOUR}(?:[:h.][0-5]\d)?{_SUFFIX}?\s*(?:-|–|to|bis|à|a las|a)\s*{_HOUR}[:h.][0-5]\d(?!\.\s*\d){_SUFFIX}?"
    rf"|{_HOUR}(?:[:h][0-5]\d)?{_SUFFIX}?\s*(?:-|–|to|bis|à|a)\s*{_HOUR}(?:[:h][0-5]\d)?{_SUFFIX}"
)
_TZ = (
    r"(?:\s+(?:cet|cest|utc|gmt|bst|est|edt|pst|pdt|cst|cdt|mst|mdt|ast|adt|nst|ndt|mez|mesz|wet|eet|eest"
    r"|aest|aedt|acst|acdt|awst|nzst|nzdt)(?!\w)|\s?[+\-](?:0\d|1[0-4]):?[0-5]\d(?!\d)|z(?!\w))?"
)
# "between 10 and 12", "zwischen 8 und 10 Uhr", "entre 9 h et 11 h": a range of hours after a date, or with its unit
_BETWEEN = (
    rf"(?:between|zwischen|entre)\s+(?:las\s+)?{_HOUR}(?:[:h.][0-5]\d)?{_SUFFIX}?\s*(?:and|und|et|y|-|–)\s*(?:las\s+)?{_HOUR}"
    r"(?:[:h.][0-5]\d)?"
)
# A part of the day between a weekday and its time: "freitag nachmittag 15:45", "Monday morning at 9"
_PART_OF_DAY = (
    r"(?:(?:morning|afternoon|evening|night|vormittag|nachmittag|abend|früh|morgen|matin|après-midi|soir"
    r"|(?:por la |en la |a la )?(?:mañana|tarde|noche))\s+)"
)
_AT = (
    r"(?:,?\s*(?:at|around|about|um|gegen|ab|à partir de|a partir de las|a partir de|à|vers|a las|a la|hacia las|sobre las"
    r"|from|de|-|–)?\s*)"
)
# what may follow a date as its time: "… at 10", "…, zwischen 8 und 10 Uhr", "… at 3.45"
_THEN_TIME = (
    rf"(?:,?\s*{_BETWEEN}{_SUFFIX}?|{_AT}(?:{_TIME_RANGE}|{_TIME_BODY})|\s+(?:at|um)\s+{_HOUR}\.[0-5]\d(?![\d.,])"
    r"|\s+(?:[01]\d|2[0-3])[0-5]\d\s*[-–]\s*(?:[01]\d|2[0-3])[0-5]\d(?!\d))"
)
# What may follow a day written alone after a weekday or an article: "martes 8 en", "jeudi 13 au", "le 21 ?"
_DAY_FOLLOW = (
    r"(?=\s*(?:$|[.,;:!?)](?!\w)|(?:à|a las|a la|um|at|au|al|to|till|until|bis|und|and|et|y|en|in|im|from|de|del|von|vom"
    rf"|with|mit|avec|con|for|für|pour|para|por|or|oder|ou|o|prochain|próximo|dernier|pasado|que viene|si|sinon|inclus|incluido"
    rf"|inclusive|c'est|ce sera)\b|-|–|{_PART_OF_DAY}))"
)
# A date with what belongs to it: its weekday before, its time after ("Tuesday 15 December
# 2026, 11:00", "mer. 13 janvier à 14h15"); a weekday with a time; a time alone.
_DATE = lower_pattern(
    rf"(?i)(?<![\w./\-])(?P<date>(?:{_WD})?(?:{_DATE_BODY})(?:{_THEN_TIME}(?:\s+{_YEAR})?{_TZ})?"
    # a weekday, then a day and month or a day alone: "sáb. 28/11 16:20", "saturday 21st", "vendredi 14", "martes 8 en"
    rf"|{_WD}(?:[12]\d|3[01]|0?[1-9])(?:/(?:1[0-2]|0?[1-9])(?![/\d])|(?:st|nd|rd|th|\.)(?![\d\w]|[.:]\d)|{_DAY_FOLLOW})"
    rf"(?:{_THEN_TIME}{_TZ})?"
    # a weekday with its time: "Thursday at 5 at the club", "freitag nachmittag 15:45", "Monday at 10am AEDT"
    rf"|{_WD}{_PART_OF_DAY}?(?:{_BETWEEN}{_SUFFIX}?|(?:at|um|à|a las|a la)\s+(?:[01]?\d|2[0-3])(?![\d:.])"
    r"(?=\s*(?:$|[.,;!?]|(?:at|in|with|and|for|to|on|please|instead|und|im|mit|bitte|et|avec|au|y|en|con|por)\b))"
    rf"|(?:(?:at|around|about|um|gegen|à|vers|a las|a la|hacia las|sobre las)\s+)?(?:{_TIME_RANGE}|{_TIME_BODY}"
    rf"|\d{{1,2}}(?![\d:.])(?=\s*(?:$|[.,;!?])))){_TZ}"
    # a full weekday's name, then a day of the month with anything but a unit after it
    rf"|(?:{_WEEKDAY_FULL})(?![^\W\d_]),?\s+(?:the\s+|le\s+|el\s+|den\s+)?(?:[12]\d|3[01]|0?[1-9])(?![\d.,:/]\d|\d|\.?[º°ª]|\.[^\W\d_])"
    r"(?!\s*(?:%|€|\$|£|h\b|uhr|heures?|horas?|hours?|stunden|minutes?|minuten|minutos|km|kg|people|personas|personnes|leute))"
    # a day alone after its article or "día": "le 21 ?", "antes del 15,", "del día 5", "jusqu'au 20."
    r"|(?:(?:día|dia)\s+|(?<=\bdel )|(?<=\bel )|(?<=\ble )|(?<=\bdu )|(?<=\bau )|(?<=\bjusqu'au ))"
    rf"(?:[12]\d|3[01]|0?[1-9])(?:er)?(?![\d.,:/]\d){_DAY_FOLLOW}"
    # a German day with its dot after a preposition: "am 17.", "bis zum 20.", "seit dem 3."
    r"|(?:(?<=\bam )|(?<=\bzum )|(?<=\bvom )|(?<=\bdem )|(?<=\bden ))(?:[12]\d|3[01]|0?[1-9])\.(?!\d)"
    r"(?!\s*(?:jahrhundert|klasse|stock|platz|mal|geburtstag|lebensjahr|etage|obergeschoss|og\b|reihe|runde|tag\b"
    r"|woche|monat|kapitel|grad|staffel|folge|liga|note|schuljahr|semester|sonntag im|advent))"
    # a day and month of two digits each, as statements and logs write them: "02/11 Éxito", "27/11"
    r"|(?:0[1-9]|[12]\d|3[01])/(?:0[1-9]|1[0-2])(?![/\d])(?!\s*(?:of|de|du|von)\b)"
    # a time, and the weekday after it: "8pm Friday", "um 17 Uhr am Mittwoch"; a range of hours with its unit
    rf"|(?:{_BETWEEN}{_SUFFIX}|entre\s+las\s+{_HOUR}(?::[0-5]\d)?\s+y\s+las\s+{_HOUR}(?::[0-5]\d)?|{_TIME_RANGE}|{_TIME_BODY}){_TZ}(?:\s+(?:on\s+|am\s+|le\s+|el\s+)?(?:{WEEKDAY})(?![^\W\d_]))?)"
    r"(?![\w]|:\d|\.\d)"
)
# Between two dates or times that make one range: "Dec 21–Jan 3", "du 19 décembre au 2 janvier".
_RANGE_GAP = lower_pattern(r"(?i)\s*(?:-|–|—|to|till|until|through|bis|au|al|hasta el|jusqu'au)\s*$")
# The other end of a range written with a dash, right after the first: "Dec 21-Jan 3" (after a
# dash, where a date alone is not looked for: "2024-11-05" is not a range).
_RANGE_END = lower_pattern(rf"(?i)\s*(?:-|–|—)\s*(?:{_DATE_BODY})(?![\w]|:\d|\.\d)")
# "on appelle le 15", "call 112", "marca el 061": a service number dialled, not a day.
_DIALLED = lower_pattern(r"(?i)\b(?:appel\w*|compos\w*|call|ring|dial|ruf\w*|wähl\w*|llam\w*|marca\w*)\s+(?:le|el|den|die|the)?\s*$")
# "gültig bis 08/28", "exp 11/27", "vence 03/29": a card's expiry month and year.
_EXPIRY = lower_pattern(
    r"(?i)\b(?:gültig bis|valid (?:thru|through|until)|good thru|exp(?:iry|ires|\.)?(?: date)?|expiration(?: date)?|vence"
    r"|vencimiento|caduca|caducidad|expire|date d'expiration|fin de validité|ablaufdatum|ablauf)\s*:?\s*$"
)
_MONTH_YEAR = re.compile(r"(?:0[1-9]|1[0-2])/\d\d")
_DOB_CUE = lower_pattern(
    r"(?i)\b(?:born(?:\s+on)?|date of birth|d\.?o\.?b\.?|birth ?date|birthday|b-day"
    r"|geboren|geb\.|geburtsdatum|geburtstag|né|née|date de naissance|naissance|anniversaire"
    r"|nacido|nacida|fecha de nacimiento|cumpleaños|cumpleanos)(?!\w)"
)
# Between a birth cue and its date: a few short words ("is on the", "ist am", "est le").
_DOB_GAP = lower_pattern(r"(?i)[\s:,\-]*(?:(?:is|was|on|the|ist|am|war|est|le|el|es|fue|en|in|of)[\s:,]+){0,3}[\"'(\[]?$")

_NUMBER_WORDS = _trie(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "eins",
        "ein",
        "eine",
        "zwei",
        "drei",
        "vier",
        "fünf",
        "sechs",
        "sieben",
        "acht",
        "neun",
        "zehn",
        "elf",
        "zwölf",
        "zwanzig",
        "dreißig",
        "vierzig",
        "un",
        "une",
        "deux",
        "trois",
        "quatre",
        "cinq",
        "sept",
        "huit",
        "neuf",
        "dix",
        "onze",
        "douze",
        "vingt",
        "trente",
        "quarante",
        "uno",
        "una",
        "dos",
        "tres",
        "cuatro",
        "cinco",
        "seis",
        "siete",
        "ocho",
        "nueve",
        "diez",
        "doce",
        "veinte",
        "treinta",
        "cuarenta",
        "fifty",
        "fünfzig",
        "sechzig",
        "siebzig",
        "achtzig",
        "neunzig",
        "cinquante",
        "soixante",
        "quatre-vingt",
        "quatre-vingts",
        "cincuenta",
        "sesenta",
        "setenta",
        "ochenta",
        "noventa",
        "cien",
        "hundred",
        # the teens and what the lists above lacked, so that "sie wird zwölf", "de treize ans", "once años" read
        "dreizehn",
        "vierzehn",
        "fünfzehn",
        "sechzehn",
        "siebzehn",
        "achtzehn",
        "neunzehn",
        "hundert",
        "treize",
        "quatorze",
        "quinze",
        "seize",
        "cent",
        "once",
        "trece",
        "catorce",
        "quince",
        "dieciséis",
        "dieciseis",
        "diecisiete",
        "dieciocho",
        "diecinueve",
        "veintiuno",
        "veintiún",
        "veintidós",
        "veintitrés",
        "veinticuatro",
        "veinticinco",
        "veintiséis",
        "veintisiete",
        "veintiocho",
        "veintinueve",
        # halves, as parents say a small child's age: "sie ist zweieinhalb"
        "eineinhalb",
        "anderthalb",
        "zweieinhalb",
        "dreieinhalb",
        "viereinhalb",
        "fünfeinhalb",
    ]
)
_AGE_CUE = _trie(
    ["i'm", "i am", "he's", "she's", "he is", "she is", "they are", "they're", "turn", "turns", "turning",
     "just turned", "will be", "ich bin", "er ist", "sie ist", "wird", "tengo", "tiene", "cumple", "cumplió",
     "j'ai", "il a", "elle a", "a eu", "fête ses", "who is", "who's", "who turned", "der ist", "die ist", "qui a",
     "que tiene", "like im", "he was", "she was", "er war", "sie war", "il avait", "elle avait", "tenía", "tenia"]
)  # fmt: skip
_AGE_UNIT = (
    r"(?:years?|yrs?|yo|y/o|y\.o\.|jahren?|jahre|jähriger?|jährige[nrs]?|ans|años|anos|months?|monate?n?"
    r"|mois|meses|j\.)"
)
_YEARS_WORD = r"(?:years?|jahre|jahren|ans|años|anos|months?|monate|mois|meses)"
_AGE_NOT_AFTER = (
    r"(?!\s+(?:ago|later|from|since|warranty|of\s+(?:experience|service|work|marriage)|her|hence|before"
    r"|after|lang|zuvor|später|plus tard|depuis|antes|después|despues|left|remaining|to go|restantes|übrig))"
)
_DECADES = (
    r"\d0s|\d0's|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties|\d0"
    r"|zwanzig|dreißig|dreissig|vierzig|fünfzig|sechzig|siebzig|achtzig|neunzig"
)
# "la cinquantaine", "cuarenta y tantos", "forty-something", "Mitte vierzig" is the decades' branch
_ROUGH_AGE = (
    r"(?:(?:la|une|sa|ma|leur)\s+)?(?:vingtaine|trentaine|quarantaine|cinquantaine|soixantaine|septantaine|octantaine)"
    r"|(?:veinte|treinta|cuarenta|cincuenta|sesenta|setenta|ochenta|noventa)\s+y\s+(?:tantos|tantas|pico)"
    r"|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s\-]?something"
    r"|\d{1,3}(?:st|nd|rd|th|\.|e|ème|º|°)?\s*(?:birthday|geburtstag|lebensjahr|anniversaire|cumpleaños)"
)
_AGE = lower_pattern(
    # 7 years old, 7-year-old, 18 months, 40 Jahre alt, 7-jährige, 7 ans, 3 años, 7yo
    rf"(?i)(?<![\w.,])(?P<age>\d{{1,3}}(?:[.,]5)?(?:\s*(?:,|and|&|und|et|y)\s*\d{{1,3}}(?:[.,]5)?)*[\s\-]*{_AGE_UNIT}(?:[\s\-]*(?:old|alt))?)(?![\w/]){_AGE_NOT_AFTER}"
    # seven years old, a two-year-old, sieben Jahre alt
    rf"|(?<!\w)(?P<words>(?:{_NUMBER_WORDS})(?:[\s\-]+(?:and[\s\-]+a[\s\-]+half|(?:{_NUMBER_WORDS})))?"
    rf"[\s\-]*{_YEARS_WORD}[\s\-]*(?:old|alt))(?!\w)"
    # aged 7, age: 7, Alter 7, âge 7, edad: 7
    rf"|(?i:\b(?:aged|age|ages|alter|âge|âgée?s?|edad|edades)\s*[:\-]?\s*(?:de\s+)?)(?P<age2>\d{{1,3}}(?:\s*(?:,|and|&|und|et|y)\s*\d{{1,3}})*"
    rf"(?:\s+{_AGE_UNIT})?)\b(?![.,:]\d)"
    # woman, 45; patient, 52; un homme de 60 ans is the units' branch
    rf"|(?i:\b(?:man|woman|male|female|boy|girl|patient|mann|frau|junge|mädchen|homme|femme|garçon|fille|hombre|mujer|niño|niña|paciente)\s*,\s*)"
    rf"(?P<sexed>\d{{1,3}})(?=\s*[,)])"
    # I'm 7, she is 42, turns 7, ich bin 40, tiene 7, j'ai 40, il a sept ans: when the number ends the clause
    rf"|(?i:\b{_AGE_CUE}\s+(?:(?:nearly|almost|about|only|just|barely|over|under|fast|erst|schon|bald|gerade|presque|déjà|casi|ya|solo|apenas)\s+)?)"
    rf"(?P<age3>\d{{1,3}}(?![.,]\d)(?=\s*(?:$|[.,!?;]|and\b|und\b|y\b|et\b|today|now|tomorrow|this|next|in\b|heute|morgen|jetzt|maintenant|ahora))"
    rf"|(?:{_NUMBER_WORDS})(?:[\s\-]+(?:(?:y|und|et)\s+)?(?:{_NUMBER_WORDS}))?\s+{_YEARS_WORD}(?:[\s\-]+(?:old|alt))?(?!\w)"
    rf"|(?:{_NUMBER_WORDS})(?:[\s\-]+(?:(?:y|und|et)\s+)?(?:{_NUMBER_WORDS}))?(?=\s*(?:$|[.,!?;]|now|today|jetzt|maintenant|ahora)))"
    # un niño de dos años, ma fille de cinq ans, il a sept ans
    rf"|(?:(?<=de )|(?<=a )|(?<=von ))(?P<words2>(?:{_NUMBER_WORDS})(?:[\s\-]+(?:{_NUMBER_WORDS}))?\s+{_YEARS_WORD})(?!\w)"
    # zweijähriges Kind, meinen Sechsjährigen, die 7-jährige
    rf"|(?<!\w)(?P<jahrig>(?:(?:{_NUMBER_WORDS})|\d{{1,3}}[\s\-]?)jährig[^\W\d_]*)"
    # turns five on Saturday, wird morgen acht, cumple 70 el 2 de febrero
    rf"|(?:\b(?:turns?|turning|just turned|turned|will be|wird(?:\s+(?:morgen|heute|bald|nächste[nr]?|übermorgen|im|am|diese[nr]?|woche|monat|jahr|\w+tag))*|cumple|cumplirá|va a cumplir"
    rf"|fête ses|va avoir|aura|he'll be|she'll be|they'll be)\s+)"
    rf"(?P<age5>(?:(?:{_NUMBER_WORDS})(?:[\s\-]+(?:{_NUMBER_WORDS}))?|\d{{1,3}})\s+{_YEARS_WORD}(?:\s+old)?(?!\w)"
    rf"|(?:(?:{_NUMBER_WORDS})(?:[\s\-]+(?:{_NUMBER_WORDS}))?|\d{{1,3}})"
    rf"(?=\s*(?:$|[.,!?;]|on\b|am\b|el\b|le\b|and\b|und\b|et\b|y\b|last\b|today|tomorrow|heute|morgen|mañana|demain|this|next|years?\b|jahre\b|ans\b|años\b)))"
    # My wife Lorna is 47 and..., Dad is seventy-two, mi abuela tiene 80: a relative, then a bare number
    rf"|(?:\b(?:dad|daddy|mum|mom|mother|father|son|daughter|wife|husband|partner|grandma|grandpa|granny|nan|nana"
    rf"|brother|sister|aunt|uncle|baby|boy|girl|kid|child|vater|mutter|papa|mama|sohn|tochter|frau|mann|oma|opa"
    rf"|bruder|schwester|père|mère|fils|fille|femme|mari|grand-mère|grand-père|padre|madre|hijo|hija|esposa"
    rf"|marido|abuela|abuelo|hermano|hermana)(?:\s+[^\W\d_]+)?\s+(?:is|ist|est|es|tiene|a|has just turned)\s+)"
    rf"(?P<kin>(?:\d{{1,3}}|(?:{_NUMBER_WORDS})(?:[\s\-]+(?:(?:y|und|et)\s+)?(?:{_NUMBER_WORDS}))?)"
    rf"(?:[\s\-]*{_AGE_UNIT}(?:[\s\-]*(?:old|alt))?)?)"
    rf"(?=\s*(?:$|[.,!?;:]|and\b|und\b|y\b|et\b|but\b|aber\b|mais\b|pero\b|today|now|tomorrow|demain|heute|mañana))"
    # in her 40s, in his forties, mid-30s, Mitte 40, late twenties
    rf"|(?i:\b(?:in (?:his|her|their|my|our) )?)"
    rf"(?P<age4>(?<!\w)(?:early|mid|late|mitte|ende|anfang)[\s\-]+(?:{_DECADES})"
    rf"|(?:(?<=in his )|(?<=in her )|(?<=in my )|(?<=in our )|(?<=in their ))(?:{_DECADES})|{_ROUGH_AGE})(?!\w)"
)


_FULL_WORD_DOT = re.compile(r"[^\W\d_]{5,}\.$")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s")


def digit_windows(text: str, before: int = 32, after: int = 32) -> list[tuple[int, int]]:
    """Return the stretches of text around its digits, merged, each ending at a space.

    Every date and time has a digit, and the month names are costly to try at every
    position: the patterns run only where a digit is near.
    """
    windows: list[tuple[int, int]] = []
    for m in _DIGITS.finditer(text):
        start = max(0, m.start() - before)
        if windows and start <= windows[-1][1]:
            start = windows.pop()[0]
        space = _SPACE.search(text, min(len(text), m.end() + after))
        windows.append((start, space.start() if space else len(text)))
    return windows


def _dates(text: str, found: list[Candidate], windows: list[tuple[int, int]]) -> None:
    text = lowered(text)
    first = len(found)
    for pos, endpos in windows:
        for m in _DATE.finditer(text, pos, endpos):
            start, end = m.span("date")
            if text[end - 1] == "." and _FULL_WORD_DOT.search(text, max(0, end - 12), end):
                end -= 1  # a sentence's full stop after a month's full name is not the date's
            gap = text[max(0, start - 40) : start]
            if _DIALLED.search(gap) or (_EXPIRY.search(gap) and _MONTH_YEAR.fullmatch(text, start, end)):
                continue  # a service number dialled; a card's expiry, which is not a moment
            cues = list(_DOB_CUE.finditer(gap))
            kind = "DOB" if cues and _DOB_GAP.match(gap, cues[-1].end()) else "DATE"
            if len(found) > first and found[-1].end < start and _RANGE_GAP.match(text[found[-1].end : start]):
                before = found.pop()  # one range: the words between its ends are part of it
                start, kind = before.start, before.kind
            if (more := _RANGE_END.match(text, end)) is not None:
                end = more.end()
            found.append(Candidate(kind, start, end))


_AGE_WORDS_CUE = lower_pattern(
    r"(?i)\b(?:old|alt|ans|años|anos|jahre|be|is|ist|est|es|was|war|i'm|i am|im|j'ai|tengo|tiene|turns?|turning|wird|cumple|cumplirá|fête|aura|avoir|something|tantos|pico|zwanzig|dreißig|vierzig|fünfzig|sechzig|siebzig|achtzig|neunzig|vingtaine|trentaine|quarantaine|cinquantaine|soixantaine|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b|jährig"
)


# "seit 30 Jahren", "depuis 12 ans", "desde hace 10 años", "for 31 years": a duration, not an age.
_DURATION_BEFORE = lower_pattern(
    r"(?i)\b(?:seit|depuis|desde hace|desde|hace|for|after|since|nach|über|während|pendant|durante|within|dans|il y a"
    r"|vor|over|the last|the past|the next|en|in|durant|pour)\s+(?:(?:über|fast|knapp|presque|près de|plus de|more than"
    r"|almost|nearly|about|around|over|casi|más de|unos|unas|gut|rund|etwa)\s+)?$"
)


def _ages(text: str, found: list[Candidate], windows: list[tuple[int, int]]) -> None:
    # Ages in words ("seven years old", "il a sept ans") need their unit word; the others a digit.
    text = lowered(text)
    if _AGE_WORDS_CUE.search(text):
        windows = [(0, len(text))]
    for pos, endpos in windows:
        for m in _AGE.finditer(text, pos, endpos):
            for g in ("age", "words", "age2", "sexed", "age3", "age4", "words2", "jahrig", "age5", "kin"):
                value = m.group(g)
                if value is None:
                    continue
                digits = "".join(ch for ch in value if ch.isdigit())
                if g in ("age", "age2", "age3", "age5", "kin") and digits and int(digits[:3]) > 120:
                    break
                if g in ("age", "words", "words2") and _DURATION_BEFORE.search(text, max(0, m.start(g) - 24), m.start(g)):
                    break
                found.append(Candidate("AGE", m.start(g), m.end(g)))
                break


# "Waltraud (78)", "Sophia (9)", "Mia, 6, loves": a number in brackets or commas right after a capitalised name.
_NAME_AGE = re.compile(r"(?<!\w)[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿß]+ \((?P<age>\d{1,3})\)|(?<!\w)[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿß]+, (?P<age2>\d{1,2}),")
# "Bernard is 84 and", "She was 91.", "Karim is fourteen": a capitalised name, then a bare number ending the clause.
_NAME_IS_AGE = re.compile(
    rf"(?<![\w.])[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿß]+[ \t]+(?:is|was|ist|war|wird|est|était|es|era|tiene|tenía|cumple)[ \t]+"
    r"(?:(?:damals|then|now|jetzt|schon|already|only|just|erst|nur|bald|fast|almost|nearly|ya|casi|solo|déjà|presque)[ \t]+)?"
    rf"(?P<age>\d{{1,3}}(?![.,]\d)|(?i:{_NUMBER_WORDS})(?:[\s\-]+(?:(?:y|und|et)\s+)?(?i:{_NUMBER_WORDS}))?)"
    rf"(?=[ \t]*(?:$|[.,!?;:)\"'»”]|and\b|und\b|et\b|y\b|but\b|aber\b|mais\b|pero\b|now\b|today\b|jetzt\b|heute\b))"
)
# "una mujer de 62", "cumple 40 así que", "for her 90th", "zum 60. von Papa": a bare number that these words make an age.
_MORE_AGES = lower_pattern(
    r"(?i)(?:\b(?:man|woman|mujer|hombre|señora|señor|femme|homme|dame|monsieur|patient|patiente|paciente|boy|girl"
    r"|niño|niña|chico|chica|garçon|fille)\s+(?:de|of)\s+)(?P<of>\d{1,3})"
    r"(?=\s*(?:$|[.,!?;)]|(?:y|and|et|con|with|avec|que|who|qui)\b))"
    r"|(?:\b(?:cumple|cumplió|cumplirá|turns|turned|turning)\s+)(?P<turns>\d{1,3})(?!\d)"
    r"(?![.,]\d|\s*(?:%|€|\$|°|º|degrees|grad|grados|minutes|minutos|times|veces|k\b|de\s+(?:casad|novi|matrimonio)))"
    r"|(?:\b(?:her|his|my|their|your|our|happy|sa|son|su|ihren|ihrem|seinen|seinem|meinen|meinem)\s+)"
    r"(?P<nth>\d{2,3}(?:st|nd|rd|th|e|ème|º|°))(?=\s*(?:$|[.,!?;)\"'”]|(?:party|bash|celebration|surprise|fête|fiesta|feier|and|et|y|und|love)\b))"
    r"|(?:\bzum\s+)(?P<zum>\d{2,3}\.)(?=\s*(?:$|[,!?;)]|(?:von|vom|der|des|meine[rsm]?|deine[rsm]?|seine[rsm]?|ihre[rsm]?|unsere[rsm]?)\b))"
)
# "two kids (4 and 9)", "zwei Kinder (3 und 7)", "deux enfants (2, 5)": children, then their ages in brackets.
_CHILDREN_AGES = re.compile(
    r"(?i:\b(?:kids|children|boys|girls|sons|daughters|grandchildren|grandkids|kinder|söhne|töchter|enkel|enfants|fils|filles"
    r"|petits-enfants|niños|niñas|hijos|hijas|nietos)[ \t]*\([ \t]*)"
    r"(?P<ages>\d{1,2}(?:[ \t]*(?:,|and|&|und|et|y)[ \t]*\d{1,2})*)(?=[ \t]*(?:\)|(?i:years?|jahre|ans|años)))"
)
# "52M", "a 34F with a cough": a clinician's age and sex; not "$52M".
_AGE_SEX = re.compile(r"(?<![\w$€£.,])(?P<age>\d{1,3}) ?[MFW](?![\w])")


_HOURS_DE = "eins|ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwölfe"
_HOURS_ES = "una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce"
_HOURS_FR = "une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|dix-sept|dix-huit"
_ONES_EN = "one|two|three|four|five|six|seven|eight|nine"
_MINUTES_EN = rf"o['’]?\s?clock|oh[ \-](?:{_ONES_EN})|ten|eleven|twelve|fifteen|(?:twenty|thirty|forty|fifty)(?:[ \-](?:{_ONES_EN}))?"
_MINUTES_DE = "fünf|zehn|fünfzehn|zwanzig|dreißig|dreissig|vierzig|fünfundvierzig|fünfzig"
_DAY_WORDS_DE = (
    "ersten|zweiten|dritten|vierten|fünften|sechsten|siebten|siebenten|achten|neunten|zehnten|elften|zwölften"
    "|dreizehnten|vierzehnten|fünfzehnten|sechzehnten|siebzehnten|achtzehnten|neunzehnten|zwanzigsten"
    "|(?:ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun)undzwanzigsten|dreißigsten|dreissigsten|einunddreißigsten"
)
_DAY_WORDS_EN = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth"
    "|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth"
    r"|(?:twenty|thirty)[ \-](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
)
_DAY_WORDS_ROMANCE = (
    "premier|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|dix-sept|dix-huit"
    "|dix-neuf|vingt|vingt-(?:et-un|deux|trois|quatre|cinq|six|sept|huit|neuf)|trente|trente et un"
    "|primero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|catorce|quince|dieciséis|dieciseis"
    "|diecisiete|dieciocho|diecinueve|veinte|veinti(?:uno|dós|dos|trés|tres|cuatro|cinco|séis|seis|siete|ocho|nueve)"
    "|treinta|treinta y uno"
)
# A month's full name for the dates in words ("may" and "march" are verbs in English too).
_MONTH_NAME = (
    "january|february|april|june|july|august|september|october|november|december|januar|jänner|februar|märz|mai|juni"
    "|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|enero"
    "|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre"
)
# Clock times and dates in words, with no digit near for the windows to find: "at half six", "um halb acht",
# "quarter to five"; after the word that says a time comes: "for six forty five", "um sieben", "um sechs uhr
# fünfzehn", "antes de las nueve", "à sept heures"; "ten to six"; "am vierzehnten märz", "the fourteenth of June",
# "el catorce de marzo", "le quatorze juillet".
_WORD_TIME = lower_pattern(
    rf"(?i)(?<!\w)(?:{_QUARTER_EN}(?:{_HOUR_WORDS})|{_QUARTER_DE}(?:{_HOURS_DE})"
    rf"|(?:(?<=\bat )|(?<=\bfor )|(?<=\bby )|(?<=\buntil )|(?<=\btill )|(?<=\baround )|(?<=\babout )|(?<=\bbefore )"
    rf"|(?<=\bafter )|(?<=\bfrom ))(?:(?:{_HOUR_WORDS})[ \-](?:{_MINUTES_EN})"
    rf"|(?:five|ten|twenty|twenty-five|twenty five)\s+(?:past|to)\s+(?:{_HOUR_WORDS}))"
    rf"|(?<=\bum )(?:{_HOURS_DE})(?:\s+uhr(?:\s+(?:{_MINUTES_DE}))?)?"
    r"(?!\s*(?:prozent|euro|cent|grad|meter|kilo|punkte|jahre|minuten|stunden|tage|wochen|monate|mal|stück|stufen|plätze))"
    rf"|(?:(?<=\ba las )|(?<=\bantes de las )|(?<=\bdespués de las )|(?<=\bdespues de las )|(?<=\bhasta las )"
    rf"|(?<=\bdesde las )|(?<=\bsobre las )|(?<=\bhacia las )|(?<=\ba la ))(?:{_HOURS_ES})"
    r"(?:\s+(?:y\s+(?:media|cuarto|cinco|diez|veinte|veinticinco|quince)|menos\s+(?:cuarto|cinco|diez|veinte)|en punto))?"
    r"(?:\s+de\s+la\s+(?:mañana|tarde|noche|madrugada))?(?=\s*(?:$|[.,;:!?]|(?:y|o|de|en|para|con|que|me|te|nos|le|lo|la|hoy"
    r"|mañana|esta|por|del)\b))"
    rf"|(?:(?<=\bà )|(?<=\bvers )|(?<=\bavant )|(?<=\baprès )|(?<=\bdès )|(?<=\bjusqu'à ))(?:{_HOURS_FR})\s+heures?"
    r"(?:\s+(?:et demie|et quart|moins le quart|dix|quinze|vingt|trente|quarante|quarante-cinq))?"
    rf"|(?:{_DAY_WORDS_DE})\s+(?:{_MONTH_NAME})(?:\s+(?:neunzehnhundert|zweitausend)[a-zäöüß]*)?"
    rf"|(?:{_DAY_WORDS_EN})\s+(?:of\s+(?:{_MONTH_NAME}|may|march)|{_MONTH_NAME})|(?:{_MONTH_NAME}|march)\s+(?:the\s+)?(?:{_DAY_WORDS_EN})"
    rf"|(?:{_DAY_WORDS_ROMANCE})\s+(?:de\s+)?(?:{_MONTH_NAME}))(?!\w)"
)
_WORD_TIME_HINT = lower_pattern(
    r"(?i)half|quarter|halb|viertel|\b(?:at|for|by|until|till|around|about|before|after|from|um|las|la|à|vers|avant|après"
    rf"|dès|jusqu'à) |\b(?:{_MONTH_NAME}|may|march)\b"
)
# Just before a date or a time: its weekday or its day ("Samstag um elf", "tomorrow 09:00", "mardi 9 h 31").
_DAY_BEFORE = lower_pattern(
    rf"(?i)(?<![\w.])(?:(?:{WEEKDAY})(?![^\W\d_])|(?:mo|di|mi|do|fr|sa|so)\.?|tomorrow|today|tonight|morgen|heute"
    r"|übermorgen|demain|aujourd'hui|ce soir|mañana|hoy|pasado mañana|esta noche)\.?,?[ \t]+"
    r"(?:(?:at|around|about|um|gegen|ab|à|vers|a las|a la|hacia las|sobre las|am|le|el|the|den)[ \t]+)?$"
)


def find_dates(text: str, found: list[Candidate]) -> None:
    """Add dates, times, dates of birth and ages found in text."""
    windows = digit_windows(text)
    _dates(text, found, windows)
    low = lowered(text)
    if _WORD_TIME_HINT.search(low):
        for m in _WORD_TIME.finditer(low):
            if not any(c.start <= m.start() < c.end for c in found):
                found.append(Candidate("DATE", m.start(), m.end()))
    for i, c in enumerate(found):
        if c.kind in ("DATE", "DOB") and (day := _DAY_BEFORE.search(low, max(0, c.start - 24), c.start)) is not None:
            found[i] = Candidate(c.kind, day.start(), c.end)  # the weekday or the day a time belongs to is part of it
    _ages(text, found, windows)
    if "(" in text or "," in text:
        for m in _NAME_AGE.finditer(text):
            group = "age" if m.group("age") is not None else "age2"
            if int(m.group(group)) <= 120:
                found.append(Candidate("AGE", m.start(group), m.end(group)))
    for m in _AGE_SEX.finditer(text):
        if int(m.group("age")) <= 120:
            found.append(Candidate("AGE", m.start(), m.end()))
    for m in _MORE_AGES.finditer(low):
        group = next(g for g in ("of", "turns", "nth", "zum") if m.group(g) is not None)
        number = int(_DIGITS.findall(m.group(group))[0])
        if number <= 120 and (group != "zum" or number > 31):
            found.append(Candidate("AGE", m.start(group), m.end(group)))
    for pattern in (_NAME_IS_AGE, _CHILDREN_AGES):
        for m in pattern.finditer(text):
            if all(int(n) <= 120 for n in _DIGITS.findall(m.group(1))):
                found.append(Candidate("AGE", m.start(1), m.end(1)))
