"""Providers and the household audit log."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from appliance.plumbing.versioned import VersionedQuerySet
from devices.choices import Tier
from devices.models import Device

from . import capabilities, crypto
from .choices import Family, Kind, Outcome


class ProviderQuerySet(VersionedQuerySet):
    version_name = "providers"  # the web process and the workers keep them (gateway.router, gateway.tasks)


class Provider(models.Model):
    """Somewhere a request can be answered: the home engine or an outside API."""

    name = models.SlugField(max_length=50, unique=True)
    family = models.CharField(max_length=20, choices=Family.choices, default=Family.OPENAI)
    tier = models.CharField(max_length=10, choices=Tier.choices)
    # Where this provider's key may go, and the only place requests for it are sent.
    base_url = models.URLField(max_length=300)
    api_key_encrypted = models.TextField(blank=True, editable=False)
    key_prefix = models.CharField(max_length=8, blank=True, editable=False)
    model_names = models.JSONField(default=list, help_text="Model names this provider serves; the first is its default.")
    # The trusted tier is defined by it: a trusted provider must have it recorded (clean), and
    # the router admits to that tier only providers that do (gateway.router.allowed).
    zero_data_retention = models.BooleanField(
        "zero data retention (contractual)", default=False, help_text="Its terms say it keeps no prompt and no answer."
    )
    zdr_terms_url = models.URLField("zero data retention terms", max_length=300, blank=True, help_text="Where its terms say so.")
    zdr_checked_on = models.DateField("terms checked on", null=True, blank=True, help_text="When the household last read them.")
    jurisdiction = models.CharField(max_length=40, blank=True, help_text="Where data is processed, e.g. EU, DE, US, home.")
    price_in_per_mtok = models.DecimalField("price in per million tokens", max_digits=10, decimal_places=4, default=Decimal(0))
    price_out_per_mtok = models.DecimalField("price out per million tokens", max_digits=10, decimal_places=4, default=Decimal(0))
    quality = models.PositiveSmallIntegerField(default=5, help_text="1 (weak) to 10 (best), the household's judgement.")
    first_byte_timeout = models.PositiveSmallIntegerField(
        "first-byte timeout (s)", default=60, help_text="Silence after which Hearth fails over to the next allowed provider."
    )
    # What its models can do beyond text; a request needing it goes only where it is there.
    takes_images = models.BooleanField(
        default=True, help_text="Its models accept images in messages (vision). The bundled home model does not."
    )
    forces_tool_calls = models.BooleanField(
        "honours tool_choice=required",
        default=True,
        help_text="It can be made to call one of several tools (tool_choice=required); llama.cpp's server cannot.",
    )
    model_caps = models.JSONField(
        "what each model can do",
        default=dict,
        blank=True,
        help_text='Per model: its context window and its quality (1-10) per task type, e.g. {"m": {"context": 32768, "quality": {"code": 7}}}.'
        " A task not listed has the provider's quality.",
    )
    enabled = models.BooleanField(default=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["tier", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zdr_recorded(self) -> bool:
        """Say whether its zero data retention is on record: the terms' address and when they were read."""
        if self.tier == Tier.HOME:
            return True  # nothing leaves the house
        return self.zero_data_retention and bool(self.zdr_terms_url) and self.zdr_checked_on is not None

    def model_capabilities(self) -> dict[str, capabilities.Caps]:
        """Return what each of its models can do ({} when the capabilities cannot be read)."""
        try:
            return capabilities.parse(self.model_caps, list(self.model_names or []))
        except capabilities.CapsError:
            return {}  # saved through the admin's validation; a hand-edited row counts as unknown

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.tier != Tier.HOME and self.zero_data_retention and not (self.zdr_terms_url and self.zdr_checked_on):
            errors["zdr_terms_url"] = "Record where the provider's terms promise zero data retention, and the date you read them."
        if self.tier == Tier.TRUSTED and not self.zero_data_retention:
            errors["zero_data_retention"] = (
                "A trusted provider must keep no data: tick zero data retention and record its terms, or make it a cloud provider."
            )
        try:
            capabilities.parse(self.model_caps, list(self.model_names or []))
        except capabilities.CapsError as exc:
            errors["model_caps"] = str(exc)
        if errors:
            raise ValidationError(errors)

    def set_api_key(self, key: str) -> None:
        self.api_key_encrypted = crypto.encrypt(key) if key else ""
        self.key_prefix = crypto.mask(key)

    def api_key(self) -> str:
        return crypto.decrypt(self.api_key_encrypted) if self.api_key_encrypted else ""


class AuditEvent(models.Model):
    """One request: who asked, where it went, how it ended. Never its text."""

    request_id = models.UUIDField(unique=True)
    created_at = models.DateTimeField()
    device = models.ForeignKey(Device, null=True, on_delete=models.SET_NULL, related_name="audit_events")
    device_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    model_requested = models.CharField(max_length=200)
    stream = models.BooleanField(default=False)
    allowed_tiers = models.JSONField(default=list)
    tier = models.CharField(max_length=10, choices=Tier.choices, blank=True)
    provider_name = models.CharField(max_length=50, blank=True)
    model_used = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    reason = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    ttft_ms = models.PositiveBigIntegerField(null=True, blank=True)
    total_ms = models.PositiveBigIntegerField(null=True, blank=True)  # a row sealed weeks later (an outage) outgrows 32 bits
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    cost = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal(0))
    completed_at = models.DateTimeField(null=True, blank=True)
    # What screening found: labels with confidences, how many values of each kind were
    # replaced by placeholders (never the values), people and faces in images.
    labels = models.JSONField(default=list, blank=True)
    redactions = models.JSONField(default=dict, blank=True)
    classifier_version = models.CharField(max_length=80, blank=True)
    people = models.PositiveSmallIntegerField(default=0)
    faces = models.PositiveSmallIntegerField(default=0)
    rule = models.CharField(max_length=80, blank=True, help_text="The household rule that decided.")
    explanation = models.CharField(max_length=500, blank=True)
    # Opt-in by a household rule, with a retention period; outside the hash chain so that
    # its deletion at the end of the period leaves the chain intact.
    prompt_text = models.TextField(blank=True)
    prompt_expires_at = models.DateTimeField(null=True, blank=True)
    screening_failed = models.CharField(max_length=200, blank=True, help_text="Why the request could not be screened (it was kept home).")
    # The hash chain: rows are sealed in the order they complete.
    chain_seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    row_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["outcome", "created_at"])]

    def __str__(self) -> str:
        return f"{self.device_name} {self.kind} {self.created_at:%Y-%m-%d %H:%M:%S}"

    CHAINED_FIELDS = (
        "request_id", "created_at", "device_name", "kind", "model_requested", "stream",
        "allowed_tiers", "tier", "provider_name", "model_used", "outcome", "reason", "attempts",
        "ttft_ms", "total_ms", "prompt_tokens", "completion_tokens", "cost", "completed_at",
        "labels", "redactions", "classifier_version", "people", "faces", "screening_failed", "rule", "explanation", "chain_seq",
    )  # fmt: skip

    def compute_hash(self, prev_hash: str) -> str:
        """Return the hash sealing this row onto the chain after `prev_hash`."""
        record: dict[str, Any] = {name: getattr(self, name) for name in self.CHAINED_FIELDS}
        record["prev_hash"] = prev_hash
        canonical = json.dumps(record, sort_keys=True, default=_canonical, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal("0.000001")), "f")
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


class ChainHead(models.Model):
    """An audit chain's last sealed row; locked while a row is sealed. pk 1: the requests', pk 2: the settings changes'."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)


class SettingsChange(models.Model):
    """One change of a household setting: when, who, what, which field, old and new value as shown.

    Written by gateway.settings_audit, never by hand. Values are text as the owner would read
    them; a secret (a provider's key, a device's key, a passphrase) or a household term's
    value is never one of them, only that it changed. Sealed onto a hash chain of its own
    (the ChainHead with pk SETTINGS_CHAIN): see gateway.settings_audit for why.
    """

    at = models.DateTimeField()
    actor = models.CharField(max_length=150, help_text="A member's username, console, setup wizard, Hearth (a worker) or a device.")
    kind = models.CharField(max_length=40, help_text="What was changed: household, provider, rule, device, member, ...")
    name = models.CharField(max_length=200, help_text="Which one: its name (a household term's label, never its value).")
    action = models.CharField(max_length=20)
    field = models.CharField(max_length=60, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    seq = models.PositiveBigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"{self.actor}: {self.kind} {self.name} {self.field or self.action}"

    CHAINED_FIELDS = ("at", "actor", "kind", "name", "action", "field", "old_value", "new_value", "seq")

    def compute_hash(self, prev_hash: str) -> str:
        """Return the hash sealing this row onto the settings chain after `prev_hash`."""
        record: dict[str, Any] = {name: getattr(self, name) for name in self.CHAINED_FIELDS}
        record["prev_hash"] = prev_hash
        canonical = json.dumps(record, sort_keys=True, default=_canonical, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


# The ChainHead row of the settings changes' chain (pk 1 is the requests').
SETTINGS_CHAIN = 2
