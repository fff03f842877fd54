"""The dashboard: figures rendered now, then refreshed live over a websocket."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import dashboard, history, load
from ..services import notices
from .access import member_required


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send people to the dashboard (the first-boot middleware sends them to the wizard before)."""
    return HttpResponseRedirect("/dashboard/")


RANGES = (7, 14, 30)  # days of history the dashboard offers: a week, two, a month


@member_required
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    asked = request.GET.get("days", "")
    days = int(asked) if asked.isdigit() and int(asked) in RANGES else 14  # an unknown range shows the usual two weeks
    context = {
        "f": dashboard.figures(), "history": history.history(days), "fallbacks": dashboard.fallbacks(days), "notices": notices.current(5),
        "ranges": RANGES, "days": days, "load": load.chart(), "load_week": load.week_peaks(),
    }  # fmt: skip
    return render(request, "appliance/dashboard.html", context)
