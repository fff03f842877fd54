"""Postal addresses: street lines of many countries (the house number before or after, a unit
or floor, the street's type word or none), city, state and postcode lines, PO boxes and
military addresses, street corners, and postcodes that identify a place on their own."""

from __future__ import annotations

import itertools
import re

from policies.detectors.base import Candidate, function_words
from policies.detectors.dates import MONTH, WEEKDAY
from policies.detectors.places import known

_W = r"[A-ZÀ-ÖØ-ÞĀ-ɏ][\w'’\-]*"  # a capitalised word
_WC = r"[A-ZÀ-ÖØ-ÞĀ-ɏ][a-zß-öø-ÿā-ɏ'’][\w'’\-]*"  # a capitalised word that is not an abbreviation
_LW = r"[^\W\d_][\w'’\-]*"  # any word

_EN_TYPES = (
    r"(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr(?!\.?[ \t]+[A-ZÀ-Þ][a-zà-ÿ])|boulevard|blvd|court|ct|way|place|pl"
    r"|terrace|ter|circle|cir|close|crescent|cres|parkway|pkwy|highway|hwy|square|sq|row|grove"
    r"|gardens|mews|walk|hill|trail|trl|loop|pike|alley|mall|road north|broadway|brae|wynd|rise|quay"
    r"|esplanade|promenade|parade|heights|vale|gate|green|park|view|wharf|yard|fields|meadows?|croft|approach|embankment"
    r"|ridge|circus)\b\.?"
)
# "Apt 12B, ", "Unit 7/", "Level 3, ", "Flat 9, ": what comes before a house number.
_UNIT_BEFORE = (
    r"(?:(?:(?i:apt|apartment|unit|suite|ste|flat|level|floor|fl|room|rm)\.?\s*|#\s?)[\w\-]{1,6}(?:,\s*|\s+|/)"
    r"|\d{1,4}[A-Za-z]?/(?=\d))?"
)
_UNIT = r"(?:,?\s*(?i:apt|apartment|unit|suite|ste|flat|#)\.?\s*#?\s*[\w\-]{1,6})?"
_US_STATE = (
    r"(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|P[AR]|RI|S[CD]"
    r"|T[NX]|UT|V[AIT]|W[AIVY])"
)
_AU_STATE = r"(?:NSW|VIC|QLD|WA|SA|TAS|ACT|NT)"
_CA_PROVINCE = r"(?:AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT)"
_CA_POSTCODE = r"(?:[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d)"
_UK_POSTCODE = r"(?:[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})"
_EIRCODE = r"(?:(?:[ACDEFHKNPRTVWXY]\d{2}|D6W) ?[0-9ACDEFHKNPRTV-Y]{4})"
# What may follow a street line, each after a comma or a line break: a city, a state or
# province with its postcode, a postcode.
_REGION = (
    rf"(?:{_US_STATE}(?:\s+\d{{5}}(?:-\d{{4}})?)?|{_AU_STATE}\s+\d{{4}}|{_CA_PROVINCE}(?:\s+{_CA_POSTCODE})?"
    rf"|{_UK_POSTCODE}|{_EIRCODE}|{_CA_POSTCODE}|Dublin\s+\d{{1,2}})(?![\w])"
)
_CITY = rf"(?!Co\.){_WC}(?:[ \t]+(?:upon[ \t]+|on[ \t]+|am[ \t]+|sur[ \t]+|de[ \t]+|of[ \t]+)?{_WC}){{0,2}}"
_TAIL = rf"(?:(?:,[ \t]*|[ \t]*\n[ \t]*|[ \t]+)(?:{_REGION})|(?:,[ \t]*|[ \t]*\n[ \t]*){_CITY}){{0,4}}"
_EN_STREET = re.compile(
    rf"(?<![\w\-/:.]){_UNIT_BEFORE}\d{{1,5}}[A-Za-z]?(?:-\d{{1,4}})?,?\s+(?:(?:[NSEW]|north|south|east|west)\.?\s+)?"
    rf"(?:{_W}\s+){{0,3}}(?:\d{{1,3}}(?:st|nd|rd|th)\s+)?(?i:{_EN_TYPES})(?:\s+(?:NE|NW|SE|SW|N|S|E|W|North|South|East|West)(?![\w]))?"
    rf"{_UNIT}{_TAIL}",
)
# A street named without its number after a preposition: "lives on Birchwood Close", "a shop on Queen Street East".
_EN_STREET_NAMED = re.compile(
    rf"(?:(?<=\bon )|(?<=\bat )|(?<=\boff )|(?<=\balong )|(?<=\bdown )|(?<=\bup )|(?<=\bnear )|(?<=\binto )|(?<=\bonto )"
    rf"|(?<=\bfrom )|(?<=\bvia ))(?!(?:The|My|Your|His|Her|Our|Their|No|Any|Every|This|That|One|Its)\b){_WC}(?:\s+{_WC}){{0,2}}\s+(?:Street|St\.?|Road|Rd\.?|Lane|Avenue|Ave\.?|Close|Crescent|Drive"
    rf"|Way|Terrace|Grove|Mews|Boulevard|Row|Place|Square)(?:\s+(?:East|West|North|South|NE|NW|SE|SW))?(?![\w'’])"
)
# A street without its number, known by the postcode after it: "Church Lane, Kings Langley WD4 8JS"
_EN_STREET_POSTCODE = re.compile(
    rf"(?<![\w\-/]){_WC}(?:\s+{_WC}){{0,2}}\s+(?i:{_EN_TYPES})(?:,[ \t]*|[ \t]*\n[ \t]*)(?:{_CITY}(?:,[ \t]*|[ \t]+|[ \t]*\n[ \t]*)){{0,2}}"
    rf"(?:{_UK_POSTCODE}|{_US_STATE}\s+\d{{5}}(?:-\d{{4}})?|{_CA_PROVINCE}\s+{_CA_POSTCODE}|{_AU_STATE}\s+\d{{4}}|{_EIRCODE})(?![\w])"
)
# German-speaking and Dutch: "Hauptstraße 12a, 10115 Berlin", "Leipziger Str. 16", "Am Rosenhang 2b"
_DE_SUFFIX = (
    r"(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|steig|pfad|markt|hof|berg"
    r"|graben|kamp|wall|zeile|straat|laan|plein|gracht|kade|singel|steeg)"
)
_DE_CITY = r"(?:,?\s+(?:[A-Z]-)?\d{4,5}\s+" + _W + r"(?:[\s\-](?:am|an der|im|ob der|bei)?\s?" + _W + r")?)"
_DE_PREFIX = r"(?:Am|An der|An den|Auf dem|Auf der|Im|In der|In den|Zum|Zur|Unter den|Hinter der|Vor dem|Alt)"
_DE_NOT_STREETS = frozenset({"Beispiel", "Jahr", "Jahre", "Jahren", "Monat", "Tag", "Kapitel", "Schluss", "Glück", "Thema", "Alter", "Moment", "Grunde", "Prinzip", "Schnitt", "Durchschnitt", "Allgemeinen", "Vergleich", "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember", "Sommer", "Winter", "Herbst", "Frühling", "Test", "Notfall", "Zweifel"})  # fmt: skip
_DE_STREET = re.compile(
    rf"(?<![\w\-])(?:(?:Am|An der|Auf dem|Im|In der|Zum|Zur)\s+)?(?:[A-ZÄÖÜ][^\W\d_]*-)*[A-ZÄÖÜĀ-ɏ][^\W\d_]*?-?(?i:{_DE_SUFFIX})"
    rf"(?:\s+[A-ZÄÖÜ][a-zäöüß]+)?\s+\d{{1,4}}\s?[a-zA-Z]?\b(?:[\-/]\d{{1,4}}[a-z]?){{0,3}}{_DE_CITY}?"
    rf"|(?<![\w\-])(?:[A-ZÄÖÜ][a-zäöüß]+\s+)(?:Straße|Strasse|Str\.|Weg|Gasse|Platz|Allee|Ring|Damm)"
    rf"\s+\d{{1,4}}\s?[a-zA-Z]?\b(?:[\-/]\d{{1,4}}[a-z]?){{0,3}}{_DE_CITY}?"
)
_DE_PREFIXED = re.compile(
    rf"(?<![\w\-]){_DE_PREFIX}\s+(?P<name>[A-ZÄÖÜ][a-zäöüß]+(?:[\s\-][A-ZÄÖÜ][a-zäöüß]+)?)"
    rf"(?:\s+(?P<number>\d{{1,3}})\s?[a-z]?\b{_DE_CITY}?|{_DE_CITY})"
)
# French: "12 bis, rue de la Paix, 75002 Paris", "Place Amélie Raba-Léon, 33076 Bordeaux Cedex"
_FR_TYPES = (
    r"(?:rue|avenue|av\.|boulevard|boul\.?|bd|mont[ée]e|place|chemin|allée|allee|impasse|quai|route|cours|square|passage|voie"
    r"|rond-point|esplanade|promenade|faubourg|lotissement|résidence)"
)
_FR_CITY = rf"(?:,?\s+\d{{4,5}}\s+{_W}(?:[\s\-]{_W})?(?:\s+Cedex(?:\s+\d{{1,2}})?)?)"
_FR_STREET = re.compile(
    rf"(?<![\w\-])\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+(?i:{_FR_TYPES})\s+(?:(?:de la|de l'|du|des|de|d')\s*)?"
    rf"{_LW}(?:[\s\-]{_W}){{0,3}}{_FR_CITY}?"
    rf"|(?<![\w\-])(?i:{_FR_TYPES})\s+(?:(?:de la|de l'|du|des|de|d')\s*)?{_W}(?:[\s\-]{_W}){{0,3}}{_FR_CITY}"
    # Belgian and Swiss order, the number after the street: "Rue de la Loi 16, 1000 Bruxelles"
    rf"|(?<![\w\-])(?:Rue|Avenue|Boulevard|Place|Chemin|Chaussée|Quai|Route|Allée|Impasse)\s+(?:(?:de la|de l'|du|des|de|d')\s*)?{_W}"
    rf"(?:[\s\-]{_W}){{0,3}},?\s+\d{{1,4}}(?:\s?(?:bis|ter|[a-z]))?\b{_FR_CITY}?"
)
# Spanish, Catalan, Italian, Portuguese: "Calle Mayor 5, 28013 Madrid", "C/ Mayor 22, 2.º dcha.",
# "camino de las Rosas 2", "Rambla de Méndez Núñez 31", "Via Roma 12"
_ES_TYPES = (
    r"(?:calle|c/|avenida|avda\.|av\.|plaza|pza\.|paseo|camino|carrer|ronda|travesía|travesia|rambla|avinguda|alameda|bulevar|pasaje|carrera"
    r"|passeig|glorieta|callejón|callejon|cuesta|carretera|ctra\.|urbanización|vía|via|viale|piazza|piazzale"
    r"|corso|largo|vicolo|rua|travessa|praça|praca|ul\.|ulica|al\.|aleja|strada|calea|ulice|utca)"
)
_ES_STREET = re.compile(
    rf"(?<![\w\-])(?i:{_ES_TYPES})\s*(?:(?:de la|de las|de los|del|de|dels|de l')\s+)?{_W}"
    rf"(?:\s+(?:(?:de la|de las|de los|del|de|y|i)\s+)?{_W}){{0,3}},?\s+(?:n[º°o]\.?\s*)?"
    rf"\d{{1,4}}(?:\s?[a-zA-Z])?\b(?:,?\s*\d{{1,2}}\.?\s?[º°ªo](?:\s?(?:izquierda|derecha|dcha|izda|izq|der|centro|[A-D])\b\.?)?)?"
    rf"(?:,?\s+\d{{5}}\s+{_W}(?:\s+{_W})?)?"
)
# A street named alone by its type word, in the languages that put the type first: "calle Colón",
# "plaza Mayor", "rue Oberkampf", "piazza Navona".
_TYPE_FIRST_ALONE = re.compile(
    rf"(?<![\w\-])(?i:calle|avenida|avda\.|plaza|paseo|ronda|carrer|rambla|rue|avenue|boulevard|impasse|allée|quai|via|piazza|rua)"
    rf"\s+(?:(?:de la|de las|de los|del|de|du|des|d'|della|dei)\s*)?{_WC}(?:[\s\-]{_WC}){{0,2}}"
)
# Colombian and other grid addresses, the street a number too: "Carrera 7 # 71-21", "Calle 26 No. 13-19", "Cra. 15 #93A-62".
_GRID_STREET = re.compile(
    r"(?<![\w\-])(?i:calle|cll?\.?|carrera|cra\.?|kr\.?|avenida|av\.?|ak\.?|ac\.?|diagonal|dg\.?|transversal|tv\.?)\s*"
    r"\d{1,3}\s?[A-Z]?(?:\s?bis)?\s*(?:#|(?i:n[º°o]|no)\.?)\s*\d{1,3}\s?[A-Z]?(?:\s(?:Sur|Norte|Este|Oeste))?\s*-\s*\d{1,3}(?![\w])"
)
# A street without its type word, known by the capital district after it: "Gavilán 1540, CABA".
_STREET_BEFORE_DISTRICT = re.compile(rf"(?<![\w\-]){_WC}(?:[ \t]+(?:de[ \t]+)?{_WC}){{0,2}}[ \t]+\d{{1,5}}(?=,[ \t]*(?:CABA|CDMX)(?![\w]))")
# A Colombian corner by grid numbers: "la calle 72 con carrera 7", "Cra. 15 con Calle 93".
_GRID_CORNER = re.compile(
    r"(?<![\w\-])(?i:calle|cll?\.?|carrera|cra\.?|kr\.?|avenida|av\.?|diagonal|dg\.?|transversal|tv\.?)\s*\d{1,3}\s?[A-Z]?(?:\s?bis)?"
    r"\s+(?i:con|y)\s+(?i:calle|cll?\.?|carrera|cra\.?|kr\.?|avenida|av\.?|diagonal|dg\.?|transversal|tv\.?)\s*\d{1,3}\s?[A-Z]?(?![\w])"
)
# A German street named alone, one word with its type: "Richtung Lindenweg", "in der Thaliastraße", "am Hermannplatz".
_DE_STREET_ALONE = re.compile(
    r"(?<![\w\-])(?:(?:Große|Grosse|Kleine|Alte|Neue|Obere|Untere|Hohe|Lange|Breite|Innere|Äußere|Hintere|Vordere)[rsn]?[ \t]+)?"
    r"(?P<name>[A-ZÄÖÜ][a-zäöüß]{2,}(?:straße|strasse|gasse|allee|platz|weg|damm|ufer|chaussee))(?![\w\-])"
)
_DE_NOT_STREET_NAMES = frozenset(
    [
        "Parkplatz",
        "Spielplatz",
        "Arbeitsplatz",
        "Sportplatz",
        "Campingplatz",
        "Sitzplatz",
        "Stellplatz",
        "Fußballplatz",
        "Tennisplatz",
        "Golfplatz",
        "Bolzplatz",
        "Rastplatz",
        "Schulhofplatz",
        "Kinderspielplatz",
        "Ausbildungsplatz",
        "Studienplatz",
        "Kitaplatz",
        "Krippenplatz",
        "Heimplatz",
        "Heimweg",
        "Rückweg",
        "Umweg",
        "Ausweg",
        "Radweg",
        "Fußweg",
        "Gehweg",
        "Schulweg",
        "Arbeitsweg",
        "Seeweg",
        "Landweg",
        "Luftweg",
        "Wanderweg",
        "Feldweg",
        "Waldweg",
        "Hinweg",
        "Dienstweg",
        "Rechtsweg",
        "Lösungsweg",
        "Rechenweg",
        "Lebensweg",
        "Mittelweg",
        "Königsweg",
        "Fluchtweg",
        "Zugangsweg",
        "Landstraße",
        "Bundesstraße",
        "Einbahnstraße",
        "Seitenstraße",
        "Nebenstraße",
        "Querstraße",
        "Hauptverkehrsstraße",
        "Schnellstraße",
        "Umgehungsstraße",
        "Sackgasse",
        "Holzweg",
        "Irrweg",
        "Jakobsweg",
        "Staudamm",
        "Deichdamm",
        "Flussufer",
        "Seeufer",
        "Rheinufer",
        "Elbufer",
        "Ostufer",
        "Westufer",
        "Nordufer",
        "Südufer",
    ]
)
_CALENDAR_WORD = re.compile(rf"(?i:(?:{WEEKDAY})|{MONTH})$")
# PO boxes and military addresses: "PO Box 224", "Box 224, Whitehorse, YT Y1A 6C4",
# "PSC 1234, Box 5678, APO AE 09204", "Postfach 10 12 34", "BP 123", "Apartado de correos 45"
_PO_BOX = re.compile(
    rf"(?<![\w\-])(?:(?:PSC|CMR|Unit)\s+\d{{1,5}},?\s+)?(?:(?i:p\.?\s?o\.?\s?box|post office box|postfach|boîte postale"
    rf"|apartado(?: de correos)?|casilla(?: de correo)?|packstation|postfiliale)|Box|B\.?P\.?)\s*\d{{1,6}}(?:\s\d{{2}}){{0,2}}"
    rf"(?:,?\s+(?:APO|FPO|DPO)\s+(?:AE|AP|AA)\s+\d{{5}})?{_TAIL}"
    rf"|(?<![\w\-])(?:APO|FPO|DPO)\s+(?:AE|AP|AA)\s+\d{{5}}(?!\d)"
    # a French business box before its postcode: "CS 50001, 34064 Montpellier Cedex 2"
    rf"|(?<![\w\-])CS\s?\d{{5}}(?=,?\s+\d{{5}}\s)"
)
# "Flat 9, Marlowe House", "The Manse, 4 Kirk Brae": a named building before or as the address.
_BUILDING = re.compile(
    rf"(?<![\w\-])(?:(?i:flat|apartment|apt|unit|suite)\.?\s*\d{{1,4}}[A-Za-z]?,\s+)?"
    rf"{_WC}(?:\s+{_WC})?\s+(?:House|Court|Building|Tower|Lodge|Mansions|Hall|Cottage|Manor|Heights|Villa|Farm)"
    rf"(?=,\s*\d|\s*\n\s*\d|,\s+{_WC})"
    rf"|(?<![\w\-])(?i:flat|apartment|apt|unit|suite)\.?\s*\d{{1,4}}[A-Za-z]?,\s+{_WC}(?:\s+{_WC})?"
    rf"\s+(?:House|Court|Building|Tower|Lodge|Mansions|Hall|Cottage|Manor|Heights|Villa|Farm)(?!\w)"
)
# "the corner of Elm Street and 5th Avenue", "Ecke Hauptstraße und Bahnhofstraße"
_PLACE_NAME = rf"(?:(?:\d{{1,3}}(?:st|nd|rd|th)|{_W})(?:\s+(?:{_W}|(?i:{_EN_TYPES}))){{0,3}})"
_CORNER = re.compile(
    rf"(?i:\b(?:corner of|intersection of|junction of|ecke|an der ecke|au coin de(?: la| du)?|à l'angle de(?: la| du)?"
    rf"|angle|esquina(?: de| con)?|cruce de))\s+(?P<a>{_PLACE_NAME})(?:\s+(?i:and|&|und|et|y|con|/|with)\s+|\s*/\s*)(?P<b>{_PLACE_NAME})"
)
_CORNER_CUE = re.compile(
    r"(?i:\b(?:corner of|intersection of|junction of|ecke|au coin de(?: la| du)?|à l'angle de(?: la| du)?|esquina(?: de| con)?|cruce de))\s*$"
)
_CORNER_AND = re.compile(r"\s+(?i:and|&|und|et|y|con)\s+(?i:(?:de la|de l'|du|des|de|del|der)\s+)?")
_UK_POSTCODE_ALONE = re.compile(rf"(?<![\w])(?-i:{_UK_POSTCODE})(?![\w])")
_CA_POSTCODE_ALONE = re.compile(r"(?<![\w])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d(?![\w])")
_EIRCODE_ALONE = re.compile(rf"(?<![\w]){_EIRCODE}(?![\w])")
# "10115 Berlin", "75002 Paris", "28013 Madrid", "60487 Frankfurt am Main": a postcode and its town.
_POSTCODE_TOWN = re.compile(
    rf"(?<![\w\-.,])\d{{5}}\s+(?P<town>{_WC}(?:[\s\-](?:am|an der|sur|de|del|la|le|im|bei)?\s?{_WC})?)"
    rf"(?:\s+Cedex(?:\s+\d{{1,2}})?)?"
)
_NOT_TOWNS = frozenset({"Euro", "Euros", "Dollar", "Dollars", "Pfund", "Franken", "Stück", "Einwohner", "Menschen", "Leute", "Kunden", "Mitglieder", "Punkte", "Schritte", "Kilometer", "Meter", "Jahre", "Personen", "Nutzer", "Followers", "Users", "People", "Points", "Steps", "Miles", "Pesos", "Personas", "Habitants", "Personnes"})  # fmt: skip


# What may follow an address line, after a comma or a line break: a unit or floor, a
# postcode and town of many countries, a state or province with its code, "Cedex 01".
_UNIT_PART = (
    r"(?i:apartment|apto|apt|unit|suite|ste|flat|floor|fl|level|b[âa]timent|b[âa]t|escalier|esc|[ée]tage|stiege|stg|top|tür"
    r"|piso|planta|puerta|pta|portal|bloque|depto|dpto|departamento|bajo|entresuelo|[áa]tico|interior|int|oficina|of|torre|appt|appartement|app"
    r"|bte|boîte|wohnung|whg)\.?\s*[\w\-º°ª]{1,6}"
    r"|\d{1,2}\.\s?(?:OG|Obergeschoss|Stock|Etage|EG)(?:\s+(?:links|rechts|mitte|li\.?|re\.?))?"
    r"|(?:EG|DG|Hinterhaus|Vorderhaus|Seitenflügel)(?:\s+(?:links|rechts|mitte))?"
    r"|\d{1,2}\.?\s?(?:[º°ª]|o(?!\w))(?:\s?(?:izquierda|derecha|dcha|izda|izq|der|centro|[A-H])\b\.?)?|\d{1,2}(?:er|e|ème)\s+[ée]tage"
)
# What stands before a street line, after a comma or on the line above: a flat, a floor, a
# building or estate, "número 12 de la": "Bâtiment C, 18 rue ...", "Urbanización Los Pinos, portal 3".
_BUILDING_PART = (
    rf"(?i:r[ée]sidence|urbanizaci[óo]n|urb\.|edificio|immeuble|b[âa]timent|conjunto|colonia|col\.|cit[ée]|lotissement)"
    rf"\s+(?:(?i:du|de la|des|de|del|los|las|les|la|le|el|los)\s+)?{_W}(?:\s+{_W}){{0,2}}"
    rf"|{_WC}(?:\s+{_WC}){{0,2}}\s+(?:Industrial Estate|Trading Estate|Business Park|Retail Park|Business Centre)"
    # a house by its name, as British and Irish addresses begin: "The Old Rectory", "Rosemount Care Home", "Ivy Cottage"
    rf"|The\s+{_WC}(?:\s+{_WC}){{0,2}}"
    rf"|{_WC}(?:\s+{_WC}){{0,2}}\s+(?:House|Cottage|Farm|Lodge|Hall|Mill|Barn|Manor|Villa|Care Home|Nursing Home|Mansions"
    rf"|Buildings|Chambers|Towers?|Apartments|Flats)"
)
_UNIT_BEFORE_STREET = rf"(?=[^,\n]*\d|[^,\n]*\b[A-Z]\b|(?:EG|DG|Hinterhaus|Vorderhaus|Seitenflügel)\b)(?:{_UNIT_PART})"
_BEFORE_STREET = re.compile(
    rf"(?:(?:{_UNIT_BEFORE_STREET}|{_BUILDING_PART})[ \t]*(?:,[ \t]*|[ \t]*\r?\n[ \t]*))+$"
    rf"|(?i:n[úu]mero|n[º°o]\.?|nr\.?|no\.)\s*\d{{1,4}}[a-zA-Z]?\s+(?:(?i:de la|del|de|of)\s+)?$"
)
_POSTCODE_PART = (
    rf"(?:[A-Z]{{1,2}}-)?\d{{4,5}}(?:\s?[A-Z]{{2}})?\s+{_WC}(?:[ \t\-](?:am|an der|im|sur|de|del|la|le|bei)?[ \t]?{_WC}){{0,2}}"
    rf"(?:\s+Cedex(?:\s+\d{{1,2}})?)?"
    rf"|\d{{2}}-\d{{3}}\s+{_WC}|\d{{4}}-\d{{3}}\s+{_WC}|\d{{3}}-\d{{4}}|Cedex(?:\s+\d{{1,2}})?"
    rf"|[A-HJ-NP-Z]\d{{4}}[A-Z]{{3}}(?:\s+{_W})?|(?i:c\.\s?p\.|cp)\s*\d{{4,5}}"
)
_DISTRICT_PART = (
    rf"(?i:col\.|colonia|fracc\.|fraccionamiento|barrio|b[º°]|urb\.|urbanizaci[óo]n|quartier|ortsteil)\s+{_W}(?:\s+{_W}){{0,2}}"
)
_UNIT_WORD = r"(?i:apt|flat|unit|suite|piso|planta|puerta|pta|depto|dpto|bte|esc|escalera|int\.|interior|appt|app\.|stiege|top|tür|whg)\b"
_CONTINUE = re.compile(
    rf"(?:\.?,[ \t]*|\.?[ \t]*\r?\n[ \t]*|[ \t]+(?=\d|Cedex|\(|{_US_STATE}\b|{_CA_PROVINCE}\b|{_CA_POSTCODE}\b|{_UK_POSTCODE}\b|{_UNIT_WORD}))"
    rf"(?:(?P<unit>{_UNIT_PART})|(?P<postcode>{_POSTCODE_PART})|(?P<region>{_REGION})|(?P<district>{_DISTRICT_PART})"
    rf"|(?P<county>Co\.[ \t]+{_WC})|\((?P<paren>{_WC}(?:[ \t\-]{_WC}){{0,2}}|{_US_STATE}|{_CA_PROVINCE})\)|(?P<place>{_WC}(?:[ \t\-]{_WC}){{0,2}}))(?![\w\-])"
)
_POSTCODE_CUE = re.compile(
    r"(?i:\b(?:zip(?: code)?|post ?code|postal code|postleitzahl|plz|code postal|cp|c\.p\.|c[óo]digo postal))\s*[:#]?\s*(?:(?:is|ist|lautet|est|es)\s+)?"
    rf"(?P<code>\d{{5}}(?:-\d{{4}})?|\d{{4}}(?:\s?[A-Z]{{2}})?|{_UK_POSTCODE}|{_CA_POSTCODE}|{_EIRCODE})(?![\w])"
)


_CEDEX_NUMBER = re.compile(r"[ \t]+\d{1,2}(?![\w])")


_WORD = re.compile(r"[^\s,]+")


def _first_names() -> frozenset[str]:
    """Return the NER's first names (imported late: the NER imports this module)."""
    from policies.detectors.ner import first_names

    return first_names()


def _town_end(text: str, start: int, end: int) -> int:
    """Return where the town after a postcode ends: before a first name that starts the next sentence.

    "10115 Berlin Zoë Hallo" is Berlin and a greeting; "Frankfurt am Main" and "Le Havre" stay whole.
    """
    words = [w for w in _WORD.finditer(text, start, end) if not w.group()[0].isdigit()]
    for i, w in enumerate(words[1:], 1):
        if w.group().casefold() in _first_names() and known(text[words[0].start() : w.end()]) is None:
            return words[i - 1].end()
    return end


_CLAUSE_END = re.compile(r"[ \t]*(?:$|[,.;:!?)\n]|y\b|and\b|et\b|und\b|a las\b)")
# An acronym of a capital district after a comma: "…, CABA", "…, CDMX".
_CAPITAL_DISTRICT = re.compile(r",[ \t]*(?:CABA|CDMX|D\.F\.|DF|D\.C\.|DC|Bogotá D\.C\.)(?![\w])")


def _unknown_town(text: str, m: re.Match[str]) -> bool:
    """Tell whether a capitalised run after a street's comma is its town or district though no list knows it.

    "Av. San Martín 2450, Ramos Mejía, a las 13", "Transversal 5 # 64-20, Chapinero y": the run ends
    the clause. A first name, a function word or a greeting starts the next sentence instead.
    """
    if not text[m.start() : m.start("place")].lstrip().startswith(","):
        return False
    words = m.group("place").split()
    head = words[0].casefold()
    if head in _first_names() or head in function_words() or len(words) > 3:
        return False
    return _CLAUSE_END.match(text, m.end()) is not None


def _continued(text: str, end: int) -> int:
    """Return where an address that seems to end at `end` really ends: past its unit, postcode, town and country."""
    guessed = False
    for _ in range(5):
        m = _CONTINUE.match(text, end)
        if m is None:
            break
        if m.group("place") is not None and known(m.group("place")) is None:
            if guessed or not _unknown_town(text, m):
                break  # a capitalised word that names no place: the text goes on, the address does not
            guessed = True
        if m.group("paren") is not None and not m.group("paren").isupper() and known(m.group("paren")) is None:
            break  # "(Québec)" goes with the town, "(see below)" does not
        end = m.end()
    if text[max(0, end - 5) : end].casefold() == "cedex" and (m := _CEDEX_NUMBER.match(text, end)):
        end = m.end()
    if (district := _CAPITAL_DISTRICT.match(text, end)) is not None:
        end = district.end()
    return end


_BETWEEN_LINES = re.compile(r"[ \t]*,?[ \t]*(?:\r?\n)?[ \t]*")


_LAST_LINE_POSTCODE = re.compile(r"(?:[A-Z]{1,2}-)?\d{4,5}\s+")


_CONTACT_LINE = re.compile(r"[ \t]*(?i:tel|tél|phone|fon|fax|mobil|mobile|handy|portable|móvil|e-?mail|mail|web)\b")
_SENTENCE_WORDS = frozenset({"thanks", "thank", "cheers", "danke", "merci", "gracias", "please", "bitte", "regards", "love"})


def _next_sentence_cut(text: str, start: int, end: int) -> int:
    """Return end without a last part that starts the next sentence: "12 Main Street, Peter will show you"."""
    comma = text.rfind(",", start, end)
    if comma < 0 or any(c.isdigit() for c in text[comma:end]):
        return end
    part = text[comma + 1 : end].strip()
    head = part.split()[0].casefold() if part else ""
    if (head in _first_names() and known(part) is None) or head in function_words() or head in _SENTENCE_WORDS:
        return comma
    return end


def _trimmed(text: str, start: int, end: int) -> Candidate:
    """Return an ADDRESS candidate without trailing spaces, commas or line breaks, nor a name after its town."""
    while end > start and text[end - 1] in " \t\r\n,":
        end -= 1
    # A letter's date under its address ("NJ 07040\nNovember 24, 2026") or its letterhead's next line
    # ("20099 Hamburg\nTel.: 0176 ...") is no town line.
    while (line := text.rfind("\n", start, end)) > start and (
        ((word := _WORD.match(text, line + 1, end)) and _CALENDAR_WORD.match(word.group())) or _CONTACT_LINE.match(text, line + 1, end)
    ):
        end = line
        while end > start and text[end - 1] in " \t\r\n,":
            end -= 1
    end = _next_sentence_cut(text, start, _continued(text, end))
    # Only the town after a postcode is cut: a street may well be named after someone ("Calle San Juan").
    last_line = max(text.rfind(",", start, end), text.rfind("\n", start, end)) + 1 or start
    while last_line < end and text[last_line] in " \t\r\n":
        last_line += 1
    if _LAST_LINE_POSTCODE.match(text, last_line, end) is not None:
        end = _town_end(text, last_line, end)
    return Candidate("ADDRESS", start, end)


def find_addresses(text: str) -> list[Candidate]:
    """Find street addresses (with city and postcode when present), PO boxes, corners and postcodes."""
    found: list[Candidate] = []
    for pattern in (
        _EN_STREET,
        _EN_STREET_POSTCODE,
        _EN_STREET_NAMED,
        _DE_STREET,
        _FR_STREET,
        _ES_STREET,
        _GRID_STREET,
        _GRID_CORNER,
        _STREET_BEFORE_DISTRICT,
        _PO_BOX,
        _BUILDING,
        _TYPE_FIRST_ALONE,
    ):
        for m in pattern.finditer(text):
            if pattern is _TYPE_FIRST_ALONE and _CALENDAR_WORD.match(m.group().split()[-1]):
                continue  # "down the avenue Tuesday": a day, not a street's name
            found.append(_trimmed(text, m.start(), m.end()))
    for m in _DE_PREFIXED.finditer(text):
        name = m.group("name").split()[0].split("-")[0]
        if name in _DE_NOT_STREETS:
            continue
        if m.group("number") is not None and not 0 < int(m.group("number")) < 1000:
            continue
        found.append(_trimmed(text, m.start(), m.end()))
    for m in _DE_STREET_ALONE.finditer(text):
        if m.group("name") not in _DE_NOT_STREET_NAMES:
            found.append(_trimmed(text, m.start(), m.end()))
    for m in _POSTCODE_CUE.finditer(text):
        found.append(Candidate("ADDRESS", m.start("code"), m.end("code")))
    for m in _CORNER.finditer(text):
        found.append(Candidate("ADDRESS", m.start("a"), m.end("b")))
    for m in _POSTCODE_TOWN.finditer(text):
        if m.group("town").split()[0] not in _NOT_TOWNS and not _CALENDAR_WORD.match(m.group("town").split()[0]):
            town_end = _town_end(text, m.start(), m.end())
            found.append(_trimmed(text, m.start(), town_end) if town_end == m.end() else Candidate("ADDRESS", m.start(), town_end))
    for pattern in (_UK_POSTCODE_ALONE, _CA_POSTCODE_ALONE):
        for m in pattern.finditer(text):
            found.append(Candidate("ADDRESS", m.start(), m.end()))
    for m in _EIRCODE_ALONE.finditer(text):
        if any(c.isalpha() for c in m.group()[3:]):
            found.append(Candidate("ADDRESS", m.start(), m.end()))
    return _joined(text, found)


def _joined(text: str, found: list[Candidate]) -> list[Candidate]:
    """Join the lines of one address: parts separated only by a comma or one line break.

    A street line takes in the flat, floor or building written before it, and two streets
    of one corner ("au coin de la rue A et de la rue B") are one span.
    """
    out: list[Candidate] = []
    for cand in sorted(found, key=lambda c: (c.start, -c.end)):
        if out and (cand.start <= out[-1].end or _BETWEEN_LINES.fullmatch(text, out[-1].end, cand.start) is not None):
            out[-1] = Candidate("ADDRESS", out[-1].start, max(out[-1].end, cand.end))
        else:
            out.append(cand)
    return out


# A postcode that follows its town on the same line: "Hull HU8 9HE", "Whitehorse, YT Y1A 6C4".
_POSTCODE_FIRST = re.compile(
    rf"(?:{_UK_POSTCODE}|{_CA_POSTCODE}|{_US_STATE}\s+\d{{5}}|{_AU_STATE}\s+\d{{4}}|{_CA_PROVINCE}\s+{_CA_POSTCODE})(?![\w])"
)
_TOWN_BEFORE = re.compile(rf"(?<![\w\-]){_CITY},?[ \t]+$")
# A letter's street line with no type word, above its postcode line: "Lange Reihe 55\n20099 Hamburg".
_POSTCODE_LINE = re.compile(r"(?:[A-Z]{1,2}-)?\d{4,5}[ \t]+[A-ZÀ-ÖØ-Þ]")
_STREET_LINE_ABOVE = re.compile(rf"(?m)^[ \t]*(?P<street>{_WC}(?:[ \t\-]{_W}){{0,3}}[ \t]+\d{{1,4}}[a-zA-Z]?)[ \t]*\r?\n[ \t]*$")
# A known town before the street, as some write it: "Filiale Hamburg-Altona, Große Bergstraße", "Wien 10, Favoritenstraße 201".
_PLACE_BEFORE_STREET = re.compile(
    rf"(?<![\w\-])(?<!de )(?<!du )(?<!la )(?<!del )(?<!of )(?<!von )(?<!der )(?P<place>{_WC}(?:-{_WC})?)(?:[ \t]+\d{{1,2}})?,[ \t]*$"
)


def widen(text: str, candidates: list[Candidate]) -> list[Candidate]:
    """Widen the addresses that any detector found: over the town before a postcode, the flat,
    floor or building written before a street line, and over "et de la" between the two
    streets of a corner."""
    out: list[Candidate] = []
    addresses: list[Candidate] = []
    for cand in candidates:
        if (
            cand.kind == "ADDRESS"
            and _POSTCODE_FIRST.match(text, cand.start)
            and (town := _TOWN_BEFORE.search(text, max(0, cand.start - 40), cand.start))
        ):
            cand = Candidate("ADDRESS", town.start(), cand.end, cand.strong)
        if cand.kind == "ADDRESS" and (before := _BEFORE_STREET.search(text, max(0, cand.start - 120), cand.start)) is not None:
            cand = Candidate("ADDRESS", before.start(), cand.end, cand.strong)
        if (
            cand.kind == "ADDRESS"
            and _POSTCODE_LINE.match(text, cand.start)
            and (street := _STREET_LINE_ABOVE.search(text, max(0, cand.start - 80), cand.start)) is not None
        ):
            cand = Candidate("ADDRESS", street.start("street"), cand.end, cand.strong)
        if (
            cand.kind == "ADDRESS"
            and (place := _PLACE_BEFORE_STREET.search(text, max(0, cand.start - 40), cand.start)) is not None
            and (known(place.group("place")) or known(place.group("place").split("-")[0])) is not None
            and place.group("place").split("-")[0].casefold() not in _first_names()
        ):
            cand = Candidate("ADDRESS", place.start(), cand.end, cand.strong)
        out.append(cand)
        if cand.kind == "ADDRESS":
            addresses.append(cand)
    addresses.sort(key=lambda c: (c.start, -c.end))
    for a, b in itertools.pairwise(addresses):
        if (
            a.end < b.start
            and _CORNER_AND.fullmatch(text, a.end, b.start) is not None
            and _CORNER_CUE.search(text, max(0, a.start - 30), a.start) is not None
        ):
            out.append(Candidate("ADDRESS", a.start, b.end))
    return out
