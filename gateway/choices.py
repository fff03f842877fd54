"""Enumerations of the request path."""

from django.db import models


class Family(models.TextChoices):
    """API families; one adapter each."""

    OPENAI = "openai", "OpenAI-compatible"
    ANTHROPIC = "anthropic", "Anthropic Messages"


class Kind(models.TextChoices):
    CHAT = "chat", "Chat completion"
    COMPLETION = "completion", "Text completion"
    EMBEDDING = "embedding", "Embedding"


class Outcome(models.TextChoices):
    PENDING = "pending", "In progress"
    OK = "ok", "Answered"
    REFUSED = "refused", "No allowed provider"
    BLOCKED = "blocked", "Blocked by a rule"
    UPSTREAM_ERROR = "upstream_error", "Provider failed"
    REJECTED = "rejected", "Provider rejected the request"
    FAILED_MIDSTREAM = "failed_midstream", "Provider failed mid-answer"
    INTERRUPTED = "interrupted", "Worker lost mid-answer"
    CANCELLED = "cancelled", "Client went away"
    ABANDONED = "abandoned", "Never completed"
    DEAD_LETTERED = "dead_lettered", "Stopped its worker each time"
