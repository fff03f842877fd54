"""Integrity at rest: every stored model hashed again, slowly, and a damaged one fetched again."""

from __future__ import annotations

from collections.abc import Callable

from appliance import hardware

from . import fetch


def verify_all(rate_bps: float, repair: bool, say: Callable[[str], None]) -> list[str]:
    """Hash every stored model's files again at most `rate_bps`; return the damaged ones'
    names (with `repair`, each is fetched again from its sources)."""
    damaged: list[str] = []
    for entry in hardware.catalogue().entries:
        for q in entry.quantizations:
            record = fetch.installed(entry, q)
            if record is None:
                continue
            wrong = fetch.check(record, full=True, rate_bps=rate_bps)
            if not wrong:
                say(f"{entry.name} {q.name}: every file matches its sha256")
                continue
            say(f"{entry.name} {q.name}: {'; '.join(wrong)}")
            damaged.append(f"{entry.name} {q.name}")
            if repair:
                fetch.pull(entry, q, None, say=say)
    return damaged
