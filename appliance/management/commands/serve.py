"""`manage.py serve`: the web process (ASGI, uvicorn)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from appliance import console, edge


class Command(BaseCommand):
    help = "Serve the web admin and the device API."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.HEARTH_WEB_HOST)
        parser.add_argument("--port", type=int, default=settings.HEARTH_WEB_PORT)

    def handle(self, *args: Any, **options: Any) -> None:
        # The ASGI handler spools a request's body in the temporary folder: on the box TMPDIR is
        # on the data partition, so an uploaded update bundle does not fill the root slot. A box
        # updated from a version without that folder gets it here.
        if tmp := os.environ.get("TMPDIR"):
            Path(tmp).mkdir(mode=0o700, parents=True, exist_ok=True)
        for line in console.banner(options["host"], options["port"]):
            self.stdout.write(line)
        uvicorn.run(
            "appliance.asgi:application",
            host=options["host"],
            port=options["port"],
            loop="uvloop",
            http=edge.EdgeProtocol,  # httptools, with bounds on each request's head and on connections
            lifespan="off",
            access_log=False,  # the audit log records requests; an access log would add IPs and paths only
            timeout_graceful_shutdown=5,
            log_level="info",
            log_config=edge.log_config(),  # without the clients' addresses
            limit_concurrency=settings.HEARTH_MAX_CONNECTIONS,
            timeout_keep_alive=5,  # an idle kept-alive connection is closed after this
        )
