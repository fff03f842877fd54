"""Backups: the passphrase and schedule, making one now, downloading, restoring."""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ..forms import BackupPassphraseForm, BackupScheduleForm, FirstBootRestoreForm, RestoreForm
from ..models import Household
from ..services import accounts, backups
from ..services import setup as setup_service
from .access import account_of, owner_required
from .setup import render_claim


def _page(request: HttpRequest, **context: object) -> HttpResponse:
    household = Household.objects.filter(pk=1).first()
    defaults: dict[str, object] = {
        "household": household,
        "backups": backups.listing(),
        "schedule": backups.schedule(),
        "passphrase_form": BackupPassphraseForm(),
        "schedule_form": BackupScheduleForm(
            initial={"every_hours": household.backup_every_hours if household else 24, "keep": household.backup_keep if household else 7}
        ),
        "restore_form": RestoreForm(),
    }
    return render(request, "appliance/backups.html", {**defaults, **context})


@owner_required
@require_GET
def backups_page(request: HttpRequest) -> HttpResponse:
    return _page(request, message=_("Backup written.") if request.GET.get("done") == "1" else "")


@owner_required
@require_POST
def backup_passphrase(request: HttpRequest) -> HttpResponse:
    form = BackupPassphraseForm(request.POST)
    if form.is_valid():
        try:
            backups.set_passphrase(form.cleaned_data["passphrase"], account_of(request))
        except backups.BackupError as exc:
            form.add_error("passphrase", str(exc))
        else:
            return HttpResponseRedirect("/backups/")
    return _page(request, passphrase_form=form)


@owner_required
@require_POST
def backup_schedule(request: HttpRequest) -> HttpResponse:
    form = BackupScheduleForm(request.POST)
    if form.is_valid():
        backups.set_schedule(form.cleaned_data["every_hours"], form.cleaned_data["keep"])
        return HttpResponseRedirect("/backups/")
    return _page(request, schedule_form=form)


@owner_required
@require_POST
def backup_now(request: HttpRequest) -> HttpResponse:
    try:
        backups.make_backup()
    except backups.BackupError as exc:
        return _page(request, error=str(exc))
    return HttpResponseRedirect("/backups/?done=1")


@owner_required
@require_GET
def backup_download(request: HttpRequest, name: str) -> FileResponse:
    path = backups.path_of(name)
    if path is None:
        raise Http404("No such backup.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="application/octet-stream")


@owner_required
@require_POST
def backup_restore(request: HttpRequest) -> HttpResponse:
    form = RestoreForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, restore_form=form)
    try:
        restored = backups.restore(form.cleaned_data["file"].read(), form.cleaned_data["passphrase"])
    except backups.BackupError as exc:
        form.add_error(None, str(exc))
        return _page(request, restore_form=form)
    # The accounts are the backup's now: sign in again with one of them.
    logout(request)
    return render(request, "appliance/restored.html", {"restored": restored})


@require_POST
def first_boot_restore(request: HttpRequest) -> HttpResponse:
    """Restore a backup instead of setting up anew: before the box has an owner, with the setup code."""
    if setup_service.has_owner():
        return HttpResponseRedirect("/login/")
    form = FirstBootRestoreForm(request.POST, request.FILES)
    error = ""
    if form.is_valid():
        try:
            restored = setup_service.restore_box(
                form.cleaned_data["code"],
                form.cleaned_data["file"].read(),
                form.cleaned_data["passphrase"],
                accounts.client_address(request),
            )
        except (setup_service.ClaimRefused, backups.BackupError) as exc:
            error = str(exc)
        else:
            return render(request, "appliance/restored.html", {"restored": restored})
    return render_claim(request, restore_form=form, restore_error=error)
