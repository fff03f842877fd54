"""The Celery app: queues per kind of work (classify, home, upstream)."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appliance.settings")

app = Celery("hearth")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue("classify"), Queue("home"), Queue("upstream")]
# Celery's Django fixup closes every database connection before and after each task unless
# told to reuse them, which costs each request a new connection and its PRAGMAs. Let
# Django's own rule decide instead (CONN_MAX_AGE and health checks), as for web requests.
app.conf.update(CELERY_DB_REUSE_MAX=2**62)
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _recycle_database_connections(**_: Any) -> None:
    from django.db import close_old_connections

    close_old_connections()
