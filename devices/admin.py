from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import Device


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin[Device]):
    list_display = ["name", "category", "max_tier", "key_prefix", "created_at", "revoked_at"]
    list_filter = ["category", "max_tier"]
    search_fields = ["name"]
    readonly_fields = ["key_prefix", "created_at", "revoked_at"]
    actions = ["revoke_keys", "rotate_keys"]

    def save_model(self, request: HttpRequest, obj: Device, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = services.add_device(obj.name, obj.category, obj.max_tier)
        obj.pk = issued.device.pk
        obj.key_hash, obj.key_prefix = issued.device.key_hash, issued.device.key_prefix
        self.message_user(
            request,
            f"Key for {obj.name} (shown once, copy it now): {issued.key}",
            messages.WARNING,
        )

    @admin.action(description="Revoke the keys of the selected devices")
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        for device in queryset:
            services.revoke(device)
        self.message_user(request, f"Revoked {queryset.count()} key(s).")

    @admin.action(description="Issue new keys to the selected devices")
    def rotate_keys(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        for device in queryset:
            issued = services.rotate_key(device)
            self.message_user(request, f"New key for {device.name} (shown once): {issued.key}", messages.WARNING)
