"""Celery tasks of the policies: screening requests on the `classify` queue."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from policies.screening import Screening, screen


# Why a task: classification and span detection are CPU-bound; a prefork pool on its own
# queue keeps them off the threads that relay streams. No retry: it cannot fail (it fails
# closed into "most sensitive"), and a lost worker is covered by acks_late.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def classify_request(kind: str, body: dict[str, Any]) -> Screening:
    return screen(kind, body, settings.HEARTH_CLASSIFY_BUDGET)
