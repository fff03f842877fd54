"""How long the task-type and difficulty estimate takes per request, on one core and one thread,
for prompts of several lengths (the classify worker runs it once per request).

    python bench/tasks.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

# One core, one thread: the classify queue runs one request per worker process.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policies.classification.data.tasks_blocks import SENTENCES, traceback
from policies.classification.task import estimate

TARGET_MS = 2.0


def prompts() -> dict[str, str]:
    """Return prompts of growing length, made of the training blocks (content does not change the cost)."""
    import random

    rng = random.Random(1)
    doc = " ".join(rng.choice(SENTENCES) for _ in range(2000))
    return {
        "greeting (10 chars)": "hi there!",
        "question (60 chars)": "translate to French: where is the train station, please?",
        "traceback (400 chars)": "why does this fail?\n" + traceback(rng),
        "email (2,000 chars)": "summarise this:\n" + doc[:2000],
        "document (20,000 chars)": "summarise this report:\n" + doc[:20000],
        "document (100,000 chars)": "summarise this report:\n" + doc[:100000],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=500)
    args = parser.parse_args()
    estimate(["warm up the model"])
    print(f"{'prompt':28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  estimate")
    worst = 0.0
    for name, text in prompts().items():
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = estimate([text])
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        worst = max(worst, p95)
        print(f"{name:28} {statistics.median(times):8.3f} {p95:8.3f} {times[-1]:8.3f}  {result.task}/{result.difficulty}")
    print(f"worst p95 {worst:.3f} ms; target under {TARGET_MS:.1f} ms: {'met' if worst < TARGET_MS else 'MISSED'}")


if __name__ == "__main__":
    main()
