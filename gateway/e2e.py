"""A throwaway Hearth for end-to-end privacy evaluation: its own data folder, database,
Redis, workers and web process, with a capture upstream as the only provider outside the
home, so what would leave the house can be counted byte by byte."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from appliance.plumbing.stack import ROOT, Ports, Stack
from gateway.capture import CaptureUpstream

SETUP = """
from devices.services import add_device
from gateway.models import Provider
from policies.services import replace_rules
Provider.objects.filter(name="home").update(enabled=False)
p = Provider(name="capture", tier="cloud", base_url={url!r}, model_names=["capture-model"], first_byte_timeout=10)
p.set_api_key("sk-evaluation")
p.save()
replace_rules([{{"name": "Everything may leave, redacted", "actions": {{"max_tier": "cloud"}}}}])
print(add_device("evaluation", "laptop", "cloud").key)
"""


@contextmanager
def evaluation_gateway() -> Iterator[Callable[[str], bytes]]:
    """Yield send(prompt) -> the bytes the capture upstream received for that request."""
    capture = CaptureUpstream().start()
    data = Path(tempfile.mkdtemp(prefix="hearth-eval-"))
    stack = Stack(data, Ports(), env={"HEARTH_SQLITE_PATH": str(data / "eval.sqlite3")}, log_dir=data / "logs")
    try:
        stack.start(stack.redis())
        env = stack.child_env()
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        key = (
            subprocess.run(
                [*manage, "shell", "-c", SETUP.format(url=capture.url)], cwd=ROOT, env=env, check=True, capture_output=True, text=True
            )
            .stdout.strip()
            .splitlines()[-1]
        )  # the last line: `shell` may print a banner first
        stack.start(stack.worker("classify", "prefork", 1))
        stack.start(stack.worker("upstream", "threads", 4))
        stack.start(stack.web())

        def send(prompt: str) -> bytes:
            capture.requests.clear()
            body = {"model": "hearth-auto", "messages": [{"role": "user", "content": prompt}], "max_tokens": 16}
            # A refused request (say, one that could not be screened in time) sends nothing out.
            httpx.post(f"{stack.web_url}/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=60)
            return capture.all_bytes()

        yield send
    finally:
        stack.stop_all()
        capture.stop()
