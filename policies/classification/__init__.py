"""The on-box sensitivity classifier: labels with confidences, run with onnxruntime."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policies.classification.text import LABELS, SENSITIVE, pieces, prepare

if TYPE_CHECKING:
    import onnxruntime

__all__ = [
    "LABELS",
    "Classification",
    "ClassificationError",
    "ClassifierUnavailable",
    "LabelScore",
    "classify",
    "combine",
    "model_path",
    "request_scores",
    "scores",
]

DEFAULT_MODEL = Path(__file__).parent / "model" / "classifier.onnx"
THRESHOLD = 0.5
BATCH = 256  # pieces per onnxruntime call: one call is cheap, but the deadline fires only between calls


class ClassificationError(Exception):
    """The text could not be classified; the caller must fail closed."""


class ClassifierUnavailable(ClassificationError):
    """The model file is missing, corrupt or does not match its recorded hash."""


@dataclass(frozen=True, slots=True)
class LabelScore:
    """One sensitivity label and the model's confidence in it (0..1)."""

    name: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Classification:
    """Labels at or above the threshold (at least the top one), highest first."""

    labels: tuple[LabelScore, ...]
    version: str


def model_path() -> Path:
    """Return the model file in use: HEARTH_CLASSIFIER_MODEL (setting or env) or the shipped one."""
    return configured_path("HEARTH_CLASSIFIER_MODEL", DEFAULT_MODEL)


def configured_path(name: str, default: Path) -> Path:
    """Return the file a setting (or the environment variable of that name) names, or the default."""
    configured: Any = None
    try:
        from django.conf import settings

        if settings.configured:
            configured = getattr(settings, name, None)
    except ImportError:  # pragma: no cover - Django is always installed in the appliance
        configured = None
    configured = configured or os.environ.get(name)
    return Path(configured) if configured else default


@dataclass(frozen=True, slots=True)
class _Loaded:
    path: Path
    session: onnxruntime.InferenceSession
    input_name: str
    output_name: str
    labels: tuple[str, ...]
    version: str


_lock = threading.Lock()
_loaded: _Loaded | None = None


def _load(path: Path) -> _Loaded:
    import onnxruntime

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ClassifierUnavailable(f"classifier model not readable: {path.name}") from exc
    digest = hashlib.sha256(data).hexdigest()
    meta_path = path.with_suffix(".json")
    labels: tuple[str, ...] = LABELS
    if meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
        except ValueError as exc:
            raise ClassifierUnavailable("classifier metadata is not valid JSON") from exc
        if meta.get("sha256") != digest:
            raise ClassifierUnavailable("classifier model does not match its recorded sha256")
        labels = tuple(meta.get("labels", LABELS))
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # one request is tiny; threads only add contention
    options.inter_op_num_threads = 1
    try:
        session = onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises several private exception types
        raise ClassifierUnavailable("classifier model could not be loaded") from exc
    outputs = session.get_outputs()
    output_name = next((o.name for o in outputs if "prob" in o.name), outputs[-1].name)
    return _Loaded(
        path=path,
        session=session,
        input_name=session.get_inputs()[0].name,
        output_name=output_name,
        labels=labels,
        version=f"tfidf-lr-{digest[:12]}",
    )


def _model() -> _Loaded:
    global _loaded
    path = model_path()
    current = _loaded
    if current is not None and current.path == path:
        return current
    with _lock:
        if _loaded is None or _loaded.path != path:
            _loaded = _load(path)
        return _loaded


def reset() -> None:
    """Forget the loaded model (tests that swap HEARTH_CLASSIFIER_MODEL call this)."""
    global _loaded
    with _lock:
        _loaded = None


def _run(model: _Loaded, prepared: Sequence[str]) -> Any:
    """Return the probability matrix for prepared texts (one row each), in batches."""
    import numpy as np  # here, not at the top: only the classify worker needs it (0.2 s per start)

    rows = []
    for start in range(0, len(prepared), BATCH):
        batch = np.array([[t or "empty"] for t in prepared[start : start + BATCH]])
        try:
            result = model.session.run([model.output_name], {model.input_name: batch})
        except Exception as exc:
            raise ClassificationError("classifier failed on this input") from exc
        probs = np.asarray(result[0], dtype=np.float64).reshape(len(batch), -1)
        if probs.shape[1] != len(model.labels) or not np.all(np.isfinite(probs)):
            raise ClassificationError("classifier returned an unexpected output")
        rows.append(probs)
    return np.vstack(rows)


def scores(text: str) -> tuple[dict[str, float], str]:
    """Return every label's confidence for one text read as a whole, and the model version."""
    model = _model()
    probs = _run(model, [prepare(text)])[0]
    return {name: float(p) for name, p in zip(model.labels, probs, strict=True)}, model.version


def request_scores(texts: Sequence[str]) -> tuple[dict[str, float], str]:
    """Return a request's confidence per label and the model version, from its parts.

    Every part is classified on its own, in pieces (policies.classification.text.pieces);
    a sensitive label's score is its highest over all pieces, so adding text or a part can
    only raise it. `general` is the absence of sensitivity: its lowest score over the pieces,
    and never above 1 minus the highest sensitive score, so it cannot out-vote one.
    """
    model = _model()
    found: dict[str, None] = {}
    for text in texts:
        found.update(dict.fromkeys(pieces(text)))
    return combine(model.labels, _run(model, list(found) or [""])), model.version


def combine(labels: Sequence[str], probs: Any) -> dict[str, float]:
    """Return a request's score per label from its pieces' probabilities (one row per piece)."""
    by_label = {name: float(p) for name, p in zip(labels, probs.max(axis=0), strict=True)}
    if "general" in by_label:
        lowest = {name: float(p) for name, p in zip(labels, probs.min(axis=0), strict=True)}
        by_label["general"] = min(lowest["general"], 1.0 - max((by_label[s] for s in SENSITIVE if s in by_label), default=0.0))
    return by_label


def classify(text: str) -> Classification:
    """Classify text into sensitivity labels with confidences, as screening reads a request's part."""
    by_label, version = request_scores([text])
    ranked = sorted(by_label.items(), key=lambda kv: kv[1], reverse=True)
    picked = [LabelScore(n, round(p, 4)) for n, p in ranked if p >= THRESHOLD] or [LabelScore(ranked[0][0], round(ranked[0][1], 4))]
    return Classification(labels=tuple(picked), version=version)
