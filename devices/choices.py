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
