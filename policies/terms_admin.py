"""The household's private terms in the admin: the owner adds, edits and removes them."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from policies.models import HouseholdTerm


@admin.register(HouseholdTerm)
class HouseholdTermAdmin(admin.ModelAdmin[HouseholdTerm]):
    list_display = ["label", "value", "updated_at"]
    list_display_links = ["label"]
    fields = ["label", "value"]
    search_fields = ["label"]

    # The terms are the household's personal data: the owner's, not every staff account's.
    def has_view_permission(self, request: HttpRequest, obj: HouseholdTerm | None = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: HouseholdTerm | None = None) -> bool:
        return self.has_view_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: HouseholdTerm | None = None) -> bool:
        return self.has_view_permission(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)
