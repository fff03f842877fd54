"""Start-up checks: misconfiguration fails loudly, not on the first request."""

from __future__ import annotations

from typing import Any

import redis
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.database, deploy=False)
def redis_reachable(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Fail when Redis, the broker and relay, does not answer."""
    if not kwargs.get("databases"):
        return []  # only with `check --database default` and on migrate
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return [Error(f"Redis at {settings.REDIS_URL} does not answer: {type(exc).__name__}", id="hearth.E001")]
    return []


@register(Tags.security, deploy=True)
def production_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn about settings that must not reach a household's box."""
    problems: list[CheckMessage] = []
    if "*" in settings.ALLOWED_HOSTS:
        problems.append(Error("HEARTH_ALLOWED_HOSTS must not contain '*': the Host check stops DNS rebinding.", id="hearth.E002"))
    if settings.HEARTH_HOME_ENGINE not in {"llamacpp", "vllm"}:
        problems.append(Error("HEARTH_HOME_ENGINE must be llamacpp or vllm.", id="hearth.E003"))
    if settings.DEBUG:
        problems.append(Warning("HEARTH_DEBUG is on.", id="hearth.W001"))
    return problems
