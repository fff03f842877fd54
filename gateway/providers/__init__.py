"""Provider adapters, one per API family."""

from __future__ import annotations

import httpx

from ..choices import Family
from .anthropic import AnthropicAdapter
from .base import Adapter, ProviderConfig, UpstreamError
from .openai import OpenAIAdapter

ADAPTERS: dict[str, type[Adapter]] = {Family.OPENAI: OpenAIAdapter, Family.ANTHROPIC: AnthropicAdapter}


def adapter_for(config: ProviderConfig, client: httpx.AsyncClient) -> Adapter:
    """Return the adapter speaking this provider's API family."""
    return ADAPTERS[config.family](config, client)


__all__ = ["Adapter", "ProviderConfig", "UpstreamError", "adapter_for"]
