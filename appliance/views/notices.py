"""The notices page: what the owner was told, where notices are sent, a test notice."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from ..models import Household, Notice
from ..services import notices
from .access import member_required, owner_required


class ChannelForm(forms.Form):
    notify_url = forms.URLField(
        required=False,
        max_length=300,
        assume_scheme="https",
        label="Send notices to (a webhook or an ntfy topic's URL; empty: the dashboard only)",
    )


def _page(request: HttpRequest, form: ChannelForm | None = None) -> HttpResponse:
    url = Household.objects.filter(pk=1).values_list("notify_url", flat=True).first() or ""
    context = {
        "notices": notices.current(50),
        "told": Notice.objects.exclude(kind="test").filter(dismissed_at__isnull=False)[:20],
        "form": form or ChannelForm(initial={"notify_url": url}),
        "channel": url,
        "can_change": request.user.is_superuser,
    }
    return render(request, "appliance/notices.html", context)


@member_required
@require_GET
def notices_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@owner_required
@require_POST
def dismiss(request: HttpRequest, notice_id: int) -> HttpResponse:
    notices.dismiss(notice_id)
    # Back to the dashboard when dismissed there; no other address is taken from the form.
    return HttpResponseRedirect("/dashboard/" if request.POST.get("back") == "/dashboard/" else "/notices/")


@owner_required
@require_POST
def channel(request: HttpRequest) -> HttpResponse:
    """Set where notices are sent; "send a test" sends one there at once."""
    form = ChannelForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    url = form.cleaned_data["notify_url"]
    notices.set_channel(url)
    if "test" in request.POST and url:
        sent = notices.send_test(url)
        if sent.sent_at:
            messages.success(request, "A test notice was sent.")
        else:
            messages.error(request, f"The test notice was {sent.send_error}.")
    else:
        messages.success(request, "Saved." if url else "Notices are shown on the dashboard only.")
    return HttpResponseRedirect("/notices/")
