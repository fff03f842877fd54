"""The devices page: pair (by code, by hand with a QR code, from those found), and each paired
device with what it did today; rename, category, tier cap, new key, revoke, a broker account."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from devices import qr
from devices import services as device_services
from devices.choices import DiscoveryState
from devices.models import Device, DiscoveredDevice, MqttAccount, PairingRequest
from devices.services import IssuedKey, MqttCredentials

from .. import console, household
from ..forms import DeviceForm, MqttAccountForm
from ..services import devices as devices_service
from .access import owner_required


def _api_bases() -> list[str]:
    # Where the device can reach the box, not where the owner's browser happens to (often 127.0.0.1).
    return [url + "v1" for url in console.addresses(settings.HEARTH_WEB_HOST, settings.HEARTH_WEB_PORT)]


def _shown_once(response: HttpResponse) -> HttpResponse:
    # A key or a broker password is in this page: no browser or proxy may keep a copy.
    response["Cache-Control"] = "no-store"
    return response


def _list(request: HttpRequest, form: DeviceForm | None = None, issued: IssuedKey | None = None) -> HttpResponse:
    context: dict[str, Any] = {
        "rows": devices_service.rows(),
        "zone": household.current().zone.key,
        "found": device_services.found_on_the_network(),
        "ignored": devices_service.ignored(),
        "pairings": devices_service.waiting_pairings(),
        "form": form or DeviceForm(),
        "issued": issued,
        "qr": qr.svg_data_uri(issued.key) if issued else "",
        "api_bases": _api_bases(),
    }
    response = render(request, "appliance/devices.html", context)
    return _shown_once(response) if issued else response


@owner_required
@require_GET
def devices_page(request: HttpRequest) -> HttpResponse:
    return _list(request)


@owner_required
@require_POST
def add_device(request: HttpRequest) -> HttpResponse:
    """Add a device by hand: its key and a QR code with the base URL, shown on this answer only."""
    form = DeviceForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            issued = devices_service.add(d["name"], d["category"], d["max_tier"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return _list(request, issued=issued)
    return _list(request, form)


@owner_required
@require_POST
def pair_found(request: HttpRequest, found_id: int) -> HttpResponse:
    """Pair a device found on the network with its kind's defaults; its key is shown once."""
    row = get_object_or_404(DiscoveredDevice, pk=found_id, state=DiscoveryState.NEW)
    try:
        issued = device_services.pair_discovered(row)
    except ValueError:
        messages.error(
            request, _("Two devices on the network claim to be the same one: %(name)s is not paired.") % {"name": row.name or row.kind}
        )
        return HttpResponseRedirect("/devices/")
    return _list(request, issued=issued)


@owner_required
@require_POST
def ignore_found(request: HttpRequest, found_id: int) -> HttpResponse:
    row = get_object_or_404(DiscoveredDevice, pk=found_id, state=DiscoveryState.NEW)
    device_services.ignore_discovered(row)
    messages.success(request, _("Ignored %(name)s: it stays ignored when it shows up again.") % {"name": row.name or row.kind})
    return HttpResponseRedirect("/devices/")


@owner_required
@require_POST
def stop_ignoring(request: HttpRequest, found_id: int) -> HttpResponse:
    try:
        row = devices_service.stop_ignoring(found_id)
    except DiscoveredDevice.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("%(name)s is back among the devices waiting to be paired.") % {"name": row.name or row.kind})
    return HttpResponseRedirect("/devices/")


@owner_required
@require_POST
def approve_pairing(request: HttpRequest, pairing_id: int) -> HttpResponse:
    """Let a device that asked to pair collect its key (the owner has matched its code)."""
    try:
        pairing = devices_service.approve(pairing_id)
    except PairingRequest.DoesNotExist:
        messages.error(request, _("That pairing request is no longer waiting: it expired or was answered."))
        return HttpResponseRedirect("/devices/")
    messages.success(
        request, _("Approved %(name)s (code %(code)s): it collects its key itself.") % {"name": pairing.name, "code": pairing.code}
    )
    return HttpResponseRedirect("/devices/")


@owner_required
@require_POST
def deny_pairing(request: HttpRequest, pairing_id: int) -> HttpResponse:
    try:
        pairing = devices_service.deny(pairing_id)
    except PairingRequest.DoesNotExist:
        messages.error(request, _("That pairing request is no longer waiting: it expired or was answered."))
        return HttpResponseRedirect("/devices/")
    messages.success(request, _("Refused %(name)s (code %(code)s).") % {"name": pairing.name, "code": pairing.code})
    return HttpResponseRedirect("/devices/")


def _editor(
    request: HttpRequest,
    device: Device,
    form: DeviceForm,
    issued: IssuedKey | None = None,
    mqtt: MqttCredentials | None = None,
    mqtt_form: MqttAccountForm | None = None,
) -> HttpResponse:
    account = MqttAccount.objects.filter(device=device).first()
    context = {
        "device": device,
        "form": form,
        "issued": issued,
        "qr": qr.svg_data_uri(issued.key) if issued else "",
        "api_bases": _api_bases(),
        "account": account,
        "mqtt": mqtt,
        "mqtt_form": mqtt_form
        or MqttAccountForm(
            initial={
                "publishes_presence": bool(account and account.publishes_presence),
                "publishes_discovery": bool(account and account.publishes_discovery),
            }
        ),
        "mqtt_port": settings.HEARTH_MQTT_PORT,
    }
    response = render(request, "appliance/device_edit.html", context)
    return _shown_once(response) if issued or mqtt else response


def _form_of(device: Device) -> DeviceForm:
    return DeviceForm(initial={"name": device.name, "category": device.category, "max_tier": device.max_tier})


@owner_required
@require_http_methods(["GET", "POST"])
def edit_device(request: HttpRequest, device_id: int) -> HttpResponse:
    """Rename a device, or change its category or tier cap."""
    device = get_object_or_404(Device, pk=device_id)
    if request.method != "POST":
        return _editor(request, device, _form_of(device))
    form = DeviceForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            devices_service.change_device(device.pk, d["name"], d["category"], d["max_tier"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": d["name"]})
            return HttpResponseRedirect("/devices/")
    return _editor(request, device, form)


@owner_required
@require_POST
def rotate_key(request: HttpRequest, device_id: int) -> HttpResponse:
    """Give the device a new key, shown on this answer only."""
    device = get_object_or_404(Device, pk=device_id)
    issued = devices_service.rotate_key(device.pk)
    return _editor(request, issued.device, _form_of(issued.device), issued)


@owner_required
@require_POST
def revoke_key(request: HttpRequest, device_id: int) -> HttpResponse:
    device = devices_service.revoke(get_object_or_404(Device, pk=device_id).pk)
    messages.success(request, _("%(name)s's key no longer works. Give it a new key to let it back in.") % {"name": device.name})
    return HttpResponseRedirect("/devices/")


@owner_required
@require_POST
def give_mqtt_account(request: HttpRequest, device_id: int) -> HttpResponse:
    """Give the device a broker account (a new password if it has one), shown on this answer only."""
    device = get_object_or_404(Device, pk=device_id)
    form = MqttAccountForm(request.POST)
    if not device.is_active:
        form.add_error(None, _("A revoked device gets no broker account; give it a new key first."))
    if not form.is_valid():
        return _editor(request, device, _form_of(device), mqtt_form=form)
    d = form.cleaned_data
    mqtt = devices_service.give_mqtt_account(
        device.pk, publishes_presence=d["publishes_presence"], publishes_discovery=d["publishes_discovery"]
    )
    return _editor(request, device, _form_of(device), mqtt=mqtt, mqtt_form=form)


@owner_required
@require_POST
def take_mqtt_account(request: HttpRequest, device_id: int) -> HttpResponse:
    device = get_object_or_404(Device, pk=device_id)
    devices_service.take_mqtt_account(device.pk)
    messages.success(request, _("%(name)s no longer has a broker account; its key still works over HTTP.") % {"name": device.name})
    return HttpResponseRedirect(f"/devices/{device.pk}/")
