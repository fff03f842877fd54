"""`manage.py update install FILE|URL | status | rollback`: signed A/B system updates from the console."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from appliance import updates
from appliance.services import update_install


class Command(BaseCommand):
    help = "Install a signed update bundle into the other root slot, show the slots and history, or go back."
    # boot runs before the migrations and Redis may not answer yet: the system checks wait for the web process
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        install = sub.add_parser("install", help="check a bundle's signature and compatibility, write it to the other slot")
        install.add_argument("source", help="a .raucb file on the box, or an http(s) URL to fetch it from")
        install.add_argument("--progress-file", type=Path, help="keep the progress in this JSON file too (the Updates page reads it)")
        show = sub.add_parser("status", help="the running slot and version, the other slot's, the history")
        show.add_argument("--json", action="store_true")
        sub.add_parser("rollback", help="boot the previous version (the other slot) next")
        # Used by the box's own units (hearth-update-boot, hearth-update-health), not by hand.
        boot = sub.add_parser("boot", help="(boot unit) follow an update in flight before the migrations")
        boot.add_argument("--booted", choices=updates.SLOTS, required=True)
        boot.add_argument("--primary", default="unknown")
        health = sub.add_parser("health", help="(health unit) wait for Hearth to be healthy; exit 1 if it is not")
        health.add_argument("--booted", choices=updates.SLOTS, required=True)
        health.add_argument("--wait", type=float, default=0, help="seconds to keep checking")
        health.add_argument("--unit", action="append", default=[], help="a unit that must be active")
        health.add_argument("--trial", action="store_true", help="this slot is on trial (not marked good yet)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "install":
                self._install(options["source"], options["progress_file"])
            elif action == "status":
                self._status(as_json=options["json"])
            elif action == "rollback":
                previous = updates.request_rollback()
                self.stdout.write(self.style.SUCCESS(f"Hearth {previous} boots next. Restart to finish (systemctl reboot)."))
            elif action == "boot":
                self.stdout.write(updates.on_boot(options["booted"], options["primary"]))
            else:
                self._health(options)
        except updates.UpdateError as exc:
            raise CommandError(str(exc)) from exc

    def _install(self, source: str, progress_file: Path | None) -> None:
        writer = update_install.Writer(progress_file, source) if progress_file else None

        def say(line: str) -> None:
            self.stdout.write(line)
            if writer:
                writer.say(line)

        try:
            pending = updates.install(source, say)
        except updates.UpdateError as exc:
            if writer:
                writer.end("failed", str(exc))
            raise
        except BaseException as exc:
            if writer:
                writer.end("failed", f"the install stopped: {type(exc).__name__}")
            raise
        finally:
            if writer:
                # A bundle the page uploaded or fetched is not needed once it is written (or refused): free the space.
                for bundle in update_install.incoming(updates.Box.default()).glob("*.raucb"):
                    bundle.unlink(missing_ok=True)
        done = f"Hearth {pending.version} is written to slot {pending.slot}. Restart to finish: it is kept once its health check passes."
        if writer:
            writer.end("done", done, pending.version)
        self.stdout.write(self.style.SUCCESS(done.replace("Restart to finish", "Restart to finish (systemctl reboot)")))

    def _status(self, *, as_json: bool) -> None:
        st = updates.status()
        if as_json:
            self.stdout.write(json.dumps(asdict(st), indent=1))
            return
        self.stdout.write(f"running: Hearth {st.version} (built {st.build_date or 'unknown'}) in slot {st.slot or '-'}")
        self.stdout.write(f"other slot {st.other_slot or '-'}: {st.other_version}")
        if st.pending:
            when = "on trial since " + st.pending.started_at if st.pending.started_at else "restart to finish"
            self.stdout.write(f"update in flight: {st.pending.version} in slot {st.pending.slot} ({when})")
        self.stdout.write("history (newest first):" if st.history else "history: no updates yet")
        for entry in st.history[:20]:
            self.stdout.write("  " + updates.describe(entry))

    def _health(self, options: dict[str, Any]) -> None:
        health = updates.wait_healthy(options["unit"], timeout=options["wait"], say=self.stderr.write)
        line = updates.on_health(options["booted"], health)
        if not health.ok:
            raise CommandError(line)
        self.stdout.write(line)
