from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent, Provider


class ProviderForm(forms.ModelForm[Provider]):
    api_key = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted and never shown again. Leave empty to keep the current key.",
    )

    class Meta:
        model = Provider
        fields = "__all__"

    def save(self, commit: bool = True) -> Provider:
        provider = super().save(commit=False)
        if self.cleaned_data.get("api_key"):
            provider.set_api_key(self.cleaned_data["api_key"])
        if commit:
            provider.save()
        return provider


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin[Provider]):
    form = ProviderForm
    list_display = ["name", "tier", "family", "base_url", "key_prefix", "zero_data_retention", "jurisdiction", "enabled"]
    list_filter = ["tier", "family", "enabled"]
    readonly_fields = ["key_prefix"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = [
        "created_at",
        "device_name",
        "kind",
        "model_requested",
        "tier",
        "provider_name",
        "outcome",
        "ttft_ms",
        "total_ms",
        "completion_tokens",
        "cost",
    ]
    list_filter = ["tier", "outcome", "kind", "provider_name"]
    search_fields = ["device_name", "request_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
