"""The providers page: the providers in words, adding one from a preset, changing, turning off
and removing one, and the household's priorities; members read, the owner changes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from devices.choices import Tier
from gateway.models import Provider
from policies.priorities import DEFAULT_PRESET, LimitError

from .. import household
from ..forms import PrioritiesForm, ProviderPageForm
from ..services import providers as providers_service
from ..services import setup as setup_service
from .access import member_required, owner_required

# The model's field names where the form's differ.
FORM_FIELD = {"model_names": "models", "api_key_encrypted": "key"}


def priorities_form(data: Any = None) -> PrioritiesForm:
    """Return the priorities form, with the household's answers when nothing was posted."""
    row, _priorities = providers_service.household_priorities()
    initial = PrioritiesForm.initial_for(row.priority if row else DEFAULT_PRESET, row.jurisdictions if row else {})
    return PrioritiesForm(data, initial=initial)


def _page(request: HttpRequest, form: PrioritiesForm | None = None) -> HttpResponse:
    context = {
        "rows": providers_service.rows(),
        "priorities_form": form or priorities_form(),
        "priorities": providers_service.priorities_in_words(),
        "presets": providers_service.presets(),
        "added": request.GET.get("added", ""),
        "can_change": request.user.is_superuser,
    }
    return render(request, "appliance/providers.html", context)


@member_required
@require_GET
def providers_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


def save_priorities_from(request: HttpRequest, form: PrioritiesForm) -> bool:
    """Store a valid priorities form; say whether it was stored (errors are added to the form)."""
    if not form.is_valid():
        return False
    try:
        providers_service.set_priorities(form.cleaned_data["priority"], form.tiers)
    except LimitError as exc:
        form.add_error(None, f"{exc}.")
        return False
    return True


@owner_required
@require_POST
def save_priorities(request: HttpRequest) -> HttpResponse:
    """Store the household's priority and its limits per tier; the router reads them at once."""
    form = PrioritiesForm(request.POST)
    if not save_priorities_from(request, form):
        return _page(request, form)
    messages.success(request, _("Saved the household's priorities: the next request is routed by them."))
    return HttpResponseRedirect("/providers/#priorities")


def _answers(form: ProviderPageForm) -> providers_service.ProviderAnswers:
    d = form.cleaned_data
    return providers_service.ProviderAnswers(
        name=d["name"], tier=d["tier"], family=d["family"], base_url=d["base_url"], key=d["key"] or "",
        models=form.model_list, zero_data_retention=d["zero_data_retention"], zdr_terms_url=d["zdr_terms_url"] or "",
        zdr_checked_on=d["zdr_checked_on"], jurisdiction=d["jurisdiction"] or "", price_in_per_mtok=d["price_in_per_mtok"],
        price_out_per_mtok=d["price_out_per_mtok"], quality=d["quality"], first_byte_timeout=d["first_byte_timeout"],
        takes_images=d["takes_images"], forces_tool_calls=d["forces_tool_calls"], model_caps=form.model_caps,
    )  # fmt: skip


def _errors_to(form: ProviderPageForm, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        target = FORM_FIELD.get(name, name)
        form.add_error(target if target in form.fields else None, errors)


def _editor(request: HttpRequest, form: ProviderPageForm, provider: Provider | None, preset: str = "") -> HttpResponse:
    context = {
        "form": form,
        "provider": provider,
        "presets": providers_service.presets(),
        "preset": providers_service.presets().get(preset),
        "currency": household.currency(),
    }
    return render(request, "appliance/provider_edit.html", context)


@owner_required
@require_http_methods(["GET", "POST"])
def new_provider(request: HttpRequest) -> HttpResponse:
    """Add a trusted or cloud provider; ?preset= fills the form with what a preset knows."""
    money = household.currency()
    if request.method != "POST":
        preset = providers_service.presets().get(request.GET.get("preset", ""))
        initial = preset.initial(money) if preset else {}
        return _editor(request, ProviderPageForm(initial=initial, currency=money), None, preset.name if preset else "")
    form = ProviderPageForm(request.POST, currency=money)
    if form.is_valid():
        try:
            provider = providers_service.add(_answers(form))
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            said = _("Added %(name)s. Its key is being checked (listing its models, which costs nothing).")
            messages.success(request, said % {"name": provider.name})
            return HttpResponseRedirect(f"/providers/?added={provider.pk}#provider-{provider.pk}")
    return _editor(request, form, None, request.POST.get("preset", ""))


def _outside(provider_id: int) -> Provider:
    found: Provider = get_object_or_404(Provider.objects.exclude(tier=Tier.HOME), pk=provider_id)
    return found


@owner_required
@require_http_methods(["GET", "POST"])
def edit_provider(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Change a trusted or cloud provider; the home engine belongs to the box."""
    provider = _outside(provider_id)
    money = household.currency()
    if request.method != "POST":
        initial = {
            "name": provider.name, "tier": provider.tier, "family": provider.family, "base_url": provider.base_url,
            "models": ", ".join(provider.model_names or []), "zero_data_retention": provider.zero_data_retention,
            "zdr_terms_url": provider.zdr_terms_url, "zdr_checked_on": provider.zdr_checked_on, "jurisdiction": provider.jurisdiction,
            "price_in_per_mtok": provider.price_in_per_mtok, "price_out_per_mtok": provider.price_out_per_mtok,
            "quality": provider.quality, "first_byte_timeout": provider.first_byte_timeout,
            "takes_images": provider.takes_images, "forces_tool_calls": provider.forces_tool_calls,
        }  # fmt: skip
        caps = provider.model_caps if isinstance(provider.model_caps, dict) else {}
        listed = [*(provider.model_names or []), *(m for m in caps if m not in (provider.model_names or []))]
        for i, name in enumerate(listed):
            spec = caps.get(name) or {}
            initial[f"cap{i}_context"] = spec.get("context")
            for task, score in (spec.get("quality") or {}).items():
                initial[f"cap{i}_{task}"] = score
        form = ProviderPageForm(initial=initial, currency=money, caps_models=listed, editing=True)
        return _editor(request, form, provider)
    form = ProviderPageForm(request.POST, currency=money, editing=True)
    if form.is_valid():
        try:
            saved = providers_service.change(provider.pk, _answers(form))
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": saved.name})
            return HttpResponseRedirect(f"/providers/#provider-{saved.pk}")
    return _editor(request, form, provider)


@owner_required
@require_POST
def check_key(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Check a provider's key by listing its models (costs nothing); answers an htmx fragment."""
    result = setup_service.check_key(_outside(provider_id))
    return render(request, "appliance/setup/_key_check.html", {"result": result})


@owner_required
@require_POST
def switch_provider(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Turn a provider off (no request goes to it) or on again."""
    on = request.POST.get("enabled") == "1"
    provider = providers_service.set_enabled(_outside(provider_id).pk, on)
    said = _("%(name)s is on again.") if on else _("%(name)s is off: no request goes to it.")
    messages.success(request, said % {"name": provider.name})
    return HttpResponseRedirect(f"/providers/#provider-{provider.pk}")


@owner_required
@require_POST
def remove_provider(request: HttpRequest, provider_id: int) -> HttpResponse:
    name = providers_service.remove(_outside(provider_id).pk)
    messages.success(request, _("Removed %(name)s and its key.") % {"name": name})
    return HttpResponseRedirect("/providers/")
