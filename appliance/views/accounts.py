"""Signing in and out, household members, the second factor."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.contrib.auth import get_user_model, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ..forms import CodeForm, MemberForm, SignInForm
from ..models import SecondFactor
from ..services import accounts
from .access import member_required, owner_required

MESSAGES = {
    accounts.SignIn.WRONG: gettext_lazy("That user name and password (or code) do not match."),
    accounts.SignIn.THROTTLED: gettext_lazy("Too many failed sign-ins for this account from this address; wait a few minutes."),
    accounts.SignIn.NEEDS_CODE: gettext_lazy("Enter the code from your authenticator app."),
}


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    error, needs_code = "", False
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        result = accounts.sign_in(request, d["username"], d["password"], d["code"])
        if result is accounts.SignIn.OK:
            return HttpResponseRedirect(next_url)
        error, needs_code = str(MESSAGES[result]), result is accounts.SignIn.NEEDS_CODE
    return render(request, "appliance/login.html", {"form": form, "error": error, "needs_code": needs_code, "next": next_url})


def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """Send Django admin's own sign-in to the box's, the one with the throttle and the second factor."""
    next_url = request.GET.get("next") or "/admin/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "/admin/"
    # Whatever was posted here is never checked: a password alone must not open the admin.
    return HttpResponseRedirect("/login/?" + urlencode({"next": next_url}))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect("/login/")


@owner_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.add_member(form.cleaned_data["username"], form.cleaned_data["password"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return HttpResponseRedirect("/members/")
    people = get_user_model().objects.order_by("-is_superuser", "username")
    return render(request, "appliance/members.html", {"form": form, "people": people})


@owner_required
@require_POST
def remove_member(request: HttpRequest, user_id: int) -> HttpResponse:
    accounts.remove_member(user_id)
    return HttpResponseRedirect("/members/")


@member_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own account: the TOTP second factor."""
    factor = SecondFactor.objects.filter(user_id=int(request.user.pk or 0)).first()
    context: dict[str, object] = {"factor": factor, "form": CodeForm()}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start":
            uri = accounts.start_second_factor(request.user)  # type: ignore[arg-type]
            context.update(uri_qr=segno.make(uri).svg_data_uri(scale=4), secret=uri.split("secret=")[1].split("&")[0])
        elif action == "confirm":
            form = CodeForm(request.POST)
            ok = form.is_valid() and accounts.confirm_second_factor(request.user, form.cleaned_data["code"])  # type: ignore[arg-type]
            context["message"] = _("The second factor is on.") if ok else _("That code did not match; start again.")
        elif action == "remove":
            accounts.remove_second_factor(request.user)  # type: ignore[arg-type]
        context["factor"] = SecondFactor.objects.filter(user_id=int(request.user.pk or 0)).first()
    return render(request, "appliance/account.html", context)
