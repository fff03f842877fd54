"""The dashboard: figures rendered now, then refreshed live over a websocket."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import dashboard, history
from ..services import notices
from .access import member_required


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send people to the dashboard (the first-boot middleware sends them to the wizard before)."""
    return HttpResponseRedirect("/dashboard/")


@member_required
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    context = {"f": dashboard.figures(), "history": history.history(), "fallbacks": dashboard.fallbacks(), "notices": notices.current(5)}
    return render(request, "appliance/dashboard.html", context)
