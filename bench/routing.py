"""Where the router sends a household's requests under each of its priority settings, beside
"always the best allowed provider" and "always home".

Every row of the hand-labelled set (policies/evaldata/tasks, written apart from the task
classifier) goes through the router's pure plan() on one box: a home model that is a capable
small model, a trusted EU provider with zero data retention and a medium model, and a US cloud
provider with a large model (BOX). The task type and difficulty that route a row are the task
classifier's estimate (policies.classification.task.estimate); the labels only judge. Which rule
a row falls under stands in for what screening decided: a generic row may go to the cloud, any
other at most to the trusted tier, only in the EU and only with zero data retention (RULES).

Printed per setting: cost per 1,000 requests (the first candidate's price per million tokens
times the row's tokens: prompt characters / 4 plus a 512-token answer), share kept home,
share refused, share sent to a model below the row's minimum class (its labelled task's quality under CLASS_QUALITY, the one place a class
becomes a quality), and rows sent to a tier or jurisdiction their rule forbids, checked on
every candidate of every plan by this file's own reading of the rule (must be 0). Then the
targets, met or not, and why generic rows the home model answers well left home anyway.

    python bench/routing.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HEARTH_DATA_DIR", tempfile.mkdtemp(prefix="hearth-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appliance.settings")

import django

django.setup()

from gateway import router
from gateway.capabilities import Caps, tokens_of
from gateway.choices import Family, Kind
from policies.classification.task import estimate
from policies.evaldata.tasks import DIFFICULTIES, LabelledRequest, labelled
from policies.priorities import Jurisdictions
from policies.rules import Decision

# The smallest quality (1-10, per task type) that answers a row of this minimum class well.
CLASS_QUALITY = {"small": 4, "medium": 7, "large": 9}
TIERS = ("home", "trusted", "cloud")  # least to most exposed, read here apart from the router
EU = frozenset(
    ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"]
)  # fmt: skip


def _caps(context: int, chat: int, code: int, summarise: int, translate: int, extract: int, reason: int) -> Caps:
    quality = {"chat": chat, "code": code, "summarise": summarise, "translate": translate, "extract": extract, "reason": reason}
    return Caps(context, quality)


def _provider(i: int, name: str, tier: str, model: str, price: str, zdr: bool, where: str, caps: Caps) -> router.Candidate:
    return router.Candidate(
        i, name, tier, Family.OPENAI, (model,), max(caps.quality.values()), Decimal(price), zdr, False, False, where,
        ((model, caps),),
    )  # fmt: skip


# Quality per task: chat, code, summarise, translate, extract, reason. Prices in euros per million
# tokens, in and out averaged. The home model is the brief's capable small one: 6 on text, 4-5 on
# code and reasoning, a 32k window, free.
BOX = [
    _provider(1, "home GPU (8B)", "home", "home-8b", "0", True, "", _caps(32_768, 6, 5, 6, 6, 6, 4)),
    _provider(2, "Trusted EU (medium)", "trusted", "eu-medium", "1.20", True, "FR", _caps(128_000, 8, 7, 8, 8, 8, 7)),
    _provider(3, "Cloud US (large)", "cloud", "us-large", "6.00", False, "US", _caps(200_000, 9, 9, 9, 9, 9, 9)),
]
# Measured first-token times the speed weight reads; home idle (no queue).
HEALTH = {1: {"ewma_ms": 1200.0, "inflight": 0.0}, 2: {"ewma_ms": 500.0}, 3: {"ewma_ms": 700.0}}


@dataclass(frozen=True)
class Rule:
    """A household rule as this bench reads it, to build the Decision and to check the plan."""

    name: str
    max_tier: str
    eu_only: bool
    zdr: bool

    def decision(self) -> Decision:
        """Return the Decision the rule gives, as policies.rules would."""
        where = Jurisdictions(allow=frozenset({"EU"})) if self.eu_only else Jurisdictions()
        return Decision(
            self.name, self.max_tier, None, (), "", False, f"up to {self.max_tier}", jurisdictions=where, require_zdr=self.zdr,
        )  # fmt: skip

    def forbids(self, c: router.Candidate) -> bool:
        """Say whether this rule forbids sending a request to the provider (tier, jurisdiction, retention)."""
        if TIERS.index(c.tier) > TIERS.index(self.max_tier):
            return True
        outside = c.tier != "home"
        return outside and ((self.eu_only and c.jurisdiction.upper() not in EU) or (self.zdr and not c.zero_data_retention))


RULES = {
    True: Rule("generic may go to the cloud", "cloud", False, False),
    False: Rule("personal: trusted at most, EU, zero retention", "trusted", True, True),
}


@dataclass(frozen=True)
class Case:
    """One labelled row, what the router is asked for it and the rule it falls under."""

    row: LabelledRequest
    asked: router.Asked
    rule: Rule


def cases() -> list[Case]:
    """Return every labelled row with what the router is asked (the classifier's estimate)."""
    out = []
    for row in labelled():
        guess = estimate([row.text], kind="chat", has_images=False)
        asked = router.Asked(Kind.CHAT, router.AUTO_MODEL, router.Needs(), guess.task, guess.difficulty, tokens_of(len(row.text), None))
        out.append(Case(row, asked, RULES[row.generic]))
    return out


Chooser = Callable[[Case], tuple[router.Candidate, ...]]


def by_plan(priorities: router.Priorities) -> Chooser:
    """Return the router's choice under these priorities: every candidate of the plan, best first."""
    return lambda case: router.plan(case.rule.decision(), BOX, HEALTH, case.asked, priorities).candidates


def _allowed(case: Case) -> list[router.Candidate]:
    fits = [c for c in BOX if not case.rule.forbids(c) and c.caps_for(router.AUTO_MODEL).fits(case.asked.tokens)]
    return [c for c in fits if c.tier != "trusted" or c.zero_data_retention]


def best_allowed(case: Case) -> tuple[router.Candidate, ...]:
    """The baseline that always takes the best model the rule allows (by the estimated task)."""
    return tuple(sorted(_allowed(case), key=lambda c: -c.caps_for(router.AUTO_MODEL).quality_for(case.asked.task, c.quality))[:1])


def always_home(case: Case) -> tuple[router.Candidate, ...]:
    """The baseline that always keeps a request home (refused only when it is longer than the home model's window)."""
    return tuple(c for c in _allowed(case) if c.tier == "home")


@dataclass
class Tally:
    """What one setting did with the rows, judged by their labels."""

    rows: int = 0
    cost: float = 0.0
    home: int = 0
    refused: int = 0
    below: int = 0
    forbidden: int = 0
    generic_small: int = 0
    generic_small_home: int = 0

    def add(self, case: Case, chosen: tuple[router.Candidate, ...]) -> None:
        self.rows += 1
        self.forbidden += any(case.rule.forbids(c) for c in chosen)  # every fallback too, not only the first
        small = case.row.generic and case.row.min_class == "small"
        self.generic_small += small
        if not chosen:
            self.refused += 1
            return
        first = chosen[0]
        self.cost += case.asked.tokens / 1e6 * float(first.price)
        self.home += first.tier == "home"
        self.generic_small_home += small and first.tier == "home"
        quality = first.caps_for(router.AUTO_MODEL).quality_for(case.row.task, first.quality)
        self.below += quality < CLASS_QUALITY[case.row.min_class]


def run(all_cases: list[Case], choose: Chooser) -> Tally:
    """Tally one setting over every row."""
    tally = Tally()
    for case in all_cases:
        tally.add(case, choose(case))
    return tally


def left_home(all_cases: list[Case]) -> Counter[str]:
    """Say why each generic row that the home model answers well went out under home_first."""
    priorities = router.Priorities.preset("home_first")
    out: Counter[str] = Counter()
    for case in all_cases:
        if not (case.row.generic and case.row.min_class == "small"):
            continue
        chosen = router.plan(case.rule.decision(), BOX, HEALTH, case.asked, priorities).candidates
        if chosen and chosen[0].tier == "home":
            continue
        if case.asked.task != case.row.task:
            out[f"estimated {case.asked.task}, labelled {case.row.task}"] += 1
        elif DIFFICULTIES.index(case.asked.difficulty) > DIFFICULTIES.index(case.row.difficulty):
            out[f"estimated {case.asked.difficulty}, labelled {case.row.difficulty}"] += 1
        else:
            out[f"estimate right ({case.row.task}, {case.row.difficulty}): home's quality below what the router needs"] += 1
    return out


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:.1f} %" if d else "-"


def main() -> None:
    all_cases = cases()
    settings = [(f"plan, {name}", by_plan(router.Priorities.preset(name))) for name in router.PRESETS]
    settings.append(("plan, home_first, cloud never in US", by_plan(router.Priorities.of("home_first", {"cloud": {"deny": ["US"]}}))))
    settings += [("baseline: always the best allowed", best_allowed), ("baseline: always home", always_home)]
    tallies = {name: run(all_cases, choose) for name, choose in settings}

    n = len(all_cases)
    print(f"{n} labelled requests, {sum(c.row.generic for c in all_cases)} generic;", end=" ")
    print(f"classifier agrees with the labels on task {pct(sum(c.asked.task == c.row.task for c in all_cases), n)},", end=" ")
    print(f"difficulty {pct(sum(c.asked.difficulty == c.row.difficulty for c in all_cases), n)}\n")
    print("| setting | cost / 1,000 | kept home | refused | below min class | generic small kept home | forbidden |")
    print("|---|---|---|---|---|---|---|")
    for name, t in tallies.items():
        print(
            f"| {name} | {1000 * t.cost / n:.3f} | {pct(t.home, n)} | {pct(t.refused, n)} | {pct(t.below, n)}"
            f" | {pct(t.generic_small_home, t.generic_small)} | {t.forbidden} |"
        )
    home_first = tallies["plan, home_first"]
    kept = home_first.generic_small_home / home_first.generic_small if home_first.generic_small else 0.0
    forbidden = sum(t.forbidden for t in tallies.values())
    print()
    print("| target | value | met |")
    print("|---|---|---|")
    print(f"| home_first keeps >= 80 % of generic min-class-small rows home | {100 * kept:.1f} % | {'met' if kept >= 0.8 else 'not met'} |")
    print(
        f"| rows sent to a tier or jurisdiction their rule forbids, every setting | {forbidden} | {'met' if forbidden == 0 else 'not met'} |"
    )
    print()
    print("| generic small rows home_first sent out | rows |")
    print("|---|---|")
    for why, count in left_home(all_cases).most_common():
        print(f"| {why} | {count} |")


if __name__ == "__main__":
    main()
