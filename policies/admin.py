"""Editing the household's rules: list, add, edit, reorder, enable; presets, YAML, simulator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from devices.choices import Category
from devices.models import Device
from gateway.models import Provider
from gateway.simulate import simulate
from policies import services
from policies import terms_admin as _terms_admin  # noqa: F401  (registers the household terms' pages)
from policies.models import HouseholdRule
from policies.rules import RuleError, warnings
from policies.rules.monotone import TooManyCombinations, decision_in_words, facts_in_words, monotonicity_counterexample

CONDITIONS_HELP = (
    "All given conditions must hold; within a list, any item may. "
    'e.g. {"categories": ["kids"], "labels": {"health": 0.6}}. '
    "Labels: health, finance, children, identity_contact, location_home, credentials, intimate and legal are "
    "sensitive; a label condition holds when any listed label reaches its confidence. "
    "general is the absence of sensitivity, not a label of its own: its score is never above 1 minus the highest "
    'sensitive score, so {"general": 0.5} means "looks generic, and no sensitive label is above 0.5" '
    '({"general": 0.7}: none above 0.3). A request never leaves because it looks generic while a sensitive label is high.'
)


def _tiers_with_providers() -> set[str]:
    return set(Provider.objects.filter(enabled=True).values_list("tier", flat=True))


def _monotonicity(rules: list[Any]) -> dict[str, Any]:
    """Return what the rule list's monotonicity warning shows: the example, or why it is missing."""
    try:
        found = monotonicity_counterexample(rules)
    except TooManyCombinations as exc:
        return {"unchecked": str(exc)}
    if found is None:
        return {}
    return {
        "example": found,
        "before": facts_in_words(found.before, found.aspects),
        "after": facts_in_words(found.after, found.aspects),
        "before_decision": decision_in_words(found.before_decision),
        "after_decision": decision_in_words(found.after_decision),
    }


class PresetForm(forms.Form):
    preset = forms.ChoiceField(choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["preset"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(name, f"{p['title']}: {p['description']}") for name, p in services.presets().items()]


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A YAML file exported from a Hearth box. It replaces every rule.")


class SimulateForm(forms.Form):
    device = forms.ModelChoiceField(queryset=Device.objects.all(), required=False)
    category = forms.ChoiceField(
        choices=[("", "---------"), *Category.choices],
        required=False,
        help_text="Or any device of a category (allowed every tier: the rules alone decide).",
    )
    prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=20000)
    when = forms.DateTimeField(required=False, help_text="Empty: now.", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    presence = forms.ChoiceField(choices=[("home", "Someone is home"), ("away", "Nobody is home")])
    image = forms.ImageField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("device")) == bool(data.get("category")):
            raise forms.ValidationError("Pick a device or a category (one of them).")
        return data

    def subject(self) -> Device:
        """The device to try the request as: the one picked, or an unsaved one of the category."""
        picked: Device | None = self.cleaned_data["device"]
        if picked is not None:
            return picked
        category = self.cleaned_data["category"]
        return Device(name=f"any {Category(category).label.lower()}", category=category, max_tier="cloud")


@admin.register(HouseholdRule)
class HouseholdRuleAdmin(admin.ModelAdmin[HouseholdRule]):
    list_display = ["position", "name", "enabled", "conditions", "actions"]
    list_display_links = ["name"]
    list_editable = ["position", "enabled"]
    change_list_template = "admin/policies/householdrule/change_list.html"

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "conditions" and field is not None:
            field.help_text = CONDITIONS_HELP
        return field

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        context = dict(extra_context or {})
        try:
            rules = services.load_rules()
            for warning in warnings(rules, _tiers_with_providers()):
                messages.warning(request, warning)
        except RuleError as exc:
            messages.error(request, f"A stored rule is invalid: {exc}")
        else:
            context["monotonicity"] = _monotonicity(rules)
        return super().changelist_view(request, context)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("preset/", self.admin_site.admin_view(self.preset_view), name="policies_householdrule_preset"),
            path("export/", self.admin_site.admin_view(self.export_view), name="policies_householdrule_export"),
            path("import/", self.admin_site.admin_view(self.import_view), name="policies_householdrule_import"),
            path("simulate/", self.admin_site.admin_view(self.simulate_view), name="policies_householdrule_simulate"),
        ]
        return own + super().get_urls()

    def _page(self, request: HttpRequest, title: str, form: forms.Form, **context: Any) -> TemplateResponse:
        return TemplateResponse(
            request,
            "admin/policies/form.html",
            {**self.admin_site.each_context(request), "title": title, "form": form, "opts": self.model._meta, **context},
        )

    def preset_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            return HttpResponse(status=403)
        form = PresetForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            services.apply_preset(form.cleaned_data["preset"], _tiers_with_providers())
            messages.success(request, "The preset replaced the rules; tiers without a provider were lowered to ones the box has.")
            return HttpResponseRedirect(reverse("admin:policies_householdrule_changelist"))
        return self._page(request, "Choose a preset", form, submit="Replace the rules with this preset")

    def export_view(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(services.export_yaml(), content_type="application/yaml")
        response["Content-Disposition"] = 'attachment; filename="hearth-rules.yaml"'
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            return HttpResponse(status=403)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.import_yaml(form.cleaned_data["file"].read(1_000_000).decode("utf-8", "replace"))
            except RuleError as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(request, "The rules were replaced by those in the file.")
                return HttpResponseRedirect(reverse("admin:policies_householdrule_changelist"))
        return self._page(request, "Import rules", form, submit="Import", multipart=True)

    def simulate_view(self, request: HttpRequest) -> HttpResponse:
        form = SimulateForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            tz = services.household_zone()  # a typed time is the household's (appliance.middleware)
            moment = form.cleaned_data["when"] or dt.datetime.now(tz)
            image = form.cleaned_data.get("image")
            image_url = ""
            if image:
                import base64

                image_url = f"data:{image.content_type};base64," + base64.b64encode(image.read()).decode()
            result = simulate(form.subject(), form.cleaned_data["prompt"], moment.astimezone(tz), form.cleaned_data["presence"], image_url)
        return self._page(request, "Try a request", form, submit="Try it (nothing is sent)", multipart=True, result=result)
