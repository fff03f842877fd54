"""Updates: the running version and slot, the other slot, installing a bundle, restarting, going back."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from .. import updates
from ..services import update_install
from ..update_forms import BundleUpload, UploadForm, UrlForm
from .access import owner_required

FAILURE_SHOWN_S = 24 * 3600  # how long the page shows why the last install failed

# What each history entry's event and outcome (stored in English) mean, in the household's language.
EVENTS = {
    "installed": gettext_lazy("Installed"),
    "first-start": gettext_lazy("First start"),
    "marked-good": gettext_lazy("Kept: healthy"),
    "health-failed": gettext_lazy("Health check failed"),
    "rolled-back": gettext_lazy("Rolled back by itself"),
    "refused": gettext_lazy("Refused"),
    "install-failed": gettext_lazy("Install failed"),
    "rollback-requested": gettext_lazy("Going back, asked by the owner"),
}
OUTCOMES = {
    "restart to finish": gettext_lazy("restart to finish"),
    "on trial": gettext_lazy("on trial"),
    "good": gettext_lazy("good"),
    "failed": gettext_lazy("failed"),
    "rolled back": gettext_lazy("rolled back"),
    "refused": gettext_lazy("refused"),
}


def _when(text: str) -> datetime | str:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return text


def _history(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "at": _when(e.get("at", "")),
            "event": EVENTS.get(e.get("event", ""), e.get("event", "")),
            "version": e.get("version") or "",
            "slot": e.get("slot", ""),
            "outcome": OUTCOMES.get(e.get("outcome", ""), e.get("outcome", "")),
            "detail": e.get("detail", ""),
        }
        for e in entries
    ]


def _install_view(box: updates.Box, st: updates.Status) -> dict[str, Any] | None:
    """Return what the page says of the last install started from it, while it still matters."""
    job = update_install.read(box)
    if job is None:
        return None
    waiting = st.pending is not None and not st.pending.started_at and st.pending.version == job["version"]
    if job["state"] == "done" and not waiting:
        return None  # restarted since (or gone back): the slots and history say the rest
    if job["state"] == "failed" and job.get("updated", 0) < time.time() - FAILURE_SHOWN_S:
        return None  # an old failure: the history keeps it
    return {**job, "busy": job["state"] in ("starting", "running"), "waiting": waiting}


def _context(box: updates.Box, **extra: Any) -> dict[str, Any]:
    st = updates.status(box)
    pending = st.pending
    awaiting_restart = pending is not None and not pending.started_at
    on_trial = pending is not None and bool(pending.started_at) and pending.slot == st.slot
    return {
        "st": st,
        "ab": st.slot is not None,
        "build_date": _when(st.build_date) if st.build_date else "",
        "pending": pending,
        "pending_since": _when(pending.started_at) if pending and pending.started_at else "",
        "awaiting_restart": awaiting_restart,
        "on_trial": on_trial,
        "can_roll_back": st.slot is not None and st.other_version != "empty" and not awaiting_restart,
        "history": _history(st.history),
        "job": _install_view(box, st),
        "url_form": UrlForm(),
        "upload_form": UploadForm(),
        **extra,
    }


def _page(request: HttpRequest, box: updates.Box | None = None, status: int = 200, **extra: Any) -> HttpResponse:
    return render(request, "appliance/updates.html", _context(box or updates.Box.default(), **extra), status=status)


@owner_required
@require_GET
def updates_page(request: HttpRequest) -> HttpResponse:
    notes = {
        "started": _("The install started: its progress shows below."),
        "rollback": _("The previous version boots next: restart to finish."),
    }
    return _page(request, message=notes.get(request.GET.get("done", ""), ""))


@owner_required
@require_GET
def install_progress(request: HttpRequest) -> HttpResponse:
    box = updates.Box.default()
    st = updates.status(box)
    return render(request, "appliance/_update_progress.html", {"job": _install_view(box, st)})


def _refusal(box: updates.Box) -> str:
    if box.booted_slot() is None:
        return _("This box does not boot from A/B slots: nothing can be installed here.")
    if update_install.running(box):
        return _("An update is being installed already: wait for it to finish.")
    return ""


@owner_required
@require_POST
def install_from_url(request: HttpRequest) -> HttpResponse:
    box = updates.Box.default()
    form = UrlForm(request.POST)
    if not form.is_valid():
        return _page(request, box, url_form=form)
    refusal = _refusal(box)
    if not refusal:
        try:
            update_install.start(form.cleaned_data["url"], box)
        except update_install.Busy as exc:
            refusal = str(exc)
        else:
            return HttpResponseRedirect("/updates/?done=started")
    return _page(request, box, error=refusal, url_form=form)


@csrf_exempt  # the upload handler must be set before the body is read; CSRF is checked right after, below
@owner_required
@require_POST
def upload_bundle(request: HttpRequest) -> HttpResponse:
    box = updates.Box.default()
    refusal = _refusal(box)
    if refusal:
        return _page(request, box, error=refusal)  # before the body is read: nothing is written
    handler = BundleUpload(request, update_install.incoming(box))
    request.upload_handlers = [handler]
    return _take_upload(request, box, handler)


@csrf_protect
def _take_upload(request: HttpRequest, box: updates.Box, handler: BundleUpload) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if handler.refused:
        handler.discard()
        form.is_valid()
        form.errors["bundle"] = form.error_class(
            [_("%(name)s is not an update bundle: choose a .raucb file.") % {"name": handler.refused[:100]}]
        )
        return _page(request, box, upload_form=form)
    if not form.is_valid() or handler.part is None:
        handler.discard()
        return _page(request, box, upload_form=form)
    name = re.sub(r"[^A-Za-z0-9._+-]", "_", str(form.cleaned_data["bundle"].name).rsplit("/", 1)[-1])[:120]
    bundle = handler.part.with_name(name if name.endswith(".raucb") else f"{name}.raucb")
    form.cleaned_data["bundle"].close()
    handler.part.replace(bundle)
    try:
        update_install.start(str(bundle), box)
    except update_install.Busy as exc:
        bundle.unlink(missing_ok=True)
        return _page(request, box, error=str(exc))
    return HttpResponseRedirect("/updates/?done=started")


@owner_required
@require_POST
def restart(request: HttpRequest) -> HttpResponse:
    box = updates.Box.default()
    if box.booted_slot() is None:
        return _page(request, box, error=_("This box does not boot from A/B slots: restart it as you would any computer."))
    try:
        update_install.reboot()
    except updates.UpdateError as exc:
        return _page(request, box, error=str(exc))
    return render(request, "appliance/updates_restarting.html", {})


@owner_required
@require_POST
def rollback(request: HttpRequest) -> HttpResponse:
    box = updates.Box.default()
    st = updates.status(box)
    if st.slot is None:
        return _page(request, box, error=_("This box does not boot from A/B slots: there is no previous version to go back to."))
    if request.POST.get("confirm") != "yes":
        return _page(request, box, confirm_rollback=_rollback_preview(box, st))
    try:
        updates.request_rollback(box)
    except updates.UpdateError as exc:
        return _page(request, box, error=str(exc))
    return HttpResponseRedirect("/updates/?done=rollback")


def _rollback_preview(box: updates.Box, st: updates.Status) -> dict[str, Any]:
    """Return what going back would do to the database, checked before the owner confirms."""
    assert st.other_slot is not None
    recorded = updates.load_state(box).slots.get(st.other_slot, {}).get("migrations")
    preview: dict[str, Any] = {"version": st.other_version, "slot": st.other_slot, "recorded": recorded is not None}
    try:
        preview["reverse"] = updates.rollback_plan(dict(recorded)) if recorded is not None else []
        preview["refusal"] = ""
    except updates.UpdateError as exc:
        preview["reverse"], preview["refusal"] = [], str(exc)
    return preview
