"""Enumerations of the request path."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Family(models.TextChoices):
    """API families; one adapter each."""

    OPENAI = "openai", _("OpenAI-compatible")
    ANTHROPIC = "anthropic", _("Anthropic Messages")


class Kind(models.TextChoices):
    CHAT = "chat", _("Chat completion")
    COMPLETION = "completion", _("Text completion")
    EMBEDDING = "embedding", _("Embedding")


class Outcome(models.TextChoices):
    PENDING = "pending", _("In progress")
    OK = "ok", _("Answered")
    REFUSED = "refused", _("No allowed provider")
    BLOCKED = "blocked", _("Blocked by a rule")
    UPSTREAM_ERROR = "upstream_error", _("Provider failed")
    REJECTED = "rejected", _("Provider rejected the request")
    FAILED_MIDSTREAM = "failed_midstream", _("Provider failed mid-answer")
    INTERRUPTED = "interrupted", _("Worker lost mid-answer")
    CANCELLED = "cancelled", _("Client went away")
    ABANDONED = "abandoned", _("Never completed")
    DEAD_LETTERED = "dead_lettered", _("Stopped its worker each time")
