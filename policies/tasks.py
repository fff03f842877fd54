"""The classify worker's start: its models loaded before the first request.

The request path's tasks (screening included) are gateway.tasks: see gateway.journey.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from celery.signals import worker_process_init

from policies.detectors import ner
from policies.screening import screen

log = logging.getLogger(__name__)


@worker_process_init.connect
def warm_up(**_: Any) -> None:
    """Load the classifier and the detectors when a worker process starts, so the first
    request's screening budget is spent screening, not loading a model. (Other processes
    never load OpenCV or numpy unless a request needs them.)"""
    try:
        from policies import images

        images.load()
        ner.warm()  # every language's NER pipeline, not only the warm-up text's
        screen("chat", {"messages": [{"role": "user", "content": "Warm up: call +44 20 7946 0958 or mail a@example.org"}]}, 30.0)
    except Exception as exc:  # noqa: BLE001  (a broken model shows on the first request, failing closed)
        log.warning("warming up the classifier failed: %s", type(exc).__name__)
    if ready := os.environ.get("HEARTH_READY_FILE"):  # whoever started the worker waits for this
        Path(ready).touch()
