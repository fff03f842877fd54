"""Enumerations of the device registry."""

from django.db import models


class Category(models.TextChoices):
    CAMERA = "camera", "Camera"
    SPEAKER = "speaker", "Speaker or voice assistant"
    VACUUM = "vacuum", "Vacuum or robot"
    TV = "tv", "TV"
    KIDS = "kids", "Kids' device"
    LAPTOP = "laptop", "Phone, laptop or app"
    APPLIANCE = "appliance", "Appliance or sensor"
    OTHER = "other", "Other"


class Tier(models.TextChoices):
    """Tiers of trust, most trusted first."""

    HOME = "home", "Home (on the box)"
    TRUSTED = "trusted", "Trusted provider"
    CLOUD = "cloud", "Cloud provider"

    @property
    def rank(self) -> int:
        """Return 1 for home, 2 for trusted, 3 for cloud: higher is less trusted."""
        return TIER_RANK[self.value]


TIER_RANK = {"home": 1, "trusted": 2, "cloud": 3}


def tiers_up_to(highest: str) -> list[str]:
    """Return the tiers no less trusted than `highest`, most trusted first."""
    return [t for t, rank in TIER_RANK.items() if rank <= TIER_RANK[highest]]


class DiscoveryState(models.TextChoices):
    NEW = "new", "New"
    IGNORED = "ignored", "Ignored"
    PAIRED = "paired", "Paired"
    # A second device claimed an identity already taken: shown to the owner, never merged.
    CONFLICT = "conflict", "Conflict"


class DiscoverySource(models.TextChoices):
    MDNS = "mdns", "mDNS / zeroconf"
    HOMEASSISTANT = "homeassistant", "Home Assistant MQTT discovery"
    ZIGBEE2MQTT = "zigbee2mqtt", "zigbee2mqtt"
    TASMOTA = "tasmota", "Tasmota discovery"


class PresenceState(models.TextChoices):
    HOME = "home", "Someone is home"
    AWAY = "away", "Everyone is away"
    UNKNOWN = "unknown", "Unknown"
