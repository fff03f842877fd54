"""`manage.py device add|list|revoke|rotate`: the device registry for headless setups."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from devices import qr, services
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
        add.add_argument("--qr", action="store_true", help="also draw a QR code with the base URL and the key")
        sub.add_parser("list", help="list devices")
        mqtt = sub.add_parser("mqtt", help="give a device its own MQTT broker account (a new password if it has one); print it once")
        mqtt.add_argument("name")
        for what, topics in (("presence", "the presence topic"), ("discovery", "MQTT discovery (a zigbee2mqtt or Tasmota hub)")):
            flag = mqtt.add_mutually_exclusive_group()
            flag.add_argument(f"--{what}", dest=what, action="store_true", default=None, help=f"may publish {topics}")
            flag.add_argument(f"--no-{what}", dest=what, action="store_false", help=f"may not publish {topics}")
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
            if options["qr"]:
                self.stderr.write(qr.terminal(issued.key))
        elif action == "list":
            for d in Device.objects.all():
                state = "revoked" if d.revoked_at else "active"
                self.stdout.write(f"{d.name}\t{d.category}\tmax tier {d.max_tier}\t{d.key_prefix}…\t{state}")
        else:
            try:
                device = Device.objects.get(name=options["name"])
            except Device.DoesNotExist as exc:
                raise CommandError(f"no device named {options['name']!r}") from exc
            if action == "mqtt":
                try:
                    creds = services.issue_mqtt_credentials(
                        device, publishes_presence=options["presence"], publishes_discovery=options["discovery"]
                    )
                except ValueError as exc:
                    raise CommandError(str(exc)) from exc
                self.stderr.write(f"Broker account of {device.name!r}: the password is shown once, keep it now.")
                self.stdout.write(f"username {creds.username}\npassword {creds.password}")
                self.stdout.write(f"publish requests to {creds.request_topic}\nread answers under {creds.response_topic}/#")
            elif action == "revoke":
                services.revoke(device)
                self.stdout.write(f"Revoked the key of {device.name}.")
            else:
                self._print_key(services.rotate_key(device))

    def _print_key(self, issued: services.IssuedKey) -> None:
        self.stderr.write(f"Device {issued.device.name!r}: its key is shown once, keep it now.")
        self.stdout.write(issued.key)
