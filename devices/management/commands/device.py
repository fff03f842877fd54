"""`manage.py device add|list|revoke|rotate`: the device registry for headless setups."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from devices import services
from devices.choices import Category, Tier
from devices.models import Device


class Command(BaseCommand):
    help = "Add, list, revoke or rotate the keys of devices."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="register a device and print its key once")
        add.add_argument("name")
        add.add_argument("--category", choices=Category.values, default=Category.OTHER)
        add.add_argument("--max-tier", choices=Tier.values, default=Tier.HOME)
        sub.add_parser("list", help="list devices")
        for verb in ("revoke", "rotate"):
            sub.add_parser(verb, help=f"{verb} a device's key").add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            try:
                issued = services.add_device(options["name"], options["category"], options["max_tier"])
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self._print_key(issued)
        elif action == "list":
            for d in Device.objects.all():
                state = "revoked" if d.revoked_at else "active"
                self.stdout.write(f"{d.name}\t{d.category}\tmax tier {d.max_tier}\t{d.key_prefix}…\t{state}")
        else:
            try:
                device = Device.objects.get(name=options["name"])
            except Device.DoesNotExist as exc:
                raise CommandError(f"no device named {options['name']!r}") from exc
            if action == "revoke":
                services.revoke(device)
                self.stdout.write(f"Revoked the key of {device.name}.")
            else:
                self._print_key(services.rotate_key(device))

    def _print_key(self, issued: services.IssuedKey) -> None:
        self.stderr.write(f"Device {issued.device.name!r}: its key is shown once, keep it now.")
        self.stdout.write(issued.key)
