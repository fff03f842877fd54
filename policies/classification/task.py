"""What a request asks for and how hard it is: the second on-box model beside the sensitivity one.

The same mechanism as the sensitivity classifier (policies.classification): text prepared in
Python, TF-IDF + one-vs-rest logistic regression in one ONNX file checked against the sha256
in its JSON, run by onnxruntime on one thread. Its labels are the six text tasks and the
three difficulties; the task is the likeliest of the six, the difficulty the likeliest of
the three. `vision` and `embed` are read from the request's shape, not from its words.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from policies.classification import ClassifierUnavailable, _load, _Loaded, _run, configured_path
from policies.classification.text import prepare

TASKS: tuple[str, ...] = ("chat", "code", "summarise", "translate", "extract", "reason", "vision", "embed")
DIFFICULTIES: tuple[str, ...] = ("simple", "moderate", "hard")
TEXT_TASKS: tuple[str, ...] = TASKS[:6]  # what the model reads from words; vision and embed are structural
MODEL_LABELS: tuple[str, ...] = (*TEXT_TASKS, *DIFFICULTIES)
DEFAULT_TASK = "chat"
DEFAULT_DIFFICULTY = "moderate"  # neither sent to the smallest model nor to the largest on no evidence
DEFAULT_MODEL = Path(__file__).parent / "model" / "tasks.onnx"

# A long prompt is read as its beginning and its end: the instruction sits before or after the
# document it is about ("summarise this: ...", "... translate the above"), and reading a bounded
# view keeps the estimate well under a millisecond for any length. Length itself is a feature.
HEAD_CHARS = 1200
TAIL_CHARS = 600
EDGE_WORDS = 16
SHAPE_WEIGHT = 3  # shape tokens repeated: a long prompt must not drown its own length in its words
WORD_STEPS = (4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048)
LINE_STEPS = (2, 4, 8, 16, 32, 64, 128)
_CODE_CHARS = "{}()[];=<>_/\\|"
_ERROR_MARKS = ("Traceback", "Error:", "Exception", "error:", "at line", "stack trace", "Stacktrace")


@dataclass(frozen=True, slots=True)
class TaskEstimate:
    """The request's task type, its difficulty, and the model's confidence in both (0..1)."""

    task: str
    difficulty: str
    confidence: float


def features(texts: Sequence[str]) -> str:
    """Return the text the task model reads: the prepared view of the prompt and shape tokens.

    Shape tokens start with an underscore, which prepare() never leaves in a word, so no
    prompt can spell one. Thresholds are cumulative (`_w64` means at least 64 words), so a
    longer prompt carries every token a shorter one does, plus more.
    """
    raw = "\n".join(t for t in texts if t)
    if not raw.strip():
        return ""
    view = raw if len(raw) <= HEAD_CHARS + TAIL_CHARS else f"{raw[:HEAD_CHARS]}\n{raw[-TAIL_CHARS:]}"
    words = raw.count(" ") + raw.count("\n") + 1
    lines = raw.count("\n") + 1
    tokens = [f"_w{n}" for n in WORD_STEPS if words >= n]
    tokens += [f"_l{n}" for n in LINE_STEPS if lines >= n]
    code = sum(view.count(c) for c in _CODE_CHARS) / len(view)
    tokens += [f"_c{n}" for n, share in ((1, 0.01), (2, 0.03), (3, 0.06)) if code >= share]
    if any(m in view for m in _ERROR_MARKS):
        tokens.append("_err")
    if "```" in view or "\n    " in view or "\n\t" in view:
        tokens.append("_indent")
    if sum(ch.isdigit() for ch in view) > 0.05 * len(view):
        tokens.append("_digits")
    if view.count("?") >= 2:
        tokens.append("_q2")
    words_read = prepare(view).split()
    # The instruction is in the first or last words; repeated, it outweighs the document it is about.
    ends = words_read[:EDGE_WORDS] + words_read[-EDGE_WORDS:] if len(words_read) > 2 * EDGE_WORDS else []
    return " ".join([*words_read, *ends, *tokens * SHAPE_WEIGHT])


def model_path() -> Path:
    """Return the task model in use: HEARTH_TASK_MODEL (setting or env) or the shipped one."""
    return configured_path("HEARTH_TASK_MODEL", DEFAULT_MODEL)


_lock = threading.Lock()
_loaded: _Loaded | None = None


def _model() -> _Loaded:
    global _loaded
    path = model_path()
    current = _loaded
    if current is not None and current.path == path:
        return current
    with _lock:
        if _loaded is None or _loaded.path != path:
            if not path.with_suffix(".json").exists():
                raise ClassifierUnavailable("task model has no metadata beside it")
            loaded = _load(path)
            if set(loaded.labels) != set(MODEL_LABELS):
                raise ClassifierUnavailable("task model does not have the task and difficulty labels")
            _loaded = loaded
        return _loaded


def reset() -> None:
    """Forget the loaded model (tests that swap HEARTH_TASK_MODEL call this)."""
    global _loaded
    with _lock:
        _loaded = None


def version() -> str:
    """Return the task model's version (its digest), loading it if needed."""
    return _model().version


def decide(labels: Sequence[str], probs: Sequence[float]) -> tuple[str, float, str, float]:
    """Return the likeliest task and difficulty with their shares of their group's probability."""
    by_label = dict(zip(labels, probs, strict=True))
    tasks = {t: max(by_label[t], 0.0) for t in TEXT_TASKS}
    levels = {d: max(by_label[d], 0.0) for d in DIFFICULTIES}
    task = max(TEXT_TASKS, key=lambda t: tasks[t])
    level = max(DIFFICULTIES, key=lambda d: levels[d])
    return task, tasks[task] / (sum(tasks.values()) or 1.0), level, levels[level] / (sum(levels.values()) or 1.0)


def estimate(texts: Sequence[str], *, kind: str = "chat", has_images: bool = False) -> TaskEstimate:
    """Estimate what the prompt asks for and how hard it is; raise ClassificationError if the model fails.

    `texts` are the user's own words (screening passes the last user message). Embeddings are
    `embed` and need no model; a request with images is `vision`, its difficulty read from its text.
    """
    if kind == "embedding":
        return TaskEstimate("embed", "simple", 1.0)
    prepared = features(texts)
    if not prepared:
        return TaskEstimate("vision" if has_images else DEFAULT_TASK, DEFAULT_DIFFICULTY, 0.0)
    model = _model()
    probs = _run(model, [prepared])[0]
    task, task_conf, level, level_conf = decide(model.labels, [float(p) for p in probs])
    if has_images:
        return TaskEstimate("vision", level, round(level_conf, 4))
    return TaskEstimate(task, level, round(min(task_conf, level_conf), 4))
