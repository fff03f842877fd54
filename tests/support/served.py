"""Waiting for the running box to serve a cloud request before a test measures one."""

from __future__ import annotations

import time

import httpx


def wait_for_cloud(api: str, key: str, model: str = "cloudy-model", timeout: float = 60.0) -> None:
    """Send a plain request until the cloud tier serves it.

    The first request of a session can come before the classify worker's process is up
    (it loads its models at start), and then stays home; a test of what leaves the house
    needs the path to the cloud working first.
    """
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        response = httpx.post(
            f"{api}/chat/completions",
            json={"model": model, "messages": [{"role": "user", "content": "ready?"}]},
            headers={"Authorization": f"Bearer {key}"},
            timeout=60,
        )
        if response.status_code == 200 and response.headers.get("x-hearth-tier") == "cloud":
            return
        seen = f"{response.status_code} {response.headers.get('x-hearth-tier')} {response.text[:300]}"
        time.sleep(1)
    raise AssertionError(f"the box never served a cloud request; the last answer: {seen}")
