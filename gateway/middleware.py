"""Who is acting in a request, for the record of settings changes (gateway.settings_audit)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

from . import settings_audit


def _who(request: HttpRequest) -> Callable[[], str]:
    """Return how to name whoever acts in this request, read only when a change is recorded."""

    def name() -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return str(user.get_username())
        if request.path.startswith("/setup/"):
            return settings_audit.SETUP_WIZARD
        if request.path.startswith("/v1/"):
            return "a device (pairing)"  # a device collecting the key its pairing was approved for
        return "someone not signed in"

    return name


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
        with settings_audit.acting(_who(request)):
            return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        with settings_audit.acting(_who(request)):
            response: Awaitable[HttpResponse] = self.get_response(request)
            return await response
