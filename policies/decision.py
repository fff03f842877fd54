"""One decision per request: the household's rules and what the request path knows besides.

`decide` is pure: everything it needs is in its arguments (the facts gathered for the
request, the rules, the household's settings), so the real path and the simulator, given
the same facts, decide the same. Where the facts come from is gateway.journey.facts_for.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from policies.priorities import DEFAULT_PRIORITIES, Priorities
from policies.rules import Decision, Facts, Rule, first_match


@dataclass(frozen=True)
class Household:
    """The household's settings a decision reads."""

    zone: ZoneInfo  # the rules' time windows are read on this clock
    priorities: Priorities = DEFAULT_PRIORITIES  # how the router ranks, and where data may go per tier


def keep_home(explanation: str) -> Decision:
    """A decision that keeps a request home and redacts nothing (nothing leaves)."""
    return Decision("", "home", None, (), "", False, explanation)


def decide(facts: Facts, rules: Sequence[Rule], household: Household) -> Decision:
    """Decide a request: screening failed keeps it home; else the first matching rule, capped
    by the device's tier; then its rate limit and its budget outside the home."""
    if facts.failed:
        # Private until proven otherwise: what could not be screened stays home.
        return keep_home(f"stays home: the request could not be screened ({facts.failed})")
    facts = dataclasses.replace(facts, moment=facts.moment.astimezone(household.zone))
    decision = first_match(rules, facts, facts.device_max_tier)
    if decision.blocked:
        return decision
    limit = decision.rate_per_minute
    if limit and facts.requests_this_minute > limit:
        message = f"This device may ask {limit} times a minute; try again shortly."
        return dataclasses.replace(decision, blocked=message, blocked_status=429, explanation=f"refused: {decision.explanation}")
    budget = decision.monthly_budget
    if budget and decision.max_tier != "home" and facts.spent_this_month >= budget:
        explanation = f"stays home: this month's budget outside the home ({budget:g}) is spent; {decision.explanation}"
        return dataclasses.replace(decision, max_tier="home", prefer=None, explanation=explanation)
    return decision
