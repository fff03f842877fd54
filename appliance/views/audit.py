"""The household audit log: table, detail, export, settings, verification; and the settings changes."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from gateway import audit, settings_audit
from gateway.models import AuditEvent, SettingsChange

from .. import household
from ..forms import AuditFilterForm, AuditSettingsForm
from ..models import Household, Privacy
from .access import member_required, owner_required


def _filter(request: HttpRequest) -> tuple[AuditFilterForm, audit.AuditFilter]:
    form = AuditFilterForm(request.GET, language=household.current().language)
    if not form.is_valid():
        return form, audit.AuditFilter()
    d = form.cleaned_data
    return form, audit.AuditFilter(d["device"], d["tier"], d["provider"], d["label"], d["outcome"], d["since"], d["until"], d["q"])


def _settings_log(request: HttpRequest) -> HttpResponse:
    """The settings changes: who changed what, from what to what, newest first (all of them: they are few)."""
    page = Paginator(SettingsChange.objects.order_by("-seq"), 50).get_page(request.GET.get("page"))
    names = audit.privacy() == Privacy.FULL
    changes = [settings_audit.as_shown(c, names) for c in page]
    return render(request, "appliance/audit/settings_changes.html", {"page": page, "changes": changes})


@member_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    if request.GET.get("log") == "settings":
        return _settings_log(request)
    form, f = _filter(request)
    level = audit.privacy()
    rows = audit.find(f)
    household = Household.objects.filter(pk=1).first()
    context: dict[str, object] = {
        "form": form,
        "level": level,
        "level_words": Privacy(level).label if level in Privacy.values else level,
        "choices": audit.choices(),
        "query": request.GET.urlencode(),
        "settings_form": AuditSettingsForm(
            initial={"retention_days": household.audit_retention_days if household else 0, "privacy": level}
        ),
        "checkpoint": audit.checkpoint(),
        "latest_changes": [settings_audit.as_shown(c, level == Privacy.FULL) for c in SettingsChange.objects.order_by("-seq")[:5]],
    }
    if level == Privacy.COUNTS_ONLY:
        context["summary"] = audit.summary(rows)
    else:
        context["page"] = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "appliance/audit/log.html", context)


@member_required
@require_GET
def audit_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    level = audit.privacy()
    if level == Privacy.COUNTS_ONLY:
        return HttpResponseRedirect("/audit/")
    event = get_object_or_404(AuditEvent, pk=event_id)
    return render(request, "appliance/audit/detail.html", {"e": event, "level": level})


@member_required
@require_GET
def audit_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response: StreamingHttpResponse
    if request.GET.get("log") == "settings":
        changes, zone = SettingsChange.objects.order_by("seq"), household.current().zone  # streamed after the request's zone is gone
        names = audit.privacy() == Privacy.FULL
        if fmt == "json":
            response = StreamingHttpResponse(settings_audit.export_json(changes, zone, names), content_type="application/json")
        else:
            response = StreamingHttpResponse(settings_audit.export_csv(changes, zone, names), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="hearth-settings-changes-{stamp}.{fmt}"'
        return response
    _, f = _filter(request)
    rows = audit.find(f)
    level = audit.privacy()
    if fmt == "json":
        response = StreamingHttpResponse(audit.export_json(rows, level), content_type="application/json")
    else:
        response = StreamingHttpResponse(audit.export_csv(rows, level), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="hearth-audit-{stamp}.{fmt}"'
    return response


@owner_required
@require_POST
def audit_settings(request: HttpRequest) -> HttpResponse:
    form = AuditSettingsForm(request.POST)
    if form.is_valid():
        audit.update_settings(form.cleaned_data["retention_days"], form.cleaned_data["privacy"])
    return HttpResponseRedirect("/audit/")


@member_required
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Recompute the chain (reads only; POST because it is an action that takes a while)."""
    report = audit.verify()
    context = {"report": report, "checkpoint": audit.checkpoint(), "settings_report": settings_audit.verify()}
    return render(request, "appliance/audit/_verify.html", context)


@member_required
@require_GET
def audit_checkpoint(request: HttpRequest) -> HttpResponse:
    record = audit.head_record()
    response = HttpResponse(json.dumps(record, indent=1) + "\n", content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="hearth-chain-{record["seq"]}.json"'
    return response
