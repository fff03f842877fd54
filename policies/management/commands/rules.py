"""`manage.py rules list|presets|preset NAME|export|import FILE`: the household's rules, headless."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gateway.models import Provider
from policies import services
from policies.models import HouseholdRule
from policies.rules import RuleError, warnings


class Command(BaseCommand):
    help = "List, export, import the household's rules, or replace them with a preset."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="the rules in order, and warnings")
        sub.add_parser("presets", help="the presets Hearth ships")
        sub.add_parser("preset", help="replace the rules with a preset").add_argument("name")
        sub.add_parser("export", help="print the rules as YAML")
        sub.add_parser("import", help="replace the rules with a YAML file ('-' for standard input)").add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        tiers = set(Provider.objects.filter(enabled=True).values_list("tier", flat=True))
        try:
            if options["action"] == "list":
                for rule in HouseholdRule.objects.all():
                    state = "" if rule.enabled else "  (disabled)"
                    self.stdout.write(f"{rule.position:3d}  {rule.name}{state}\n     if {rule.conditions or 'always'} then {rule.actions}")
                self.stdout.write("  -  Private until proven otherwise: anything else stays home")
                for warning in warnings(services.load_rules(), tiers):
                    self.stderr.write(f"warning: {warning}")
            elif options["action"] == "presets":
                for name, preset in services.presets().items():
                    self.stdout.write(f"{name}: {preset['title']}. {preset['description']}")
            elif options["action"] == "preset":
                rows = services.apply_preset(options["name"], tiers)
                self.stdout.write(f"The rules are now the preset {options['name']!r} ({len(rows)} rules).")
            elif options["action"] == "export":
                self.stdout.write(services.export_yaml())
            else:
                text = sys.stdin.read() if options["file"] == "-" else Path(options["file"]).read_text()
                rows = services.import_yaml(text)
                self.stdout.write(f"Imported {len(rows)} rules.")
        except (RuleError, OSError) as exc:
            raise CommandError(str(exc)) from exc
