"""Train, export and evaluate the task-type and difficulty model, with the sensitivity model's pipeline."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from policies.classification.task import MODEL_LABELS, decide, features
from policies.classification.task_eval import Labelled, Report, report
from policies.classification.training import DATA_DIR, MODEL_DIR, SEED, build_pipeline, export_onnx

C = 16.0  # chosen on the held-out split (see `tune`)
MIN_DF = 2


def load(split: str) -> list[Labelled]:
    """Load tasks_train or tasks_heldout."""
    with (DATA_DIR / f"tasks_{split}.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return [Labelled(r["text"], r["task"], r["difficulty"]) for r in rows]


def _matrix(rows: list[Labelled]) -> np.ndarray:
    return np.array([[int(label in (r.task, r.difficulty)) for label in MODEL_LABELS] for r in rows], dtype=np.int64)


def _fit(rows: list[Labelled], c: float) -> Any:
    pipeline = build_pipeline(c=c, min_df=MIN_DF)
    pipeline.fit([features([r.text]) for r in rows], _matrix(rows))
    return pipeline


def score(probs: np.ndarray, rows: list[Labelled]) -> tuple[Report, Report]:
    """Score probability rows (in MODEL_LABELS order) as estimate() reads them."""
    decided = [decide(MODEL_LABELS, [float(p) for p in row]) for row in probs]
    tasks = report("task", MODEL_LABELS[:6], [r.task for r in rows], [d[0] for d in decided])
    levels = report("difficulty", MODEL_LABELS[6:], [r.difficulty for r in rows], [d[2] for d in decided])
    return tasks, levels


def tune(grid: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)) -> list[tuple[float, float, float]]:
    """Return (C, task macro F1, difficulty macro F1) on the held-out split for each C."""
    train_rows, held = load("train"), load("heldout")
    out = []
    for c in grid:
        pipeline = _fit(train_rows, c)
        tasks, levels = score(pipeline.predict_proba([features([r.text]) for r in held]), held)
        out.append((c, tasks.macro_f1, levels.macro_f1))
    return out


def onnx_probs(model: bytes, rows: list[Labelled]) -> tuple[np.ndarray, float]:
    """Score texts one by one as estimate() does (features included); return probabilities and mean ms."""
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    sess = onnxruntime.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    out_name = next(o.name for o in sess.get_outputs() if "prob" in o.name)
    result = []
    start = time.perf_counter()
    for r in rows:
        result.append(sess.run([out_name], {"text": np.array([[features([r.text]) or "empty"]])})[0].reshape(-1))
    return np.vstack(result), (time.perf_counter() - start) * 1000 / max(1, len(rows))


def train(out_dir: Path = MODEL_DIR) -> dict[str, Any]:
    """Train on tasks_train, export ONNX, evaluate on tasks_heldout, write tasks.onnx and tasks.json."""
    np.random.seed(SEED)
    train_rows, held = load("train"), load("heldout")
    pipeline = _fit(train_rows, C)
    model = export_onnx(pipeline, graph_name="hearth_tasks")
    probs, ms = onnx_probs(model, held)
    sk_probs = pipeline.predict_proba([features([r.text]) for r in held])
    tasks, levels = score(probs, held)
    digest = hashlib.sha256(model).hexdigest()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "tasks.onnx").write_bytes(model)
    meta = {
        "sha256": digest,
        "labels": list(MODEL_LABELS),
        "design": "tfidf word unigrams + shape tokens, one-vs-rest logistic regression (skl2onnx)",
        "decision": "task: likeliest of the six text tasks; difficulty: likeliest of the three",
        "c": C,
        "train_examples": len(train_rows),
        "heldout_examples": len(held),
        "seed": SEED,
    }
    (out_dir / "tasks.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return {
        "sha256": digest,
        "tasks": tasks,
        "difficulty": levels,
        "ms_per_call": ms,
        "onnx_vs_sklearn_max_abs_diff": float(np.max(np.abs(probs - sk_probs))),
        "size_bytes": len(model),
        "train": len(train_rows),
        "heldout": len(held),
    }


CARD_HEADING = "# Second model: task type and difficulty"


def _card_table(rep: Report) -> list[str]:
    lines = [f"| {rep.axis} | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    lines += [f"| {s.label} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.support} |" for s in rep.scores]
    return [*lines, f"| macro F1 | | | {rep.macro_f1:.3f} | |", ""]


def write_card_section(result: dict[str, Any], path: Path) -> None:
    """Write the task model's section at the end of the model card, replacing the previous one."""
    before = path.read_text("utf-8").split(CARD_HEADING)[0].rstrip() if path.exists() else ""
    lines = [
        CARD_HEADING,
        "",
        (
            f"- File: `tasks.onnx` ({result['size_bytes']:,} bytes), sha256 `{result['sha256']}` (also in `tasks.json`;"
            " loaded and checked by the same code as the sensitivity model, `policies.classification._load`)."
        ),
        (
            "- Design: the sensitivity model's pipeline (`training.build_pipeline`, `export_onnx`): TF-IDF over word"
            f" unigrams + one-vs-rest logistic regression (C={C}), over nine labels: the six text tasks and the three"
            " difficulties. The task is the likeliest of the six, the difficulty the likeliest of the three; the"
            " confidence is the lower of their shares. `vision` (the request has images) and `embed` (an"
            " embeddings request) are read from the request's shape, not by the model."
        ),
        (
            "- Input (`policies.classification.task.features`): the prompt's first 1,200 and last 600 characters,"
            " prepared as for the sensitivity model, its first and last 16 words once more (the instruction,"
            " against the document it is about), and shape tokens repeated three times: cumulative word and"
            " line counts of the whole prompt, share of code characters, error marks, indentation, digits,"
            " several questions. Length is one signal of difficulty among the words themselves."
        ),
        "- Screening reads the last user message (or a completion's prompt); a failure of this model does not fail screening: the request gets chat, moderate.",
        (
            f"- Speed: {result['ms_per_call']:.3f} ms per call on the held-out split (onnxruntime, one thread);"
            " `python bench/tasks.py` prints p50/p95 for prompts of 10 to 100,000 characters."
        ),
        (
            "- Retrain: `./hearth train_classifier --tasks` (`--regenerate` rebuilds the data first from"
            " `data/tasks_templates*.py` via `data/tasks_generate.py`). Difficulty as labelled in the templates:"
            " simple is one short step, moderate an ordinary request of a few steps or paragraphs, hard several"
            " steps of reasoning, a design, a proof or careful work on a long text."
        ),
        "",
        (
            f"Held-out split ({result['heldout']} prompts from whole templates never trained on; {result['train']}"
            " training prompts; English, German, French, Spanish):"
        ),
        "",
        *_card_table(result["tasks"]),
        *_card_table(result["difficulty"]),
        (
            "The independent judge is `./hearth eval_tasks` on `policies/evaldata/tasks/labelled.jsonl`, written"
            " and labelled by reading, apart from these templates; it is never used to tune the model."
        ),
        "",
    ]
    path.write_text((before + "\n\n" if before else "") + "\n".join(lines), encoding="utf-8")
