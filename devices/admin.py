from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import dateformat, timezone

from . import qr, services
from .models import Device, DiscoveredDevice, MqttAccount, PairingRequest, Presence


@dataclass(frozen=True)
class ShownOnce:
    """A key or broker password for the page that shows it once."""

    device: str
    key: str = ""
    qr: str = ""  # data URI of a QR code with the base URL and the key
    mqtt: services.MqttCredentials | None = None


def show_once(request: HttpRequest, title: str, shown: list[ShownOnce]) -> TemplateResponse:
    """Render keys straight into the response: never into a message, a session or a log."""
    context = {**admin.site.each_context(request), "title": title, "shown": shown}
    response = TemplateResponse(request, "admin/devices/shown_once.html", context)
    response["Cache-Control"] = "no-store"
    return response


def shown_time(moment: datetime | None) -> str:
    """Return a time in the household's zone (the pages run in it) with the zone's name."""
    return "—" if moment is None else dateformat.format(timezone.localtime(moment), "Y-m-d H:i T")


_added: weakref.WeakKeyDictionary[HttpRequest, ShownOnce] = weakref.WeakKeyDictionary()


def _key(issued: services.IssuedKey) -> ShownOnce:
    return ShownOnce(issued.device.name, issued.key, qr.svg_data_uri(issued.key))


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin[Device]):
    list_display = ["name", "category", "max_tier", "key_prefix", "added", "revoked"]
    list_filter = ["category", "max_tier"]
    search_fields = ["name"]
    readonly_fields = ["key_prefix", "added", "revoked"]
    actions = ["revoke_keys", "rotate_keys", "give_mqtt_accounts"]

    @admin.display(description="added", ordering="created_at")
    def added(self, obj: Device) -> str:
        return shown_time(obj.created_at)

    @admin.display(description="revoked", ordering="revoked_at")
    def revoked(self, obj: Device) -> str:
        return shown_time(obj.revoked_at)

    def save_model(self, request: HttpRequest, obj: Device, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = services.add_device(obj.name, obj.category, obj.max_tier)
        obj.pk = issued.device.pk
        obj.key_hash, obj.key_prefix = issued.device.key_hash, issued.device.key_prefix
        _added[request] = _key(issued)  # the admin object serves every request: keep it per request

    def response_add(self, request: HttpRequest, obj: Device, post_url_continue: str | None = None) -> HttpResponse:
        return show_once(request, f"{obj.name} is paired", [_added.pop(request)])

    def delete_model(self, request: HttpRequest, obj: Device) -> None:
        services.delete_devices(Device.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        services.delete_devices(queryset)

    @admin.action(description="Revoke the keys of the selected devices")
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        for device in queryset:
            services.revoke(device)
        self.message_user(request, f"Revoked {queryset.count()} key(s).")

    @admin.action(description="Issue new keys to the selected devices")
    def rotate_keys(self, request: HttpRequest, queryset: QuerySet[Device]) -> TemplateResponse:
        return show_once(request, "New keys", [_key(services.rotate_key(device)) for device in queryset])

    @admin.action(description="Give the selected devices an MQTT broker account (a new password if they have one)")
    def give_mqtt_accounts(self, request: HttpRequest, queryset: QuerySet[Device]) -> TemplateResponse | None:
        if any(not d.is_active for d in queryset):
            self.message_user(request, "A revoked device gets no broker account; issue it a new key first.", messages.ERROR)
            return None
        shown = [ShownOnce(d.name, mqtt=services.issue_mqtt_credentials(d)) for d in queryset]
        return show_once(request, "MQTT broker accounts", shown)


@admin.register(MqttAccount)
class MqttAccountAdmin(admin.ModelAdmin[MqttAccount]):
    """Devices' broker accounts: what each may publish beyond its own request topic."""

    list_display = ["username", "device", "publishes_presence", "publishes_discovery", "created_at"]
    fields = ["username", "device", "publishes_presence", "publishes_discovery"]
    readonly_fields = ["username", "device"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # from a device's "Give an MQTT broker account" action

    def save_model(self, request: HttpRequest, obj: MqttAccount, form: Any, change: bool) -> None:
        services.set_mqtt_permissions(obj, publishes_presence=obj.publishes_presence, publishes_discovery=obj.publishes_discovery)

    def delete_model(self, request: HttpRequest, obj: MqttAccount) -> None:
        services.delete_mqtt_accounts(MqttAccount.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[MqttAccount]) -> None:
        services.delete_mqtt_accounts(queryset)


@admin.register(Presence)
class PresenceAdmin(admin.ModelAdmin[Presence]):
    """Whether anyone is home: what the rules see, where it came from, and the owner's override."""

    list_display = ["__str__", "seen_by_rules", "override", "state", "source", "updated_at"]
    fields = ["seen_by_rules", "override", "state", "source", "updated_at", "override_by", "override_at"]
    readonly_fields = ["seen_by_rules", "state", "source", "updated_at", "override_by", "override_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Presence | None = None) -> bool:
        return False

    @admin.display(description="what the rules see")
    def seen_by_rules(self, obj: Presence) -> str:
        reading = services.presence()
        return f"{reading.state} ({reading.source or 'no presence source has said yet'})"

    def save_model(self, request: HttpRequest, obj: Presence, form: Any, change: bool) -> None:
        services.override_presence(obj.override, request.user.get_username())


@admin.register(DiscoveredDevice)
class DiscoveredDeviceAdmin(admin.ModelAdmin[DiscoveredDevice]):
    """Devices found on the network. Every field came from the device; the admin escapes it."""

    list_display = ["name", "kind", "maker", "model", "address", "service_type", "source", "state", "conflicts_with", "seen"]
    list_filter = ["state", "kind", "source"]
    search_fields = ["name", "maker", "model", "identity", "address"]
    actions = ["pair", "ignore"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # found, not typed in

    @admin.display(description="last seen", ordering="last_seen")
    def seen(self, obj: DiscoveredDevice) -> str:
        return shown_time(obj.last_seen)

    def has_change_permission(self, request: HttpRequest, obj: DiscoveredDevice | None = None) -> bool:
        return False  # state changes go through the actions (services)

    @admin.action(description="Ignore the selected devices (by identity: they stay ignored when they come back)")
    def ignore(self, request: HttpRequest, queryset: QuerySet[DiscoveredDevice]) -> None:
        for row in queryset:
            services.ignore_discovered(row)
        self.message_user(request, f"Ignored {queryset.count()} device(s).")

    @admin.action(description="Pair the selected devices and show their keys once")
    def pair(self, request: HttpRequest, queryset: QuerySet[DiscoveredDevice]) -> TemplateResponse | None:
        rows = list(queryset.filter(conflicts_with__isnull=True).exclude(state="paired"))
        if not rows:
            self.message_user(request, "Nothing to pair: paired devices and conflicts are left alone.", messages.WARNING)
            return None
        return show_once(request, "Paired", [_key(services.pair_discovered(row)) for row in rows])


@admin.register(PairingRequest)
class PairingRequestAdmin(admin.ModelAdmin[PairingRequest]):
    """Devices asking to be paired: approve one only when its code matches the device's."""

    list_display = ["code", "name", "category", "address", "asked", "expires", "state"]
    actions = ["approve", "deny"]

    @admin.display(description="asked at", ordering="created_at")
    def asked(self, obj: PairingRequest) -> str:
        return shown_time(obj.created_at)

    @admin.display(description="expires at", ordering="expires_at")
    def expires(self, obj: PairingRequest) -> str:
        return shown_time(obj.expires_at)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PairingRequest | None = None) -> bool:
        return False

    @admin.display(description="state")
    def state(self, obj: PairingRequest) -> str:
        if obj.collected_at:
            return "paired"
        if obj.denied_at:
            return "denied"
        if obj.approved_at:
            return "approved, waiting for the device"
        return "expired" if obj.expires_at <= timezone.now() else "waiting for you"

    @admin.action(description="Approve the selected requests (check the codes first)")
    def approve(self, request: HttpRequest, queryset: QuerySet[PairingRequest]) -> None:
        for pairing in queryset.filter(expires_at__gt=timezone.now()):
            services.approve_pairing(pairing)
        self.message_user(request, "Approved; the device collects its key on its next try.")

    @admin.action(description="Deny the selected requests")
    def deny(self, request: HttpRequest, queryset: QuerySet[PairingRequest]) -> None:
        for pairing in queryset:
            services.deny_pairing(pairing)
        self.message_user(request, f"Denied {queryset.count()} request(s).")
