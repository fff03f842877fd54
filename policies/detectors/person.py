"""Names of people: a first-name gazetteer plus context cues (titles, kinship, "named")."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from policies.detectors.base import Candidate, function_words
from policies.detectors.places import known as known_place

_DATA = Path(__file__).parent / "data"


def _words(name: str) -> frozenset[str]:
    return frozenset((_DATA / name).read_text("utf-8").split())


# First names that are also everyday words: they need a cue or a surname beside them.
_AMBIGUOUS = _words("ambiguous_names.txt")
_STOP_CAP = _words("stop_words.txt")
_KIN = (
    r"(?:son|daughter|kid|child|boy|girl|wife|husband|partner|friend|boyfriend|girlfriend|boss"
    r"|colleague|coworker|co-worker|neighbou?r|mom|mum|mother|dad|father|sister|brother|aunt|uncle"
    r"|cousin|grandma|grandpa|grandmother|grandfather|niece|nephew|teacher|doctor|nanny|babysitter"
    r"|roommate|flatmate|landlord|tenant|client|patient|fiancée?|ex|baby|toddler|stepson|stepdaughter"
    r"|sohn|tochter|frau|mann|freund|freundin|chef|chefin|kollege|kollegin|nachbar|nachbarin|mutter"
    r"|vater|schwester|bruder|oma|opa|tante|onkel|enkel|enkelin"
    r"|fils|fille|femme|mari|ami|amie|copain|copine|patron|voisin|voisine|mère|père|sœur|soeur|frère"
    r"|hijo|hija|esposa|esposo|marido|amigo|amiga|jefe|jefa|vecino|vecina|madre|padre|hermana|hermano)"
)
_NAME = r"[A-ZÀ-ÖØ-ÞĀ-ɏ][^\W\d_]+(?:[\-'’][^\W\d_]{2,})?"  # "O'Brien", not "Emma's"
_NAME_ANYCASE = r"[^\W\d_][^\W\d_]+"
_Q = r"[\"'(\[]?"  # a name may stand in quotes or brackets after its cue: named "Minka"
_SP = r"[^\S\r\n]+"  # a name's words stay on one line
_TWO = rf"{_NAME}(?:{_SP}{_NAME})?"
_TITLE_OPT = r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Mag|Ing|Herrn|Herr|Frau|Mme|Mlle|Sr|Sra|Srta)\.?\s+)?"
_TWO_ANY = rf"{_NAME_ANYCASE}(?:{_SP}{_NAME_ANYCASE})?"
_CUE_BEFORE = re.compile(
    rf"(?i:\b(?:my|our|mein(?:e|em|en|er)?|unser(?:e|em|en|er)?|ma|mon|notre|mi|nuestr[oa]|his|her|their)"
    rf"\s+(?:\w+\s+)?{_KIN}(?:'s)?,?\s+)(?!(?i:heißt|heisst|named|called|is|ist|est|es|se llama|s'appelle|has|hat|tiene|a)\b){_Q}(?P<kin>{_NAME_ANYCASE}(?:{_SP}{_NAME}){{0,2}})"
    rf"|(?i:\b(?:named|called|name is|name's|heißt|hei[sß]t|namens|s'appelle|je m'appelle|se llama|me llamo"
    rf"|recogni[sz]ed(?: as)?:?|identified as|known as|aka|a\.k\.a\.|erkannt:?|erkannt als|reconnue? comme|reconnue?:|reconocid[oa](?: como)?:?"
    rf"|dear|liebe|lieber|cher|chère|querida|querido|kontoinhaber(?:in)?|inhaber(?:in)?|account holder|account name|beneficiary|payee"
    rf"|empfänger(?:in)?|titulaire(?: du compte)?|bénéficiaire|titular(?: de la cuenta)?|beneficiari[oa])[ \t]*:?\s+{_TITLE_OPT}){_Q}(?P<strong>{_TWO_ANY})"
    rf"|(?:\b(?:Mr|Mrs|Ms|Miss|Mx|Prof)|(?i:\b(?:dr|dra|herrn|herr|frau|mme|mlle|sr|sra|srta|doña|dña|docteur|doctoresse|doctora"
    rf"|doktor|maître|notaire)))\.?\s+{_Q}(?P<title>{_NAME}(?:{_SP}{_NAME}){{0,2}})|\bD\.?/Dña\.?\s+(?P<form>{_NAME}(?:{_SP}{_NAME}){{0,3}})"
    rf"|(?i:\b(?:remind|tell|ask|text|call|email|e-mail|message|invite|who is|who's|meet|visit|pick up|ring|pay|send|transfer|refund"
    rf"|zahle|überweise|paie|rembourse|paga|envía|envia|mándale a|mandale a|manda a|escríbele a|escribele a|avísale a|pregúntale a"
    rf"|congratulate|thank|erinnere|frag|sag|ruf|schreib|rappelle|dis à|appelle|recuerda a|dile a|llama a)\s+{_TITLE_OPT})"
    rf"{_Q}(?P<verb>{_TWO_ANY})"
    rf"|(?i:\b(?:i'm|i am|this is|it's|its|hi|hello|hey|with|from|for|to|and|und|et|y|mit|von|für|avec|con|para|soy|c'est)\s+)"
    rf"{_Q}(?P<weak>{_TWO}|[a-zà-ÿ][a-zà-ÿ]+(?=[ \t]*(?:$|[,.:;!?)]|from\b|here\b|again\b|de\b|aus\b|can\b|will\b|kann\b)))"
    rf"|(?<![\w.])(?P<pair>{_TWO_ANY})(?=\s+(?i:and i|and me|und ich|et moi|y yo)\b)"
)
# A title, a family's or an elder's address word, in any case, then a name in any case:
# "mr hollis", "ms okafor", "Familie Nguyen", "abuelo paco", "papy andré", "grandma rosie".
_TITLED = re.compile(
    r"(?i:\b(?:mr|mrs|ms|mx|dr|prof|herr|herrn|mme|mlle|madame|monsieur|sr|sra|srta|señor|señora|señorita|doña"
    r"|familie|famille|familia|grandma|grandpa|granddad|grandad|granny|grandmother|grandfather|nana|auntie|aunt|uncle"
    r"|oma|opa|onkel|tante|papy|papi|mamie|pépé|mémé|tonton|tata|abuelo|abuela|abuelito|abuelita|tío|tía|tio|tia)\b\.?)"
    rf"[ \t]+{_Q}(?P<name>(?:(?:von|van|de|del|della|di|du|des|da|le|la|zu)[ \t]+){{0,2}}{_NAME_ANYCASE}(?:[\-'’][^\W\d_]{{2,}})?)"
)
# A login's user made of a name: "User gerhard" in an ssh config, "username: eleanor".
# After an explicit user-name cue any handle is a person's ("Username wkowalczyk"); after "user" only one made of a name.
_USER = re.compile(
    r"(?i:(?:\b|(?<=_))(?:(?P<explicit>username|user name|user-name|benutzername|nom d'utilisateur|identifiant|nombre de usuario"
    r"|usuario|login)|user|benutzer|utilisateur)\b[ \t]*[:=]?[ \t]*)(?P<name>[a-zà-ÿ][a-z0-9à-ÿ]*(?:[._\-][a-z0-9]+)*)(?![\w@\-]|\.\w)"
)
# A handle's rest after a name a cue found: "le vendeur s'appelle juju_dlb", "called anna.smith".
_HANDLE_TAIL = re.compile(r"(?:[._][a-z0-9]+)+(?![\w@\-]|\.\w)")
# Accounts that belong to a service or a device, not to a person.
_SERVICE_ACCOUNTS = frozenset(
    ["admin", "administrator", "root", "user", "guest", "test", "demo", "homeassistant", "mqtt", "ubuntu", "debian", "pi",
     "service", "system", "support", "backup", "default", "operator", "camera", "printer", "media", "plex", "nas"]
)  # fmt: skip
# A known first name alone as the message's last line or sentence: "... bizum al 600 12 34 56. sara".
_LAST_WORD_NAME = re.compile(
    r"(?:(?<=[.!?])[ \t]+|(?<=\n)[ \t]*|(?i:\b(?:gruß|grüße|lg|cheers|thanks|bises|bisous|besos|saludos|xx)[,!.]?[ \t]+))(?P<name>[^\W\d_]{2,20})[ \t]*[.!]?[ \t]*$"
)
# A name with what goes with a person: a phone number in a list ("Reto +41 79 ..., Vroni +43 ..."),
# an age between commas ("Tunde Bakare, 46, has played"), a degree ("Ngozi Chukwuemeka-Hart, MSc").
_NAME_WITH = re.compile(
    rf"(?<![\w'’\-.])(?P<name>{_NAME}(?:{_SP}{_NAME})?)(?:[ \t]*[:\-–][ \t]*|[ \t]+)(?=\+\d{{1,3}}[ \t(]*\d|\(?0\d{{2,4}}\)?[ \t/\-]?\d{{3}})"
    rf"|(?<![\w'’\-.])(?P<aged>{_NAME}(?:{_SP}{_NAME})?),[ \t]+\d{{1,2}}[ \t]*,"
    rf"|(?<![\w'’\-.])(?P<degree>{_NAME}(?:{_SP}{_NAME}){{0,2}}),[ \t]+(?:MSc|MA|BSc|BA|PhD|MD|RN|MBA|MPhil|LLB|LLM|FRCS|MRCP|Dipl\.-Ing\.|Dr\. med\.)(?![\w])"
)
_PHONE_WORDS = frozenset(
    [
        "tel",
        "tel.",
        "telefon",
        "telephone",
        "phone",
        "mobile",
        "mobil",
        "handy",
        "fax",
        "hotline",
        "notruf",
        "zentrale",
        "büro",
        "office",
        "cell",
        "móvil",
        "movil",
        "teléfono",
        "téléphone",
        "portable",
        "fixe",
        "whatsapp",
        "sms",
        "call",
        "ring",
        "ruf",
        "appelle",
        "llama",
    ]
)
# A surname in capitals beside a first name, as forms and letters write it: "LE GALL Yannick", "Yannick LE GALL".
_CAPS_SURNAME = re.compile(
    rf"(?<![\w'’\-])(?:(?P<caps>[A-ZÀ-Þ]{{2,}}(?:[ \-][A-ZÀ-Þ]{{2,}}){{0,2}})[ \t]+(?P<first>{_NAME})"
    rf"|(?P<first2>{_NAME})[ \t]+(?P<caps2>[A-ZÀ-Þ]{{2,}}(?:[ \-][A-ZÀ-Þ]{{2,}}){{0,2}}))(?![\w'’\-])"
)
_NOT_SURNAMES = frozenset(
    [
        "ASAP",
        "FYI",
        "CEO",
        "CFO",
        "CTO",
        "HR",
        "PS",
        "OK",
        "TV",
        "PC",
        "USA",
        "UK",
        "EU",
        "PDF",
        "SMS",
        "GPS",
        "DM",
        "PM",
        "AM",
        "IT",
        "ID",
        "NB",
        "RSVP",
    ]
)
# Capitalised words after a verb cue that are not people.
_NOT_NAMES = _words("not_names.txt")
_WORD = re.compile(r"\S+")
_CAP_RUN = re.compile(rf"(?<![\w@.])(?P<run>{_NAME}(?:{_SP}(?:(?:van|von|de|del|da|di|le|la|der|den|van der|de la){_SP})?{_NAME}){{0,3}})")


# A name that signs a message off: "— Abby", "Cheers,\nTom", "Viele Grüße\nG. Rauscher", at the end of a line.
_SIGN_OFF = re.compile(
    rf"(?:(?<=\s)(?:—|–|--|~)[ \t]*|(?:(?i:\b(?:thanks|thank you|many thanks|cheers|best|best wishes|kind regards|regards|love|xx|xoxo"
    rf"|yours|sincerely|gruß|grüße|viele grüße|liebe grüße|beste grüße|lg|vg|mfg|bisous|bises|cordialement|amitiés|bien à vous"
    rf"|saludos|un saludo|un abrazo|besos|atentamente|abrazos|im auftrag|i\.[ \t]?a\.|hochachtungsvoll|mit freundlichen grüßen"
    rf"|freundliche grüße|salutations|sincères salutations|p\.o\.))[,!.]?[ \t]*(?:\r?\n[ \t]*)?)+)"
    rf"(?P<name>(?:[A-ZÀ-Þ]\.[ \t]?)?{_NAME}(?:{_SP}{_NAME})?)[ \t]*[.!]?[ \t]*(?=\r?\n|$)"
)
# A device named after its owner: "Milan-iPad", "Ananyas-Galaxy-A54", "sofias-iphone".
_DEVICE_OWNER = re.compile(
    r"(?<![\w\-])(?P<name>[A-Za-zÀ-ÿ][a-zà-ÿ]{2,15})(?:['’]s)?[\-_ ]"
    r"(?i:iphone|ipad|ipod|galaxy|pixel|macbook|imac|mac|laptop|pc|phone|tablet|watch|kindle|switch|xbox|ps[45]|echo"
    r"|handy|tab|desktop|notebook|chromebook|surface|thinkpad|android|oneplus|xiaomi|redmi|huawei|nintendo)(?![a-z])"
)
# In lower case after a greeting: "hey marisol!", "hola lucía,".
_GREETED = re.compile(
    r"(?i:\b(?:hey|hi|hello|hiya|dear|hallo|servus|moin|salut|coucou|bonjour|hola|buenas))[ \t,]+"
    r"(?P<name>[^\W\d_][^\W\d_'’\-]{1,20})(?=[ \t]*[!,.:;?\n])"
)
# A word in lower case ("ask priya", "opa heinz hat"), a name when it is a first name that no
# one writes as an everyday word (data/lower_first_names.txt; build_lower_names.py says how).
_LOWER_WORD = re.compile(r"(?<![\w'’\-@.])(?P<name>[a-zà-öø-ÿß]{3,20})(?![\w\-@]|\.\w)")
_LOWER_NAMES = _words("lower_first_names.txt")
# A surname standing alone ("Dubois called", "chez Lefebvre"): one that is no word, no German noun and no
# first name (data/surnames_no_word.txt; build_lower_names.py says how), capitalised as names are.
_LONE_SURNAMES = _words("surnames_no_word.txt")
_CAPITALISED = re.compile(r"(?<![\w'’\-@./])(?P<name>[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿß]+(?:[\-'’][A-Za-zÀ-ÖØ-öø-ÿ]+)?)(?![\w\-@]|\.\w)")
# A first and last name alone as a message's last sentence: the signature of a note.
_LAST_SENTENCE_NAME = re.compile(rf"(?<=[.!?])[ \t]+(?P<name>{_NAME}{_SP}{_NAME})[ \t]*$")
# "Brenner, Ulrich", "LÓPEZ SANZ, Andrés": a surname, then a comma and a first name, as forms write them.
_SURNAME_FIRST = re.compile(
    rf"(?<![\w'’\-])(?P<name>(?:[A-ZÀ-Þ]{{2,}}(?:[ \-][A-ZÀ-Þ]{{2,}}){{0,2}}|{_NAME}),[ \t]+(?P<first>{_NAME}))(?![\w'’\-])"
)
# A name with what people have ("Femi's school play", "Noah's party"): the possessive of a person.
_PERSON_HAS = re.compile(
    rf"(?<![\w'’\-])(?P<name>{_NAME_ANYCASE})['’]s[ \t]+(?:(?:new|first|last|next|big|little|school|birthday|football|swimming)[ \t]+)?"
    r"(?i:school|class|teacher|homework|party|birthday|mum|mom|dad|parents|friend|friends|room|bedroom|appointment|football|swimming"
    r"|dentist|doctor|nursery|ballet|piano|grandma|grandpa|wife|husband|son|daughter|brother|sister|phone|tablet|laptop|bike"
    r"|play|match|game|recital|sleepover|playdate|bday|christening|wedding|funeral|graduation|allergy|medication|inhaler)\b"
)
# A header line of a forwarded message: "From: Tamsin Okoro <...>", "Von: Wiebke Hansen".
_HEADER = re.compile(
    rf"(?m)^[ \t>]*(?:From|To|Cc|Bcc|Reply-To|Von|An|Absender|De|À|A|Para|Expéditeur|Destinataire|Remitente)[ \t]*:[ \t]*"
    rf"{_Q}(?P<name>{_NAME}(?:{_SP}(?:(?:van|von|de|del|da|di|le|la|der|den|van der|de la){_SP})?{_NAME}){{0,3}}){_Q}(?=[ \t]*(?:<|\(|\r?\n|$|,))"
)
# What people do, said of a name before it: "Okafor called about the invoice", "Zeynep has a fever".
_PERSON_VERB = re.compile(
    rf"(?<![\w'’\-])(?P<name>{_NAME}(?:{_SP}{_NAME})?)[ \t]+(?:called|rang|phoned|texted|emailed|messaged|said|says|asked|told|wants|needs"
    r"|has (?:a |an )?(?:fever|cold|cough|temperature|rash|sore throat|headache|appointment|allergy|football|swimming|homework)"
    r"|is (?:sick|ill|allergic|coming|late|asleep|home|at school|at work|off school)|feels|felt|woke up|fell asleep|cried|hates|loves"
    r"|hat (?:angerufen|geschrieben|gesagt|gefragt|Fieber|Geburtstag|Husten|Schnupfen)|ist (?:krank|erkältet|allergisch|müde)"
    r"|a (?:appelé|écrit|dit|demandé|de la fièvre)|est (?:malade|allergique|fatigué)|llamó|dijo|escribió|preguntó|tiene fiebre"
    r"|está (?:enferm[oa]|malo|mala))\b"
)
# A name inside an identifier: "device_tracker.pixel_jana", "LAPTOP-SCHNEIDER", "Casa_Benavides_5G", "PC-ANTOINE".
_IDENTIFIER = re.compile(r"(?<![\w.\-])[A-Za-zÀ-ÿ0-9]+(?:[_.\-][A-Za-zÀ-ÿ0-9]+)+(?![\w\-]|\.\w)")
_IDENTIFIER_PART = re.compile(r"[A-Za-zÀ-ÿ]{3,}")
# What identifiers are made of besides names: devices, rooms, services.
_NOT_IN_IDENTIFIERS = frozenset(
    ["home", "guest", "guests", "gast", "invitados", "invités", "wifi", "wlan", "box", "net", "fritz", "fritzbox",
     "livebox", "freebox", "bbox", "salon", "cam", "camera", "kamera", "door", "front", "back", "garden", "garage",
     "kitchen", "office", "bureau", "cocina", "living", "room", "bed", "bedroom", "bath", "hall", "haus", "casa", "maison",
     "device", "tracker", "notify", "mobile", "app", "iphone", "ipad", "pixel", "galaxy", "laptop", "desktop", "pc", "mac",
     "book", "phone", "tablet", "watch", "tv", "sensor", "light", "switch", "media", "player", "person", "zone", "group",
     "input", "automation", "script", "scene", "binary", "climate", "cover", "lock", "vacuum", "speaker", "echo", "alexa",
     "google", "nest", "hue", "sonos", "printer", "drucker", "router", "repeater", "mesh", "ext", "extender", "plus",
     "pro", "max", "mini", "thinkpad", "surface", "android", "windows", "linux", "ubuntu", "server", "nas", "backup",
     "main", "master", "admin", "root", "user", "test", "dev", "prod", "north", "south", "east", "west", "up", "down",
     "left", "right", "upper", "lower", "top", "bottom", "new", "old", "lat", "lon", "lng", "api", "key", "token", "id"]
)  # fmt: skip
# "los Treviño", "les Schmitt", "die Müllers", "the Hendersons": a family by its surname.
_FAMILY = re.compile(rf"(?<![\w'’\-])(?:los|les|die|the|chez les)[ \t]+(?P<name>{_NAME})(?![\w'’\-])")
# A form's fields: "Nom : RAKOTOMALALA", "Prénom : Hanta", "Vorname: Jürgen", "Apellidos: García Ruiz".
_FORM_FIELD = re.compile(
    rf"(?m)^[ \t>*\-]*(?:(?P<given>Prénoms?|Vorname|Vornamen|First name|Given names?|Forename|Nombre|Nombres)"
    rf"|(?P<family>Nom|Nom de famille|Nom de naissance|Nachname|Familienname|Surname|Last name|Family name|Apellidos?"
    rf"|Primer apellido|Segundo apellido)|(?P<full>Name|Full name|Nom complet|Nombre completo|Patient|Patiente|Paciente|Versicherte[r]?))"
    rf"[ \t]*:[ \t]*(?P<name>{_NAME}(?:[ \t]+{_NAME}){{0,3}})[ \t]*(?=\r?\n|$|,)"
)
# "Henrik and Sunniva", "Ayo und Bisi": a known first name makes the other word beside it a name too.
_PAIR = re.compile(rf"(?<![\w'’\-])(?P<a>{_NAME})[ \t]+(?:and|und|et|y|&)[ \t]+(?P<b>{_NAME})(?![\w'’\-])")
# Words after "called", "named" that are no name: "Okafor called about the invoice".
_NOT_AFTER_CALLED = frozenset(
    ["about", "back", "me", "you", "him", "her", "us", "them", "again", "yesterday", "today", "earlier", "twice", "once",
     "off", "out", "up", "it", "this", "that", "from", "with", "while", "when", "home", "ahead", "over", "late", "in", "on",
     "to", "for", "at", "the", "a", "an", "and", "but", "so", "just", "already", "still", "because", "after", "before"]
)  # fmt: skip
_NOT_GREETED = frozenset(
    [
        "there",
        "all",
        "everyone",
        "everybody",
        "guys",
        "team",
        "folks",
        "y'all",
        "mum",
        "mom",
        "dad",
        "mama",
        "papa",
        "again",
        "both",
        "you",
        "friend",
        "friends",
        "love",
        "sweetie",
        "honey",
        "dear",
        "darling",
        "buddy",
        "mate",
        "sir",
        "madam",
        "ma'am",
        "tout",
        "toi",
        "vous",
        "tous",
        "todos",
        "amigo",
        "amiga",
        "chicos",
        "zusammen",
        "alle",
        "leute",
    ]
)


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    def load(name: str) -> frozenset[str]:
        path = _DATA / name
        return frozenset(line.strip().casefold() for line in path.read_text("utf-8").splitlines() if line.strip())

    # Faker's lists, and gender-guesser's dictionary's names that are no word (build_more_names.py)
    return load("first_names.txt") | load("more_first_names.txt"), load("last_names.txt")


def _trim_to_names(words: list[str], first: frozenset[str], last: frozenset[str]) -> int:
    """Return how many leading words form the name (first name, then surname-like words)."""
    n = 1
    while n < len(words):
        w = words[n].casefold()
        if w in _STOP_CAP:
            break
        if w in first or w in last or w in {"van", "von", "de", "del", "da", "di", "le", "la", "der", "den"}:
            n += 1
            continue
        # an unknown capitalised word right after a first name is usually a surname, and a third one
        # after a known second name is the rest of it ("Rajinder Singh Bhullar", "María José Carrasco")
        if n == 1 or (n == 2 and (words[1].casefold() in first or words[1].casefold() in last) and known_place(words[2]) is None):
            n += 1
            continue
        break
    return n


def _words_at(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Return the words of text[start:end] with their own offsets into text."""
    return [(w.group(), w.start(), w.end()) for w in _WORD.finditer(text, start, end)]


def _german(text: str) -> bool:
    from policies.detectors.ner import language

    return language(text) == "de"


def find_people(text: str) -> list[Candidate]:
    """Find people's names by gazetteer and by cue words around them."""
    first, last = _gazetteer()
    found: list[Candidate] = []
    for m in _CUE_BEFORE.finditer(text):
        group = next(g for g in ("kin", "strong", "title", "form", "verb", "weak", "pair") if m.group(g) is not None)
        if group == "form":  # "D./Dña. MOHAMED EL AMRANI BOUZID": a Spanish form's addressee, in capitals as often as not
            found.append(Candidate("PERSON", m.start(group), m.end(group)))
            continue
        if group == "strong" and (tail := _HANDLE_TAIL.match(text, m.end(group))) is not None:
            found.append(Candidate("PERSON", m.start(group), tail.end()))  # a handle, whole: "s'appelle juju_dlb"
            continue
        value = m.group(group)
        located = _words_at(text, m.start(group), m.end(group))
        words = [w for w, _, _ in located]
        head = words[0].casefold()
        if head in _STOP_CAP or head in _NOT_NAMES or words[0].isupper() or head in _NOT_AFTER_CALLED:
            continue
        if group == "weak" and head not in first:
            continue  # "with Python", "to Paris": only known first names after weak cues
        if not value[0].isupper() and group != "strong" and head not in first:
            continue  # lower case: only known first names, except after "named", "dear"...
        if not value[0].isupper() and group == "weak" and (head in function_words() or head in _AMBIGUOUS):
            continue
        if (len(words) == 2 and not words[1][0].isupper() and (words[1].casefold() not in first and words[1].casefold() not in last)) and (
            group != "strong" or words[1].casefold() in _STOP_CAP
        ):
            words = words[:1]
        if group in ("verb", "pair", "weak") and head in _AMBIGUOUS and len(words) == 1:
            continue
        if len(words) == 2 and (words[1].casefold() in _STOP_CAP or words[1].casefold() in _NOT_NAMES):
            words = words[:1]
        keep = _trim_to_names(words, first, last) if len(words) > 1 else 1
        # The span ends where the last kept word ends in the text itself: the words may be
        # separated by any run of spaces, never assume one.
        found.append(Candidate("PERSON", located[0][1], located[keep - 1][2]))
    for pattern in (_SIGN_OFF, _DEVICE_OWNER, _PERSON_HAS, _LAST_SENTENCE_NAME, _HEADER, _PERSON_VERB):
        for m in pattern.finditer(text):
            head = m.group("name").split()[0].casefold()
            if head in _STOP_CAP or head in _NOT_NAMES:
                continue
            if pattern is _PERSON_HAS and not m.group("name")[0].isupper() and (head not in first or head in _AMBIGUOUS):
                continue  # "luca's party" in lower case: only a known first name
            if pattern is _DEVICE_OWNER and not m.group("name")[0].isupper() and head not in first and head.rstrip("s") not in first:
                continue  # "my-laptop", "work-pc": a lower-case owner needs to be a known name
            found.append(Candidate("PERSON", m.start("name"), m.end("name")))
    stop_words = function_words()
    for m in _TITLED.finditer(text):
        name = m.group("name")
        low = name.split()[-1].casefold()
        if low in stop_words or low in _STOP_CAP or low in _NOT_NAMES or (name.isupper() and len(name) < 3):
            continue
        if name.split()[-1][0].islower() and text[m.start()].isupper():
            continue  # "The Dr. said so": who writes the title with a capital writes a name with one
        found.append(Candidate("PERSON", m.start("name"), m.end("name")))
    for m in _USER.finditer(text):
        handle = m.group("name")
        low = handle.casefold()
        if m.group("explicit") is not None:
            named = low not in _SERVICE_ACCOUNTS and sum(c.isalpha() for c in handle) >= 4
        else:
            named = handle.isalpha() and 3 <= len(handle) <= 20 and (low in first or low in last or low[1:] in last)  # "mgarrido"
        if named:
            found.append(Candidate("PERSON", m.start("name"), m.end("name")))
    if (last_word := _LAST_WORD_NAME.search(text)) is not None:
        low = last_word.group("name").casefold()
        if low in first and low not in _AMBIGUOUS and low not in stop_words and low not in _NOT_GREETED:
            found.append(Candidate("PERSON", last_word.start("name"), last_word.end("name")))
    for m in _NAME_WITH.finditer(text):
        group = next(g for g in ("name", "aged", "degree") if m.group(g) is not None)
        words = m.group(group).split()
        low = words[0].casefold()
        if low in _STOP_CAP or low in _NOT_NAMES or low in _PHONE_WORDS or low in stop_words or any(w.isupper() for w in words):
            continue
        if words[-1].casefold().endswith(("nummer", "number", "nr", "telefon", "fon")):
            continue  # "Notfallnummer 0461 ...": what the number is, not whose
        if known_place(m.group(group)) is not None and low not in first:
            continue  # "Zürich +41 44 ...": a town's number
        found.append(Candidate("PERSON", m.start(group), m.end(group)))
    for m in _CAPS_SURNAME.finditer(text):
        given = m.group("first") or m.group("first2")
        caps = (m.group("caps") or m.group("caps2")).split()
        if any(w in _NOT_SURNAMES for w in caps):
            continue
        if given.casefold() in first and given.casefold() not in _AMBIGUOUS and given.casefold() not in stop_words:
            found.append(Candidate("PERSON", m.start(), m.end()))
    for m in _PAIR.finditer(text):
        a, b = m.group("a").casefold(), m.group("b").casefold()
        if {a, b} & (_STOP_CAP | _NOT_NAMES):
            continue
        if known_place(m.group("a")) is not None or known_place(m.group("b")) is not None:
            continue  # "Nancy et Metz", "Florence and Rome": two places
        if (a in first and a not in _AMBIGUOUS) or (b in first and b not in _AMBIGUOUS):
            found.append(Candidate("PERSON", m.start("a"), m.end("a")))
            found.append(Candidate("PERSON", m.start("b"), m.end("b")))
    for m in _GREETED.finditer(text):
        name = m.group("name").casefold()
        if name not in _NOT_GREETED and name not in _STOP_CAP and name not in _NOT_NAMES:
            found.append(Candidate("PERSON", m.start("name"), m.end("name")))
    for m in _LOWER_WORD.finditer(text):
        low = m.group("name")
        if low in _LOWER_NAMES and low not in _STOP_CAP and low not in _NOT_NAMES and low not in stop_words:
            found.append(Candidate("PERSON", m.start("name"), m.end("name")))
    for m in _IDENTIFIER.finditer(text):
        parts = list(_IDENTIFIER_PART.finditer(m.group()))
        # "Steuer-ID", "API-Key" are hyphenated words; "Livebox-Moreau", "pixel_jana", "PC-ANTOINE" a device's or a network's name
        device_named = "_" in m.group() or "." in m.group() or any(p.group().casefold() in _NOT_IN_IDENTIFIERS for p in parts)
        for part in parts:
            word = part.group()
            low = word.casefold()
            if low in _NOT_IN_IDENTIFIERS or low in _STOP_CAP or low in _NOT_NAMES or low in stop_words:
                continue
            if not device_named and not word.isupper():
                continue
            # lower case: a first name that is no word ("pixel_jana", "sarahs_pixel"); capitals: any name ("LAPTOP-SCHNEIDER")
            if word.islower():
                named = len(word) > 3 and (low in _LOWER_NAMES or (low.endswith("s") and low[:-1] in _LOWER_NAMES))
            else:
                named = (low in first and low not in _AMBIGUOUS) or low in last
            if named and known_place(word.capitalize()) is None:
                start = m.start() + part.start()
                found.append(Candidate("PERSON", start, start + len(word)))
    for m in _FAMILY.finditer(text):
        low = m.group("name").casefold()
        if low in _STOP_CAP or low in _NOT_NAMES or low in first or known_place(m.group("name")) is not None:
            continue
        if low in last or (low.endswith("s") and low[:-1] in last):
            found.append(Candidate("PERSON", m.start("name"), m.end("name")))
    for m in _FORM_FIELD.finditer(text):
        words = m.group("name").split()
        low = words[0].casefold()
        if low in _STOP_CAP or low in _NOT_NAMES or low in stop_words:
            continue
        if m.group("full") is not None and not (low in first or low in last or m.group("name").isupper()):
            continue  # "Name: Living Room": only a name the lists know, or a form's capitals
        found.append(Candidate("PERSON", m.start("name"), m.end("name")))
    for m in _CAPITALISED.finditer(text):
        low = m.group("name").casefold()
        if low in _LONE_SURNAMES and known_place(m.group("name")) is None:
            found.append(Candidate("PERSON", m.start("name"), m.end("name")))
    for m in _SURNAME_FIRST.finditer(text):
        head = m.group("name").split(",")[0].split()[0].casefold()
        if m.group("first").casefold() in first and head not in _STOP_CAP and head not in _NOT_NAMES:
            found.append(Candidate("PERSON", m.start("name"), m.end("name")))
    german: bool | None = None  # the text's language, asked once and only for a possible German genitive
    for m in _CAP_RUN.finditer(text):
        located = _words_at(text, m.start("run"), m.end("run"))
        # A run is cut after four words; a name at its end may go on ("Hallo Hallo Hallo Emma Watson").
        if (more := _CAP_RUN.match(text, m.end("run") + 1)) is not None and text[m.end("run") : more.start()] in (" ", "\t"):
            located += _words_at(text, more.start("run"), more.end("run"))[:2]
        words = [w for w, _, _ in located]
        for i, word in enumerate(words):
            w = word.casefold()
            if (
                w not in first
                and w.endswith("s")
                and len(w) > 4
                and w[:-1] in first
                and w[:-1] not in _AMBIGUOUS
                and w not in _STOP_CAP
                and i + 1 < len(words)
                and (german := _german(text) if german is None else german)
            ):
                # "Timos Konto", "Jörgs Auto": a German genitive, before the noun it owns
                found.append(Candidate("PERSON", located[i][1], located[i][2]))
                break
            if w not in first or word.isupper():
                continue
            rest = words[i + 1 :]
            has_surname = bool(rest) and rest[0].casefold() not in _STOP_CAP
            if w in _AMBIGUOUS and not (has_surname and (rest[0].casefold() in last or rest[0].casefold() in first)):
                continue
            if w in _STOP_CAP:
                continue
            keep = _trim_to_names(words[i:], first, last) if rest else 1
            found.append(Candidate("PERSON", located[i][1], located[i + keep - 1][2]))
            break
    return found
