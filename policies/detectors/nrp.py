"""Religions, nationalities and political groups said of people, in English, German, French and Spanish.

French, Spanish and German have no NORP label in their pipelines (and German no pipeline):
a religion's adjective or noun is taken anywhere ("katholisch", "musulmane", "evangélica");
a nationality only where it is said of someone ("she is Polish", "ist Türkin", "a Welsh
family"), since "Italian food" or "speaks German" say nothing about a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from policies.detectors.base import Candidate, lower_pattern, lowered

_RELIGION = (
    r"catholics?|roman catholic|protestants?|evangelicals?|christians?|muslims?|moslems?|jews?|jewish|hindus?|buddhists?|sikhs?"
    r"|mormons?|jehovah'?s witness(?:es)?|anglicans?|methodists?|baptists?|lutherans?|presbyterians?|quakers?|orthodox|atheists?"
    r"|agnostics?|islamic|shia|shiite|sunni|pentecostal|adventists?"
    r"|katholisch\w*|katholik\w*|evangelisch\w*|protestantisch\w*|christlich\w*|christ(?:in|en)?|muslimisch\w*|muslim(?:in|e|en)?"
    r"|moslem\w*|jüdisch\w*|jude|jüdin|juden|hinduistisch\w*|buddhistisch\w*|orthodox\w*|atheist(?:in|en)?|freikirchlich\w*"
    r"|zeugen jehovas|konfessionslos\w*"
    r"|catholiques?|protestante?s?|évangéliques?|chrétien(?:ne)?s?|musulman(?:e)?s?|juif|juive|juifs|juives|hindoue?s?"
    r"|bouddhistes?|orthodoxes?|athées?|témoins de jéhovah|israélites?"
    r"|católic[oa]s?|protestantes?|evangélic[oa]s?|cristian[oa]s?|musulman(?:a|es|as)?|judí[oa]s?|hindúe?s?|budistas?"
    r"|ortodox[oa]s?|ateos?|ateas?|testigos de jehová|mormones?"
    r"|alevit\w*|alevis?|alévie?s?|alevíes|yazidis?|jesid\w*|yézidie?s?|druzes?|drusisch\w*|bahá'í|bahai"
)
_RELIGION_RE = lower_pattern(rf"(?i)(?<![\w\-])(?:{_RELIGION})(?![\w\-])")
# Words that are a religion's name only in some uses: "christian" is also a first name, "orthodox" an ordinary adjective.
_NEEDS_CONTEXT = frozenset({"christian", "orthodox", "christ", "quaker", "quakers", "baptist", "shia", "sunni"})
_SAID_OF = lower_pattern(
    r"(?i)(?:\b(?:is|are|am|was|were|i'm|she's|he's|we're|they're|as an?|an?|ist|sind|bin|war|est|sont|suis|es|son|soy|somos"
    r"|being|raised|born|practising|practicing|devout|strict|fromme?r?|pratiquante?|practicante)\s+)$"
)

_IS = lower_pattern(
    r"(?i)(?:\b(?:is|are|am|was|were|i'm|she's|he's|we're|they're|ist|sind|bin|war|est|sont|suis|es|son|soy|somos|half|both)\s+)$"
)
_DEMONYM = (
    r"american|british|english|scottish|welsh|irish|canadian|australian|german|french|spanish|italian|portuguese|dutch"
    r"|belgian|swiss|austrian|polish|czech|slovak|hungarian|romanian|bulgarian|greek|turkish|russian|ukrainian|swedish"
    r"|norwegian|danish|finnish|chinese|japanese|korean|indian|pakistani|bangladeshi|nigerian|ghanaian|kenyan|ethiopian"
    r"|somali|egyptian|moroccan|algerian|tunisian|syrian|iraqi|iranian|afghan|mexican|brazilian|argentinian|colombian"
    r"|peruvian|chilean|venezuelan|cuban|filipino|vietnamese|thai|indonesian|eritrean|lebanese|kurdish|albanian|serbian|croatian"
    r"|deutsche[rn]?|deutsch|türkin|türke|türkisch\w*|polin|pole|polnisch\w*|italiener(?:in)?|italienisch\w*|franzose|französin"
    r"|spanier(?:in)?|russin|russe|ukrainer(?:in)?|syrer(?:in)?|afghan(?:e|in)|griech(?:e|in)|österreicher(?:in)?|schweizer(?:in)?"
    r"|américaine?|britannique|anglaise?|allemande?|française?|espagnole?|italien(?:ne)?s?|portugaise?|belge|suisse|polonaise?"
    r"|marocaine?|algérien(?:ne)?s?|tunisien(?:ne)?s?|sénégalaise?|malien(?:ne)?s?|turque|chinoise?|japonaise?|vietnamien(?:ne)?s?"
    r"|estadounidense|británic[oa]|inglés|inglesa|aleman[a]?|alemán|francés|francesa|español[a]?|italian[oa]|portugués|portuguesa"
    r"|marroquí|argentin[oa]|colombian[oa]|mexican[oa]|peruan[oa]|venezolan[oa]|ecuatorian[oa]|cuban[oa]|chilen[oa]|rumano|rumana"
    # more of each language's forms (feminine, plural, nouns for people), 2026-12-04
    r"|jamaican|nepali|sri lankan|tamil|punjabi|sikh|maori|aboriginal|indigenous|first nations|inuit|métis|kosovan|bosnian"
    r"|lithuanian|latvian|estonian|slovenian|icelandic|scots|brazilian|bolivian|uruguayan|paraguayan|ecuadorian|dominican"
    r"|haitian|senegalese|cameroonian|congolese|ivorian|sudanese|ugandan|tanzanian|zimbabwean|south african|saudi|emirati"
    r"|yemeni|palestinian|israeli|jordanian|libyan|malaysian|singaporean|taiwanese|mongolian|uzbek|kazakh|georgian|armenian"
    r"|azerbaijani|belarusian|moldovan|roma|romani|traveller|gypsy"
    r"|(?:marokkan|tunesi|algeri|iran|irak|amerikan|kanadi|brasilian|mexikan|argentini|kolumbi|peruan|venezolan|kuban|chilen"
    r"|belgi|niederländ|engländ|isländ|norweg|schwed|dän|finn|ungar|rumän|bulgar|kroat|serb|bosni|albani|kosovar|mazedoni|slowen"
    r"|slowak|tschech|litau|lett|estn|weißruss|georgi|armeni|aserbaidschan|kasach|usbek|afghan|pakistan|ind|bangladesch|sri-lank"
    r"|vietnames|chines|japan|korean|thailänd|philippin|indonesi|malaysi|australi|neuseeländ|nigerian|ghana|kenian|äthiopi"
    r"|eritre|somali|sudanes|kongoles|kameruner|senegales|ägypt|libanes|syr|palästinens|israel|jordani|saudi|jemenit|liby|kurd"
    r"|ital|span|portugies|griech|österreich|schweiz|brit|schott|ir|walis|pol|russ|ukrain|türk)"
    r"(?:er|erin|erinnen|e|en|in|innen|isch|ische[nrms]?|ischen|stämmig\w*)"
    r"|(?:ivoir|hait|haït|camerounais|congolais|guiné|malgach|sénégal|comor|mauritan|tchad|gabon|burkinab|béninois|togol|nigér"
    r"|égypt|libanais|syri|irak|iran|afghan|pakistan|ind|sri-lank|bangladais|vietnam|cambodg|lao|thaïland|philippin|coré|japonais"
    r"|chinois|mongol|russ|ukrain|biélorusse|moldave|roumain|bulgar|serbe|croate|bosni|albanais|kosovar|macédoni|grec|turc|kurde"
    r"|arméni|géorgi|polonais|tchèque|slovaque|hongrois|autrichi|allemand|néerlandais|belge|luxembourgeois|suisse|itali|espagnol"
    r"|portugais|anglais|écossais|irlandais|gallois|britanniqu|améric|canadi|québécois|mexic|brésili|argentin|colombi|péruvi|chili"
    r"|vénézuéli|cubain|dominicain|marocain|algéri|tunisi|libyen|mali|sénégalais|ivoirien|tunisien|algérien|congolais)"
    r"(?:ien|ienne|iens|iennes|e|es|s|en|enne|ens|ennes|ne|nes|ain|aine|ains|aines|ais|aise|aises)?"
    r"|(?:dominican|paraguay|uruguay|bolivian|salvadoreñ|hondureñ|guatemaltec|panameñ|puertorriqueñ|ecuatorian|venezolan"
    r"|peruan|chilen|argentin|colombian|mexican|cuban|brasileñ|ruman|búlgar|ucranian|rus|polac|italian|african|marroquí"
    r"|argelin|tunecin|egipci|sirian|libanes|irakí|iraní|afgan|pakistaní|indi|chin|japones|corean|filipin|vietnamit|senegales"
    r"|nigerian|ghanes|camerunes|congoleñ|ecuatoguinean|mapuche|quechua|aimara|guaraní|gitan|indígen)"
    r"(?:o|a|os|as|e|es|s|í|íes|ense|enses)?"
)
_DEMONYM_RE = lower_pattern(rf"(?i)(?<![\w\-])(?:{_DEMONYM})(?![\w\-])")
# After the nationality, a person: "a Welsh family", "Nigerian neighbours".
_PERSON_AFTER = lower_pattern(
    r"(?i)\s+(?:man|woman|men|women|family|families|citizen|citizens|national|nationals|neighbou?rs?|guy|girl|boy|couple|parents?"
    r"|mother|father|mum|mom|dad|wife|husband|grandmother|grandfather|descent|origin|passport|nationality|heritage|roots"
    r"|staatsbürger\w*|staatsangehörigkeit|herkunft|familie|eltern|abstammung|nationalité|origine|famille|nacionalidad|origen|familia)\b"
)
_PARTY = re.compile(
    r"(?<![\w\-])(?:Labour|Tories|Tory|Conservatives|Lib Dems|Liberal Democrats|Republicans?|Democrats?|SNP|Plaid Cymru|Reform UK"
    r"|CDU|CSU|SPD|FDP|AfD|Grüne[nr]?|Die Linke|BSW|Freie Wähler|Les Républicains|Renaissance|La France insoumise|LFI|RN"
    r"|Rassemblement national|Les Verts|PSOE|PP|Podemos|Sumar|Vox|Ciudadanos|ERC|Junts|Bildu|PNV)(?![\w\-])"
)
_PARTY_CONTEXT = re.compile(
    r"(?i:\b(?:vote[sd]?|voting|voter|member of|supports?|supporter|campaign(?:s|ed)? for|wählt|wähle|gewählt|mitglied (?:der|bei)"
    r"|join(?:ed|ing)?|in die|beitreten|eintreten|adh[ée]rer (?:aux?|à)|adh[ée]rent (?:aux?|à)|afiliarme a|afiliarse a|unirme a"
    r"|vote pour|voté pour|militant|vota|votó|voto a|afiliad[oa] (?:al|a)|simpatizante de|milita en)\s+(?:the |die |den |der |les? |la |el |al |a )?)$"
)


# "de nationalité sénégalaise et française", "nacionalidad colombiana", "nationality: Irish".
_NATIONALITY_CUE = lower_pattern(
    r"(?i)\b(?:nationality|citizenship|staatsangehörigkeit|staatsbürgerschaft|nationalit[ée]|nacionalidad|ciudadan[íi]a)\b"
    r"[ \t:]*(?:(?:de|du|des|la|le|el|is|ist|est|es)[ \t]+)?(?:[^\W\d_]+[ \t]+(?:and|und|et|y|e)[ \t]+)?$"
)


# "los mapuches vivían", "die Kurden", "les Kurdes": a people named as a group by its plural noun.
_PEOPLE_ARTICLE = lower_pattern(r"(?i)\b(?:los|las|les|des|die|unos|unas)\s+$")


def _is_people_noun(text: str, start: int, end: int) -> bool:
    """Tell whether a demonym after a plural article is a noun for people: plural, and in German capitalised."""
    word = text[start:end]
    if not word.endswith(("s", "n")):
        return False
    after = text[end : end + 2].strip()[:1]
    return not (after and after.isupper()) and (not word.endswith("n") or word[0].isupper())


def find_nrp(text: str) -> Iterator[Candidate]:
    """Yield religions, nationalities said of people, and political parties someone votes for or belongs to."""
    low = lowered(text)
    for m in _RELIGION_RE.finditer(low):
        word = m.group()
        if word in _NEEDS_CONTEXT and not _SAID_OF.search(low, max(0, m.start() - 24), m.start()):
            continue
        if word == "christian" and text[m.start()].isupper() and text[m.end() : m.end() + 2].strip()[:1].isupper():
            continue  # "Christian Weber": a first name
        yield Candidate("NRP", m.start(), m.end())
    for m in _DEMONYM_RE.finditer(low):
        if (
            _IS.search(low, max(0, m.start() - 24), m.start())
            or (_PEOPLE_ARTICLE.search(low, max(0, m.start() - 8), m.start()) and _is_people_noun(text, m.start(), m.end()))
            or _PERSON_AFTER.match(low, m.end())
            or _NATIONALITY_CUE.search(low, max(0, m.start() - 48), m.start())
        ):
            yield Candidate("NRP", m.start(), m.end())
    for m in _PARTY.finditer(text):
        if _PARTY_CONTEXT.search(text, max(0, m.start() - 30), m.start()):
            yield Candidate("NRP", m.start(), m.end())
