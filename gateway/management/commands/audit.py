"""`manage.py audit verify`: check the household audit log's hash chain, from the last purge's checkpoint,
and the chain of its settings changes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gateway import audit, settings_audit


class Command(BaseCommand):
    help = "Verify the audit log's hash chains: the requests' and the settings changes'."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_subparsers(dest="action", required=True).add_parser("verify", help="recompute the chain")

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit.verify()  # the same check as the page's "Verify the chain"
        if report.problem:
            where = f"row {report.first_bad.chain_seq} (request {report.first_bad.request_id})" if report.first_bad else "the chain's end"
            raise CommandError(f"The audit chain breaks at {where}: {report.problem}. {report.checked} rows before it match.")
        self.stdout.write(f"The audit chain is intact: {report.checked} row{'' if report.checked == 1 else 's'} match.")
        changes = settings_audit.verify()  # the settings changes' chain of its own (gateway.settings_audit)
        if changes.problem:
            where = f"settings change {changes.first_bad.seq}" if changes.first_bad else "its end"
            raise CommandError(f"The settings changes' chain breaks at {where}: {changes.problem}. {changes.checked} before it match.")
        self.stdout.write(f"The settings changes' chain is intact: {changes.checked} change{'' if changes.checked == 1 else 's'} match.")
