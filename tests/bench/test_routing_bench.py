"""The routing benchmark's own reading of the household's rules, and its zero-forbidden target on the real plan()."""

from __future__ import annotations

import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from gateway import router
from gateway.capabilities import Caps
from gateway.choices import Family


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "bench" / "routing.py"
    spec = importlib.util.spec_from_file_location("bench_routing", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _cloud(where: str, zdr: bool) -> router.Candidate:
    caps = Caps(200_000, {"chat": 9})
    return router.Candidate(9, "other", "cloud", Family.OPENAI, ("m",), 9, Decimal("1"), zdr, False, False, where, (("m", caps),))


def test_bench_counts_a_personal_row_sent_to_the_us_cloud_as_forbidden(bench: ModuleType) -> None:
    assert bench.RULES[False].forbids(_cloud("US", zdr=True))


def test_bench_counts_a_personal_row_sent_to_an_eu_provider_without_zero_retention_as_forbidden(bench: ModuleType) -> None:
    trusted_rule = bench.Rule("eu, zdr", "cloud", True, True)
    assert trusted_rule.forbids(_cloud("DE", zdr=False))
    assert not trusted_rule.forbids(_cloud("DE", zdr=True))


def test_bench_lets_a_generic_row_go_to_the_us_cloud(bench: ModuleType) -> None:
    assert not bench.RULES[True].forbids(_cloud("US", zdr=False))


def test_no_labelled_row_is_planned_onto_a_tier_or_jurisdiction_its_rule_forbids(bench: ModuleType) -> None:
    cases = bench.cases()
    for name in router.PRESETS:
        tally = bench.run(cases, bench.by_plan(router.Priorities.preset(name)))
        assert tally.rows == len(cases)
        assert tally.forbidden == 0, name
