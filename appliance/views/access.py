"""Who may see what: owners change things, household members read."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

View = Callable[..., HttpResponse | StreamingHttpResponse]


def member_required(view: View) -> View:
    """Signed-in household members and the owner."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse | StreamingHttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def owner_required(view: View) -> View:
    """The owner only; a member gets 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse | StreamingHttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_superuser:
            raise PermissionDenied(_("Only the box's owner may change this."))
        return view(request, *args, **kwargs)

    return wrapped


def account_of(request: HttpRequest) -> User:
    """Return the signed-in account (in a view behind member_required or owner_required)."""
    assert isinstance(request.user, User), "only for views that require a signed-in account"
    return request.user
