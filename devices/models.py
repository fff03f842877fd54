"""The device registry."""

from __future__ import annotations

from django.db import models

from .choices import Category, Tier


class Device(models.Model):
    """A device or app of the household that may call the box with its own key."""

    name = models.CharField(max_length=100, unique=True)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    # Private until proven otherwise: a new device may use the home tier only.
    max_tier = models.CharField("highest allowed tier", max_length=10, choices=Tier.choices, default=Tier.HOME)
    # SHA-256 of the key. Keys are 256 random bits, so a fast hash is enough and the
    # check is a single indexed lookup.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(max_length=16, editable=False, help_text="The key's first characters, to recognise it.")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
