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
    r"|alevit(?:in|en)?|alevis?|alévie?s?|alevíes|yazidis?|jesid(?:in|en)?|yézidie?s?"
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
            or _PERSON_AFTER.match(low, m.end())
            or _NATIONALITY_CUE.search(low, max(0, m.start() - 48), m.start())
        ):
            yield Candidate("NRP", m.start(), m.end())
    for m in _PARTY.finditer(text):
        if _PARTY_CONTEXT.search(text, max(0, m.start() - 30), m.start()):
            yield Candidate("NRP", m.start(), m.end())
