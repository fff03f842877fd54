"""Scheduled work of the box itself."""

from __future__ import annotations

import logging

from celery import shared_task

from gateway import audit

from . import load
from .services import accounts, backups, digest, notices

log = logging.getLogger(__name__)


# Why a task: the home GPU's load and queue over time need a sample each minute whoever
# looks, off the web process. No retry: the next minute samples again.
@shared_task(ignore_result=True)
def sample_load() -> None:
    load.sample()


# Why a task: the retention period is enforced on a schedule, in batches, off the web
# process. No retry: it runs every hour.
@shared_task(ignore_result=True)
def purge_old_audit_rows() -> None:
    count = audit.purge_old_rows()
    accounts.forget_old_failures()
    if count:
        log.info("purged %d audit rows past the retention period", count)


# Why a task: backups are made on the household's schedule, off the web process. No retry:
# it is checked every quarter hour, and a failure is logged for the owner's logs.
@shared_task(ignore_result=True)
def scheduled_backup() -> None:
    try:
        made = backups.run_scheduled()
    except backups.BackupError as exc:
        log.warning("scheduled backup skipped: %s", exc)
        return
    if made is not None:
        log.info("backup %s written (%d bytes)", made.name, made.size)


# Why a task: the conditions are looked for on a schedule, off the web process, and sent to
# the household's channel from there (the audit chain, which reads every row, hourly). No
# retry: it runs every two minutes, and a notice that could not be sent says so on its page.
@shared_task(ignore_result=True)
def check_notices(chain: bool = False) -> None:
    new = notices.check(chain=chain)
    if new:
        log.info("%d new notices", len(new))


# Why a task: the owner's weekly digest is counted off the web process, from the audit rows.
# Scheduled hourly, told once per ISO week (on Monday from 08:00 in the household's zone, or
# at the first run after, if the box was off). No retry: the next hour tries again.
@shared_task(ignore_result=True)
def send_digest() -> None:
    if digest.check_digest():
        log.info("the weekly digest was told")


# Why a task: models at rest are hashed again on a schedule, slowly (HEARTH_MODELS_VERIFY_MB_S),
# so a file damaged on disk is fetched again before the engine refuses it at its next start.
# No retry: it runs every day.
@shared_task(ignore_result=True)
def verify_models() -> None:
    from django.conf import settings

    from .store import integrity

    damaged = integrity.verify_all(settings.HEARTH_MODELS_VERIFY_MB_S * 1e6, True, lambda line: None)
    if damaged:
        log.warning("stored models checked: %d damaged and fetched again (%s)", len(damaged), ", ".join(damaged))
