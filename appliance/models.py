"""The box's own state: the household's settings, login throttling, audit checkpoints."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from appliance.plumbing.versioned import VersionedQuerySet
from policies import priorities


class Privacy(models.TextChoices):
    FULL = "full", _("Full metadata")
    NO_DEVICE_NAMES = "no_names", _("Without device names")
    COUNTS_ONLY = "counts", _("Counts only")


class NoticeChannel(models.TextChoices):
    WEBHOOK = "webhook", _("A webhook or an ntfy topic")
    HOME_ASSISTANT = "home_assistant", _("Home Assistant's notify service")
    EMAIL = "email", _("E-mail")


class SmtpSecurity(models.TextChoices):
    STARTTLS = "starttls", _("STARTTLS (usually port 587)")
    TLS = "tls", _("TLS from the start (usually port 465)")


class HouseholdQuerySet(VersionedQuerySet):
    version_name = "household"  # every process keeps the privacy level (gateway.services)


class Household(models.Model):
    """The household's settings; one row (pk 1), made when the box is claimed."""

    name = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64, default="UTC")
    language = models.CharField(max_length=10, default="en")
    # ISO 4217 code that prices and budgets are shown in (asked in the wizard).
    currency = models.CharField(max_length=3, default="USD")
    # Where notices are also sent, as JSON (a webhook, or an ntfy topic's URL); empty: the dashboard only.
    notify_url = models.URLField(blank=True, max_length=300)
    # Which channel notices are sent through; each keeps its settings while another is chosen.
    notify_channel = models.CharField(max_length=20, choices=NoticeChannel.choices, default=NoticeChannel.WEBHOOK)
    # Home Assistant: POST {url}/api/services/notify/{service} with a long-lived access token (encrypted at rest).
    notify_ha_url = models.URLField(blank=True, max_length=300)
    notify_ha_token_encrypted = models.TextField(blank=True)
    notify_ha_service = models.CharField(max_length=100, blank=True)
    # E-mail through the household's SMTP server; the password encrypted at rest.
    notify_smtp_host = models.CharField(max_length=255, blank=True)
    notify_smtp_port = models.PositiveIntegerField(default=587)
    notify_smtp_security = models.CharField(max_length=10, choices=SmtpSecurity.choices, default=SmtpSecurity.STARTTLS)
    notify_smtp_user = models.CharField(max_length=255, blank=True)
    notify_smtp_password_encrypted = models.TextField(blank=True)
    notify_smtp_from = models.EmailField(blank=True)
    notify_smtp_to = models.CharField(max_length=500, blank=True, help_text="Comma-separated addresses.")
    # 0: keep audit rows forever.
    audit_retention_days = models.PositiveIntegerField(default=0)
    privacy = models.CharField(max_length=10, choices=Privacy.choices, default=Privacy.FULL)
    # How the router ranks the providers the rules allow (policies.priorities), and where
    # data may be processed per tier outside the house: {"trusted": {"allow": ["EU"]}, ...}.
    priority = models.CharField(max_length=20, choices=priorities.CHOICES, default=priorities.DEFAULT_PRESET)
    jurisdictions = models.JSONField(default=dict, blank=True)
    claimed_at = models.DateTimeField(auto_now_add=True)
    setup_finished_at = models.DateTimeField(null=True, blank=True)
    # Backups: the key derived from the owner's passphrase (encrypted at rest, so scheduled
    # backups run unattended; a restore asks for the passphrase itself) and its salt.
    backup_key_encrypted = models.TextField(blank=True)
    backup_salt = models.CharField(max_length=64, blank=True)
    backup_every_hours = models.PositiveIntegerField(default=24)  # 0: only when asked
    backup_keep = models.PositiveIntegerField(default=7)
    last_backup_at = models.DateTimeField(null=True, blank=True)

    objects = HouseholdQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name


class LoginFailure(models.Model):
    """A failed sign-in (or setup-code) attempt, counted per account and address together."""

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField()
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "address", "at"])]


class SecondFactor(models.Model):
    """An account's TOTP secret, encrypted at rest."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="second_factor")
    secret_encrypted = models.TextField()
    confirmed = models.BooleanField(default=False)


class AuditCheckpoint(models.Model):
    """Where the audit chain continues after old rows were purged: the last purged row's seq and hash."""

    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    purged = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-seq"]


class Notice(models.Model):
    """Something the owner is told about: on the dashboard, and sent to the household's channel.

    Never a prompt, an answer, a key or a personal-data value: names of devices, providers
    and rules, and counts.
    """

    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=200, unique=True, help_text="The same condition is told once.")
    title = models.CharField(max_length=200)
    detail = models.CharField(max_length=500, blank=True)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    dismissed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class LoadSample(models.Model):
    """The home GPU's load and the home queue, sampled every minute (appliance.load); kept a week."""

    at = models.DateTimeField(db_index=True)
    gpu_percent = models.PositiveSmallIntegerField(null=True)  # the busiest GPU; None: no NVIDIA GPU read
    vram_used_mib = models.PositiveIntegerField(null=True)  # over all GPUs
    home_queue = models.PositiveIntegerField(null=True)  # requests waiting for the home engine; None: Redis did not answer

    class Meta:
        ordering = ["at"]
