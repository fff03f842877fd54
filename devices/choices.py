"""Enumerations of the device registry."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    CAMERA = "camera", _("Camera")
    SPEAKER = "speaker", _("Speaker or voice assistant")
    VACUUM = "vacuum", _("Vacuum or robot")
    TV = "tv", _("TV")
    KIDS = "kids", _("Kids' device")
    LAPTOP = "laptop", _("Phone, laptop or app")
    APPLIANCE = "appliance", _("Appliance or sensor")
    OTHER = "other", _("Other")


class Tier(models.TextChoices):
    """Tiers of trust, most trusted first."""

    HOME = "home", _("Home (on the box)")
    TRUSTED = "trusted", _("Trusted provider")
    CLOUD = "cloud", _("Cloud provider")

    @property
    def rank(self) -> int:
        """Return 1 for home, 2 for trusted, 3 for cloud: higher is less trusted."""
        return TIER_RANK[self.value]


TIER_RANK = {"home": 1, "trusted": 2, "cloud": 3}


def tiers_up_to(highest: str) -> list[str]:
    """Return the tiers no less trusted than `highest`, most trusted first."""
    return [t for t, rank in TIER_RANK.items() if rank <= TIER_RANK[highest]]


class DiscoveryState(models.TextChoices):
    NEW = "new", _("New")
    IGNORED = "ignored", _("Ignored")
    PAIRED = "paired", _("Paired")
    # A second device claimed an identity already taken: shown to the owner, never merged.
    CONFLICT = "conflict", _("Conflict")


class DiscoverySource(models.TextChoices):
    MDNS = "mdns", _("mDNS / zeroconf")
    HOMEASSISTANT = "homeassistant", _("Home Assistant MQTT discovery")
    ZIGBEE2MQTT = "zigbee2mqtt", "zigbee2mqtt"
    TASMOTA = "tasmota", _("Tasmota discovery")


class PresenceState(models.TextChoices):
    HOME = "home", _("Someone is home")
    AWAY = "away", _("Everyone is away")
    UNKNOWN = "unknown", _("Unknown")
