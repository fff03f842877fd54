"""The fault table: each test here is one row (fault, what was tried, held), printed at the end of the run.

A row is a test marked `@pytest.mark.fault("fault", tried="what was done and what was checked")`;
it held when the test passed. A fault that cannot be tried on the session's database names
it: `only="sqlite", why="..."`; on the other database the row is printed as not tried, with
the reason, and the test is not run. Adding a row is one test function (tests/support/faults.py
has the verbs: kill -9 a service, restart it, stop and start it).
"""

from __future__ import annotations

import os
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS


@dataclass
class Row:
    fault: str
    tried: str
    held: str  # yes, no, not tried
    seconds: float = 0.0
    note: str = ""


ROWS: dict[str, Row] = {}  # by test id, in the order the tests ran


def _database() -> str:
    return "postgres" if os.environ.get("HEARTH_TEST_DATABASE") == "postgres" else "sqlite"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fault(fault, tried, only=None, why=''): a row of the fault table (tests/faults)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("fault")
        only = marker.kwargs.get("only") if marker else None
        if marker is not None and only and only != _database():
            why = marker.kwargs.get("why", "")
            ROWS[item.nodeid] = Row(marker.args[0], marker.kwargs["tried"], "not tried", note=f"{only} only: {why}")
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def _fault_row(request: pytest.FixtureRequest) -> Iterator[None]:
    marker = request.node.get_closest_marker("fault")
    if marker is None:
        yield
        return
    row = ROWS[request.node.nodeid] = Row(marker.args[0], marker.kwargs["tried"], "no")
    started = time.monotonic()
    yield
    row.seconds = time.monotonic() - started


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    row = ROWS.get(item.nodeid)
    if row is not None and report.when == "call":
        row.held = "yes" if report.passed else "no"
    if row is not None and report.failed and report.when != "call":
        row.held, row.note = "no", f"the fault could not be set up or cleared ({report.when})"
    return report


def table() -> list[str]:
    """Return the fault table as Markdown lines."""
    lines = [f"Fault table ({_database()})", "", "| fault | tried | held | s |", "|---|---|---|---|"]
    for row in ROWS.values():
        held = row.held + (f" ({row.note})" if row.note else "")
        lines.append(f"| {row.fault} | {row.tried} | {held} | {row.seconds:.1f} |")
    return lines


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not ROWS:
        return
    lines = table()
    terminalreporter.section("fault table")
    for line in lines[2:]:
        terminalreporter.write_line(line)
    out = Path(ARTIFACTS) / f"fault-table-{_database()}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
