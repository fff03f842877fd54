"""The device registry."""

from __future__ import annotations

from django.db import models

from appliance.plumbing.versioned import VersionedQuerySet

from .choices import Category, DiscoverySource, DiscoveryState, PresenceState, Tier


class DeviceQuerySet(VersionedQuerySet):
    version_name = "devices"  # the web process keeps the active devices (devices.services.authenticate)


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

    objects = DeviceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class DiscoveredDevice(models.Model):
    """A device seen on the network, keyed by a stable identity (MAC, unique id, serial), never by address.

    Every string here was supplied by the device: it is data, escaped wherever shown.
    """

    identity = models.CharField(max_length=200, help_text="MAC, unique id or serial the device reported.")
    identity_kind = models.CharField(max_length=20)
    kind = models.CharField("device kind", max_length=30)
    source = models.CharField(max_length=20, choices=DiscoverySource.choices)
    name = models.CharField(max_length=100, blank=True)
    maker = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=100, blank=True)
    address = models.CharField(max_length=100, blank=True)
    service_type = models.CharField(max_length=100, blank=True)
    details = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=DiscoveryState.choices, default=DiscoveryState.NEW)
    conflicts_with = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="conflicts")
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="discoveries")
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    sightings = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-last_seen"]
        constraints = [
            # One owner of an identity; claimants beyond it are kept as separate rows pointing
            # at it (conflict, or ignored once the owner has seen them).
            models.UniqueConstraint(fields=["identity"], condition=models.Q(conflicts_with__isnull=True), name="discovered_identity_owner"),
        ]

    def __str__(self) -> str:
        return self.name or self.identity


class PairingRequest(models.Model):
    """A device asking to be paired: the owner matches its short code and approves; the
    device then collects its key once. The key is issued at collection, never stored."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)  # SHA-256 of the pairing id
    code = models.CharField(max_length=7, help_text="Shown by the device and here: approve only if they match.")
    name = models.CharField(max_length=100, help_text="The name the device asked for (device-supplied).")
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    denied_at = models.DateTimeField(null=True, blank=True)
    collected_at = models.DateTimeField(null=True, blank=True)
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="pairings")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class MqttAccount(models.Model):
    """A device's own broker account; its username is also its topic level (hearth/<username>/...)."""

    device = models.OneToOneField(Device, on_delete=models.CASCADE, related_name="mqtt")
    username = models.CharField(max_length=63, unique=True, editable=False)
    password_hash = models.CharField(max_length=200, editable=False)  # mosquitto's $7$ PBKDF2-SHA512
    # A phone or home-automation hub that reports whether anyone is home.
    publishes_presence = models.BooleanField(default=False, help_text="May publish the household's presence topic.")
    # A hub (zigbee2mqtt, Tasmota, a Home Assistant bridge) that announces the devices behind it.
    publishes_discovery = models.BooleanField(
        default=False, help_text="May publish MQTT discovery (Home Assistant, zigbee2mqtt, Tasmota topics)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "MQTT account"

    def __str__(self) -> str:
        return self.username


class Presence(models.Model):
    """Whether anyone is home (one row): what the presence source last said, and the
    owner's override, which wins until the owner clears it."""

    state = models.CharField(max_length=10, choices=PresenceState.choices, default=PresenceState.UNKNOWN)
    source = models.CharField(max_length=200, blank=True, help_text="Where the state came from, e.g. mqtt:<topic>.")
    updated_at = models.DateTimeField(null=True, blank=True)
    override = models.CharField(
        max_length=10,
        choices=[(PresenceState.HOME, PresenceState.HOME.label), (PresenceState.AWAY, PresenceState.AWAY.label)],
        blank=True,
        help_text="Set by the owner; the rules use it instead of the presence source until it is cleared.",
    )
    override_by = models.CharField(max_length=150, blank=True)
    override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "household presence"

    def __str__(self) -> str:
        return self.override or self.state
