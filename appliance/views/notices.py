"""The notices page: what the owner was told, where notices are sent, a test notice."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gateway import crypto

from ..forms import NoticeChannelForm
from ..models import Household, Notice
from ..services import channels, notices
from .access import member_required, owner_required


def _form(h: Household, data: dict[str, str] | None = None) -> NoticeChannelForm:
    initial = {
        "channel": h.notify_channel,
        "notify_url": h.notify_url,
        "ha_url": h.notify_ha_url,
        "ha_service": h.notify_ha_service,
        "smtp_host": h.notify_smtp_host,
        "smtp_port": h.notify_smtp_port,
        "smtp_security": h.notify_smtp_security,
        "smtp_user": h.notify_smtp_user,
        "smtp_from": h.notify_smtp_from,
        "smtp_to": h.notify_smtp_to,
    }
    return NoticeChannelForm(
        data,
        initial=initial,
        stored_ha_url=h.notify_ha_url,
        has_token=bool(h.notify_ha_token_encrypted),
        stored_smtp=(h.notify_smtp_host, h.notify_smtp_user),
        has_password=bool(h.notify_smtp_password_encrypted),
    )


def _mask(encrypted: str) -> str:
    """Return the shown prefix of a stored secret (never more), or '' when none is stored or it no longer decrypts."""
    if not encrypted:
        return ""
    try:
        return crypto.mask(crypto.decrypt(encrypted))
    except Exception:  # noqa: BLE001 - a key that changed: the owner types it again
        return _("stored (unreadable: type it again)")


def _page(request: HttpRequest, form: NoticeChannelForm | None = None) -> HttpResponse:
    h = Household.objects.get(pk=1)
    context = {
        "notices": notices.current(50),
        "told": Notice.objects.exclude(kind="test").filter(dismissed_at__isnull=False)[:20],
        "form": form or _form(h),
        "channel": channels.channel_of(h),
        "chosen": h.get_notify_channel_display(),
        "token_mask": _mask(h.notify_ha_token_encrypted),
        "password_mask": _mask(h.notify_smtp_password_encrypted),
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
    form = _form(Household.objects.get(pk=1), request.POST.dict())
    if not form.is_valid():
        return _page(request, form)
    d = form.cleaned_data
    notices.set_channel(
        notices.ChannelSettings(
            channel=d["channel"],
            url=d["notify_url"],
            ha_url=d["ha_url"],
            ha_token=d["ha_token"] or None,  # empty: keep the stored one
            ha_service=d["ha_service"],
            smtp_host=d["smtp_host"],
            smtp_port=d["smtp_port"],
            smtp_security=d["smtp_security"],
            smtp_user=d["smtp_user"],
            smtp_password=d["smtp_password"] or None,
            smtp_from=d["smtp_from"],
            smtp_to=d["smtp_to"],
        )
    )
    h = Household.objects.get(pk=1)
    chosen = channels.channel_of(h)
    if "test" in request.POST and chosen is not None:
        sent = notices.send_test(chosen)
        if sent.sent_at:
            messages.success(request, _("A test notice was sent."))
        else:
            # Translators: %(error)s is the notice's own words for what went wrong, e.g. "not delivered: HTTPStatusError".
            messages.error(request, _("The test notice was %(error)s.") % {"error": sent.send_error})
    elif chosen is None:
        messages.success(request, _("Notices are shown on the dashboard only."))
    else:
        messages.success(request, _("Saved."))
    return HttpResponseRedirect("/notices/")
