"""The Celery app: queues per kind of work (classify, home, upstream)."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appliance.settings")

app = Celery("hearth")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue("classify"), Queue("home"), Queue("upstream")]
app.autodiscover_tasks()
