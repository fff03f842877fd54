"""Middleware of the box's pages: the first-boot redirect, the household's clock and language, the security headers.

All are async-capable so the device API (async views) is not pushed through a thread.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone, translation

from . import household

# Paths that work before the box has an owner: the device API, health, static files, the wizard.
OPEN_BEFORE_SETUP = ("/v1/", "/healthz", "/static/", "/setup/")
# Paths that show no times or words to a person: they skip reading the household's zone and
# language (the device API answers in English, as OpenAI's clients expect).
NO_CLOCK = ("/v1/", "/healthz", "/static/")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _exempt(path: str) -> bool:
    return path.startswith(OPEN_BEFORE_SETUP)


class _Middleware:
    """Works in both modes, so async views (the device API) are not pushed through a thread."""

    async_capable = True
    sync_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        raise NotImplementedError


class SetupRequired(_Middleware):
    """Until the box has an owner, every page leads to the setup wizard."""

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        if not _exempt(request.path) and not get_user_model().objects.filter(is_superuser=True).exists():
            return HttpResponseRedirect("/setup/")
        return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        if not _exempt(request.path) and not await get_user_model().objects.filter(is_superuser=True).aexists():
            return HttpResponseRedirect("/setup/")
        response: Awaitable[HttpResponse] = self.get_response(request)
        return await response


class HouseholdClock(_Middleware):
    """Show the box's pages in the household's time zone and language, not the server's."""

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        if request.path.startswith(NO_CLOCK):
            return self.get_response(request)
        local = household.current()
        # A thread serves one request after another: leave no zone or language behind for the next.
        with timezone.override(local.zone), translation.override(local.pages):
            request.LANGUAGE_CODE = translation.get_language()
            return _said_in(self.get_response(request))

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(NO_CLOCK):
            response: Awaitable[HttpResponse] = self.get_response(request)
            return await response
        local = await household.acurrent()
        with timezone.override(local.zone), translation.override(local.pages):
            request.LANGUAGE_CODE = translation.get_language()
            return _said_in(await self.get_response(request))


def _said_in(response: HttpResponse) -> HttpResponse:
    response.headers.setdefault("Content-Language", translation.get_language())
    return response


class SecurityHeaders(_Middleware):
    """Add a content security policy to every page (Django 5.2 has none built in)."""

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        return self._add(self.get_response(request))

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        return self._add(await self.get_response(request))

    @staticmethod
    def _add(response: HttpResponse) -> HttpResponse:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
