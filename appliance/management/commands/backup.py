"""`manage.py backup make|list|restore FILE`: the Backups page, from the console."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from appliance.services import backups


class Command(BaseCommand):
    help = "Make an encrypted backup now, list the backups, or restore one (asks for its passphrase)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("make", help="write a backup now with the household's passphrase")
        sub.add_parser("list", help="list the backups on the box, newest first")
        restore = sub.add_parser("restore", help="replace the household's state with a backup's")
        restore.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "make":
                made = backups.make_backup()
                self.stdout.write(str(backups.backup_dir() / made.name))
            elif options["action"] == "list":
                for b in backups.listing():
                    self.stdout.write(f"{b.name}  {b.size} bytes")
            else:
                file: Path = options["file"]
                if not file.is_file():
                    raise CommandError(f"{file} is not a file")
                restored = backups.restore(file.read_bytes(), getpass.getpass("Passphrase of this backup: "))
                self.stdout.write(
                    self.style.SUCCESS(
                        f"restored: {restored.devices} devices, {restored.rules} rules, "
                        f"{restored.providers} providers, {restored.audit_rows} audit rows"
                    )
                )
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
