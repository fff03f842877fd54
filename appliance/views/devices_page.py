"""The devices page: paired devices, what they did today; rename, category, tier cap, new key, revoke."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from devices import services as device_services
from devices.models import Device
from devices.services import IssuedKey

from .. import console, household
from ..forms import DeviceForm
from ..services import devices as devices_service
from .access import owner_required


@owner_required
@require_GET
def devices_page(request: HttpRequest) -> HttpResponse:
    context = {"rows": devices_service.rows(), "zone": household.current().zone.key, "found": device_services.found_on_the_network()}
    return render(request, "appliance/devices.html", context)


def _editor(request: HttpRequest, device: Device, form: DeviceForm, issued: IssuedKey | None = None) -> HttpResponse:
    context = {
        "device": device,
        "form": form,
        "issued": issued,
        # Where the device can reach the box, not where the owner's browser happens to.
        "api_bases": [url + "v1" for url in console.addresses(settings.HEARTH_WEB_HOST, settings.HEARTH_WEB_PORT)],
    }
    return render(request, "appliance/device_edit.html", context)


@owner_required
@require_http_methods(["GET", "POST"])
def edit_device(request: HttpRequest, device_id: int) -> HttpResponse:
    """Rename a device, or change its category or tier cap."""
    device = get_object_or_404(Device, pk=device_id)
    if request.method != "POST":
        return _editor(request, device, DeviceForm(initial={"name": device.name, "category": device.category, "max_tier": device.max_tier}))
    form = DeviceForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            devices_service.change_device(device.pk, d["name"], d["category"], d["max_tier"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Saved {d['name']}.")
            return HttpResponseRedirect("/devices/")
    return _editor(request, device, form)


@owner_required
@require_POST
def rotate_key(request: HttpRequest, device_id: int) -> HttpResponse:
    """Give the device a new key, shown on this answer only."""
    device = get_object_or_404(Device, pk=device_id)
    issued = devices_service.rotate_key(device.pk)
    form = DeviceForm(initial={"name": device.name, "category": device.category, "max_tier": device.max_tier})
    return _editor(request, issued.device, form, issued)


@owner_required
@require_POST
def revoke_key(request: HttpRequest, device_id: int) -> HttpResponse:
    device = devices_service.revoke(get_object_or_404(Device, pk=device_id).pk)
    messages.success(request, f"{device.name}'s key no longer works. Give it a new key to let it back in.")
    return HttpResponseRedirect("/devices/")
