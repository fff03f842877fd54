"""The first-boot wizard: claim the box, then hardware, providers, rules, devices, finish."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from devices import services as device_services
from devices.choices import DiscoveryState
from devices.models import Device, DiscoveredDevice
from devices.services import IssuedKey
from gateway.models import Provider
from policies import services as rule_services
from policies.rules import RuleError

from .. import console, engine, hardware
from ..forms import (
    ClaimForm,
    DeviceForm,
    FinishForm,
    FirstBootRestoreForm,
    HouseholdTermForm,
    PresetForm,
    PrioritiesForm,
    ProviderForm,
)
from ..services import accounts
from ..services import setup as setup_service
from ..services.backups import BackupError
from ..store import active, consumers, disk, shelf
from ..store import fit as store_fit
from ..store import services as store_services
from ..store.catalogue import CatalogueError
from ..store.fetch import FetchError
from . import providers as providers_page
from .access import account_of, owner_required

STEPS = [
    ("hardware", gettext_lazy("Hardware")),
    ("providers", gettext_lazy("Providers")),
    ("rules", gettext_lazy("Rules")),
    ("devices", gettext_lazy("Devices")),
    ("finish", gettext_lazy("Finish")),
]


def _render(request: HttpRequest, step: str, template: str, context: Mapping[str, object]) -> HttpResponse:
    return render(request, template, {"steps": STEPS, "step": step, **context})


@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest) -> HttpResponse:
    """Step 1: the setup code, the owner account and the household."""
    if setup_service.has_owner():
        return HttpResponseRedirect("/setup/hardware/" if request.user.is_superuser else "/login/")
    form = ClaimForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        claim = setup_service.Claim(
            d["code"], d["username"], d["password"], d["household"], d["time_zone"], d["language"], d["currency"] or "USD"
        )
        try:
            owner = setup_service.claim_box(claim, accounts.client_address(request))
        except setup_service.ClaimRefused as exc:
            error = str(exc)
        else:
            login(request, owner, backend="django.contrib.auth.backends.ModelBackend")
            return HttpResponseRedirect("/setup/hardware/")
    return render_claim(request, form=form, error=error)


def render_claim(request: HttpRequest, **context: object) -> HttpResponse:
    """Render the first screen: claim the box, or restore it from a backup."""
    defaults: dict[str, object] = {"form": ClaimForm(), "restore_form": FirstBootRestoreForm(), "address": console.lan_address()}
    return _render(request, "claim", "appliance/setup/claim.html", {**defaults, **context})


@owner_required
def hardware_step(request: HttpRequest) -> HttpResponse:
    return _hardware_page(request)


def _served() -> str:
    try:
        return engine.model_path()
    except engine.EngineUnavailable:
        return ""


def _hardware_page(request: HttpRequest, message: str = "", error: str = "") -> HttpResponse:
    found = hardware.survey()
    room = hardware.budget(found)
    home = setup_service.home_model(found)
    models = hardware.catalogue()
    served = _served() if home.served is not None else ""
    table = store_fit.table(models, room)
    asked = request.GET.get("asked", "")  # a notice's link: a device asked for this model
    wanted = [f for f in table if f.entry.name == asked]
    asked_fit = next((f for f in wanted if f.fits), wanted[0] if wanted else None)
    context = {
        "hw": found, "home": home, "room": room, "table": table,
        "shelf": shelf.rows(models, room, served), "pulls": consumers.fragment(), "message": message, "error": error,
        "disk": disk.usage(models, served), "asked": asked_fit,
    }  # fmt: skip
    return _render(request, "hardware", "appliance/setup/hardware.html", context)


def _store_action(request: HttpRequest, action: str) -> HttpResponse:
    message = ""
    try:
        entry = hardware.catalogue().get(request.POST.get("model", ""))
        quantization = entry.quantization(request.POST.get("quantization") or None)
        room = hardware.budget(hardware.survey())
        named = {"model": entry.title, "version": quantization.name}
        if action == "pull":
            store_services.start_pull(entry, quantization, room)
            message = _("Fetching %(model)s (%(version)s); its progress shows below.") % named
        elif action == "remove":
            freed = store_services.remove(entry, quantization, _served())
            message = _("Removed %(model)s (%(version)s) from the store: %(freed)s freed.") % {**named, "freed": disk.words(freed)}
        elif action == "cancel":
            store_services.cancel_pull(entry.name)
            message = _("Stopping the fetch of %(model)s; what arrived is kept, and fetching again resumes it.") % named
        elif request.POST.get("role") == active.EMBEDDINGS:
            chosen = store_services.serve(entry, quantization, room, active.EMBEDDINGS)
            message = _(
                "The home embeddings engine is starting on %(model)s (%(version)s) with %(context)s tokens of context; "
                "devices ask for it as %(name)s."
            ) % {**named, "context": formats.number_format(chosen.context, force_grouping=True), "name": entry.name}
        else:
            chosen = store_services.serve(entry, quantization, room)
            message = _("The home engine is restarting on %(model)s (%(version)s) with %(context)s tokens of context.") % {
                **named,
                "context": formats.number_format(chosen.context, force_grouping=True),
            }
    except (CatalogueError, FetchError) as exc:
        return _hardware_page(request, error=str(exc))
    return _hardware_page(request, message=message)


@owner_required
@require_POST
def pull_model(request: HttpRequest) -> HttpResponse:
    """Fetch a model that fits, in a process of its own; its progress follows live on the page."""
    return _store_action(request, "pull")


@owner_required
@require_POST
def cancel_pull(request: HttpRequest) -> HttpResponse:
    """Stop a model's fetch, keeping what arrived."""
    return _store_action(request, "cancel")


@owner_required
@require_POST
def remove_model(request: HttpRequest) -> HttpResponse:
    """Remove a stored model version the home engine does not serve, freeing its disk."""
    return _store_action(request, "remove")


@owner_required
@require_POST
def serve_model(request: HttpRequest) -> HttpResponse:
    """Make a fetched model the one the home engine serves."""
    return _store_action(request, "serve")


@owner_required
@require_POST
def embeddings_off(request: HttpRequest) -> HttpResponse:
    """Stop the home embeddings engine: the chat model makes the embeddings again."""
    store_services.stop_embeddings()
    return _hardware_page(request, message=_("The embeddings engine stops; the chat model makes the embeddings again."))


@owner_required
@require_GET
def engine_status(request: HttpRequest) -> HttpResponse:
    """The home engine's state (?role=embeddings: the embeddings engine's), polled by the hardware step until it
    answers (htmx fragment)."""
    role = active.EMBEDDINGS if request.GET.get("role") == active.EMBEDDINGS else active.CHAT
    return render(request, "appliance/setup/_engine.html", {"status": setup_service.engine_status(role)})


@owner_required
@require_http_methods(["GET", "POST"])
def providers_step(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and "priority" in request.POST:
        # The household's priorities: the providers page's form, offered here too.
        chosen = PrioritiesForm(request.POST)
        if providers_page.save_priorities_from(request, chosen):
            return HttpResponseRedirect("/setup/providers/#priorities")
        return _providers_page(request, ProviderForm(), chosen)
    form = ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            setup_service.add_provider(setup_service.NewProvider(**d))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return HttpResponseRedirect("/setup/providers/")
    return _providers_page(request, form, providers_page.priorities_form())


def _providers_page(request: HttpRequest, form: ProviderForm, chosen: PrioritiesForm) -> HttpResponse:
    providers = Provider.objects.exclude(tier="home")
    context = {"form": form, "providers": providers, "priorities_form": chosen}
    return _render(request, "providers", "appliance/setup/providers.html", context)


@owner_required
@require_POST
def check_provider_key(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Check a key by listing models (costs nothing); answers an htmx fragment."""
    provider = get_object_or_404(Provider, pk=provider_id)
    result = setup_service.check_key(provider)
    return render(request, "appliance/setup/_key_check.html", {"result": result})


@owner_required
@require_POST
def remove_provider(request: HttpRequest, provider_id: int) -> HttpResponse:
    setup_service.remove_provider(provider_id)
    return HttpResponseRedirect("/setup/providers/")


@owner_required
@require_http_methods(["GET", "POST"])
def rules_step(request: HttpRequest) -> HttpResponse:
    """A rule preset, and the household's private terms that screening looks for."""
    if request.method == "POST" and ("remove_term" in request.POST or "term-value" in request.POST):
        return _terms_post(request)
    form = PresetForm(request.POST or None)
    message = error = ""
    if request.method == "POST" and form.is_valid():
        try:
            count = setup_service.apply_rule_preset(form.cleaned_data["preset"])
        except RuleError as exc:
            error = str(exc)
        else:
            message = _("The household now has %(count)d rules from that preset.") % {"count": count}
    return _rules_page(request, HouseholdTermForm(prefix="term"), message=message, error=error)


def _terms_post(request: HttpRequest) -> HttpResponse:
    removed = request.POST.get("remove_term", "")
    if removed:
        if removed.isdigit():
            setup_service.remove_household_term(int(removed), request.user)
        return HttpResponseRedirect("/setup/rules/#terms")
    term_form = HouseholdTermForm(request.POST, prefix="term")
    if term_form.is_valid():
        try:
            setup_service.add_household_term(term_form.cleaned_data["label"], term_form.cleaned_data["value"], request.user)
        except ValidationError as exc:
            term_form.add_error(None, exc)
        else:
            return HttpResponseRedirect("/setup/rules/#terms")
    return _rules_page(request, term_form)


def _rules_page(request: HttpRequest, term_form: HouseholdTermForm, message: str = "", error: str = "") -> HttpResponse:
    context = {
        "presets": rule_services.presets(),
        "message": message,
        "error": error,
        "term_form": term_form,
        "terms": setup_service.household_terms(),
    }
    return _render(request, "rules", "appliance/setup/rules.html", context)


@owner_required
@require_http_methods(["GET", "POST"])
def devices_step(request: HttpRequest) -> HttpResponse:
    form = DeviceForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            issued = setup_service.add_device(d["name"], d["category"], d["max_tier"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = DeviceForm()
    return _devices_page(request, form, issued)


def _devices_page(request: HttpRequest, form: DeviceForm, issued: IssuedKey | None) -> HttpResponse:
    context = {
        "form": form,
        "issued": issued,
        "devices": Device.objects.all(),
        "discovered": device_services.found_on_the_network(),
        # Where the device can reach the box, not where the owner's browser happens to (often 127.0.0.1).
        "api_bases": [url + "v1" for url in console.addresses(settings.HEARTH_WEB_HOST, settings.HEARTH_WEB_PORT)],
    }
    return _render(request, "devices", "appliance/setup/devices.html", context)


@owner_required
@require_POST
def pair_found(request: HttpRequest, found_id: int) -> HttpResponse:
    """Pair a device found on the network with its kind's defaults; its key is shown once."""
    row = get_object_or_404(DiscoveredDevice, pk=found_id, state=DiscoveryState.NEW)
    return _devices_page(request, DeviceForm(), device_services.pair_discovered(row))


@owner_required
@require_POST
def ignore_found(request: HttpRequest, found_id: int) -> HttpResponse:
    device_services.ignore_discovered(get_object_or_404(DiscoveredDevice, pk=found_id, state=DiscoveryState.NEW))
    return HttpResponseRedirect("/setup/devices/")


@owner_required
@require_http_methods(["GET", "POST"])
def finish_step(request: HttpRequest) -> HttpResponse:
    """The last step: asks for the backup passphrase (optional: no backup runs until there is one)."""
    if request.method == "POST" and request.POST.get("skip"):
        setup_service.finish_setup(skip_backups=True)
        return HttpResponseRedirect("/dashboard/")
    form = FinishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            setup_service.finish_setup(form.cleaned_data["passphrase"], account_of(request))
        except BackupError as exc:
            form.add_error("passphrase", str(exc))
        else:
            return HttpResponseRedirect("/dashboard/")
    return _render(request, "finish", "appliance/setup/finish.html", {"household": setup_service.household(), "form": form})
