"""How long the household's rules take to decide: 10, 100 and 1,000 rules, the match at the
end (the worst case), beside a baseline of an empty rule list.

    python bench/rules.py
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policies.rules import Facts, Rule, first_match, parse_rule

FACTS = Facts(
    device="laptop", category="laptop", labels={"general": 0.9, "health": 0.05}, data=frozenset({"EMAIL"}),
    images=0, people=0, faces=0, moment=dt.datetime(2026, 11, 24, 12, tzinfo=ZoneInfo("UTC")),
    presence="home", kind="chat", chars=200,
)  # fmt: skip


def rules(n: int) -> list[Rule]:
    """Return n rules none of which matches FACTS but the last, each with several conditions."""
    made = [
        parse_rule(
            f"rule {i}",
            {
                "categories": ["kids", "camera"],
                "labels": {"health": 0.5, "finance": 0.6},
                "time": {"from": "22:00", "to": "06:00"},
                "presence": "away",
            },
            {"max_tier": "trusted"},
        )
        for i in range(n - 1)
    ]
    return [*made, parse_rule("last", {"categories": ["laptop"], "labels": {"general": 0.5}}, {"max_tier": "cloud"})]


def measure(rule_list: list[Rule], rounds: int = 2000) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter_ns()
        first_match(rule_list, FACTS)
        samples.append((time.perf_counter_ns() - t0) / 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99)]


def main() -> None:
    base50, base99 = measure([])
    print("| rules | p50 µs | p99 µs | p50 vs no rules |")
    print("|---|---|---|---|")
    print(f"| 0 (default only) | {base50:.1f} | {base99:.1f} | 1.0x |")
    for n in (10, 100, 1000):
        p50, p99 = measure(rules(n), rounds=2000 if n < 1000 else 300)
        print(f"| {n} | {p50:.1f} | {p99:.1f} | {p50 / base50:.1f}x |")


if __name__ == "__main__":
    main()
