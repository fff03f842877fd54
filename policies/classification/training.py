"""Train, export and evaluate the TF-IDF + logistic-regression classifier (design a)."""

from __future__ import annotations

import hashlib
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from policies.classification.text import LABELS, prepare

DATA_DIR = Path(__file__).parent / "data"
MODEL_DIR = Path(__file__).parent / "model"
SEED = 7


@dataclass(frozen=True, slots=True)
class Dataset:
    """Prepared texts and a label-indicator matrix."""

    texts: list[str]
    raw: list[str]
    y: np.ndarray


def load(split: str) -> Dataset:
    """Load train or heldout from the repository's JSONL files."""
    raw: list[str] = []
    y: list[list[int]] = []
    with (DATA_DIR / f"{split}.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            raw.append(row["text"])
            y.append([int(label in row["labels"]) for label in LABELS])
    return Dataset([prepare(t) for t in raw], raw, np.array(y, dtype=np.int64))


def build_pipeline(c: float = 8.0, min_df: int = 2) -> Any:
    """Return the untrained scikit-learn pipeline (the task model uses it with its own c)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    lowercase=False,
                    token_pattern=r"[^ ]+",
                    ngram_range=(1, 1),
                    min_df=min_df,
                    sublinear_tf=False,  # skl2onnx scores sublinear tf differently from scikit-learn
                    max_features=40000,
                ),
            ),
            (
                "clf",
                OneVsRestClassifier(LogisticRegression(C=c, class_weight="balanced", max_iter=2000, random_state=SEED)),
            ),
        ]
    )


def export_onnx(pipeline: Any, graph_name: str = "hearth_sensitivity") -> bytes:
    """Convert the fitted pipeline to ONNX with string input and a probability matrix output."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import StringTensorType

    tfidf = pipeline.named_steps["tfidf"]
    clf = pipeline.named_steps["clf"]
    onx = convert_sklearn(
        pipeline,
        initial_types=[("text", StringTensorType([None, 1]))],
        options={
            id(tfidf): {"separators": [" "], "locale": "C.UTF-8"},
            id(clf): {"zipmap": False},
        },
        target_opset=17,
    )
    # skl2onnx names the graph with a random uuid and lists opsets in hash-seed order:
    # pin both so the same data gives the same file (and the same recorded sha256).
    onx.graph.name = graph_name
    opsets = sorted((o.domain, o.version) for o in onx.opset_import)
    del onx.opset_import[:]
    for domain, version in opsets:
        onx.opset_import.add(domain=domain, version=version)
    return bytes(onx.SerializeToString())


def per_label_report(y_true: np.ndarray, probs: np.ndarray, threshold: float = 0.5) -> dict[str, dict[str, float]]:
    """Return precision, recall, F1 and support per label."""
    pred = probs >= threshold
    # always at least the top label, as classify() does
    top = probs.argmax(axis=1)
    pred[np.arange(len(top)), top] = True
    report: dict[str, dict[str, float]] = {}
    for i, label in enumerate(LABELS):
        tp = int(np.sum(pred[:, i] & (y_true[:, i] == 1)))
        fp = int(np.sum(pred[:, i] & (y_true[:, i] == 0)))
        fn = int(np.sum(~pred[:, i] & (y_true[:, i] == 1)))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        report[label] = {
            "precision": p,
            "recall": r,
            "f1": f1,
            "support": int(y_true[:, i].sum()),
        }
    return report


def macro_f1(report: dict[str, dict[str, float]]) -> float:
    """Return the unweighted mean F1 over labels."""
    return float(np.mean([v["f1"] for v in report.values()]))


def onnx_probs(model: bytes, texts: list[str]) -> tuple[np.ndarray, float]:
    """Score raw texts one by one as classify() does; return probabilities and mean ms per call."""
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    sess = onnxruntime.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    out_name = next(o.name for o in sess.get_outputs() if "prob" in o.name)
    rows = []
    start = time.perf_counter()
    for t in texts:
        prepared = prepare(t) or "empty"
        rows.append(sess.run([out_name], {"text": np.array([[prepared]])})[0].reshape(-1))
    elapsed = (time.perf_counter() - start) * 1000 / max(1, len(texts))
    return np.vstack(rows), elapsed


def train(out_dir: Path = MODEL_DIR) -> dict[str, Any]:
    """Train on the train split, export ONNX, evaluate on held-out, write model + metadata."""
    random.seed(SEED)
    np.random.seed(SEED)
    train_set, held = load("train"), load("heldout")
    pipeline = build_pipeline()
    pipeline.fit(train_set.texts, train_set.y)
    model = export_onnx(pipeline)
    probs, ms = onnx_probs(model, held.raw)
    sk_probs = pipeline.predict_proba(held.texts)
    max_diff = float(np.max(np.abs(probs - sk_probs)))
    report = per_label_report(held.y, probs)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "classifier.onnx").write_bytes(model)
    digest = hashlib.sha256(model).hexdigest()
    meta = {
        "sha256": digest,
        "labels": list(LABELS),
        "design": "tfidf word unigrams + one-vs-rest logistic regression (skl2onnx)",
        "threshold": 0.5,
        "train_examples": len(train_set.texts),
        "heldout_examples": len(held.texts),
        "seed": SEED,
    }
    (out_dir / "classifier.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return {
        "sha256": digest,
        "report": report,
        "macro_f1": macro_f1(report),
        "ms_per_call": ms,
        "onnx_vs_sklearn_max_abs_diff": max_diff,
        "size_bytes": len(model),
        "train": len(train_set.texts),
        "heldout": len(held.texts),
    }
