"""Who is acting in a request, for the record of settings changes (gateway.settings_audit)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

from . import settings_audit


def _who(request: HttpRequest) -> str:
    """Name whoever acts in this request; called only when a change is recorded."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return str(user.get_username())
    if request.path.startswith("/setup/"):
        return settings_audit.SETUP_WIZARD
    if request.path.startswith("/v1/"):
        return "a device (pairing)"  # a device collecting the key its pairing was approved for
    return "someone not signed in"


class RecordActor:
    """Name the request's member (or the setup wizard) as the actor of any settings change it makes.

    Async-capable, so the device API is not pushed through a thread; a sync view runs in a
    thread that inherits the context variable.
    """

    async_capable = True
    sync_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        # Set and reset by hand, not through settings_audit.acting: this runs on every
        # device request, and a generator-based context manager costs more than the rest.
        token = settings_audit.ACTOR.set(partial(_who, request))
        try:
            return self.get_response(request)
        finally:
            settings_audit.ACTOR.reset(token)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        token = settings_audit.ACTOR.set(partial(_who, request))
        try:
            response: Awaitable[HttpResponse] = self.get_response(request)
            return await response
        finally:
            settings_audit.ACTOR.reset(token)
