"""The household's clock and language: the zone its pages show times in, how it types dates."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils import formats

from .models import Household

ISO_DATE = "%Y-%m-%d"


@dataclass(frozen=True)
class Local:
    zone: zoneinfo.ZoneInfo
    language: str

    @property
    def pages(self) -> str:
        """Return the language the box's pages are shown in: the household's, or English if untranslated."""
        return self.language if self.language in dict(settings.LANGUAGES) else "en"


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    """Return a time zone by name; the box's default zone for a name this system does not know."""
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        # A zone the wizard offered may be gone after a tzdata update; UTC beats a broken page.
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _local(row: tuple[str, str] | None) -> Local:
    zone, language = row or ("", "")
    return Local(zone_of(zone), language or "en")


def current() -> Local:
    """Return the household's zone and language (the box's defaults until it is claimed)."""
    return _local(Household.objects.filter(pk=1).values_list("time_zone", "language").first())


async def acurrent() -> Local:
    """Return the household's zone and language, from an event loop."""
    return _local(await Household.objects.filter(pk=1).values_list("time_zone", "language").afirst())


# The currencies the wizard offers: what the providers bill in and the households most use.
CURRENCIES: list[tuple[str, str]] = [
    ("USD", "US dollar ($)"),
    ("EUR", "Euro (€)"),
    ("GBP", "Pound sterling (£)"),
    ("CHF", "Swiss franc (CHF)"),
    ("CAD", "Canadian dollar (CA$)"),
    ("AUD", "Australian dollar (A$)"),
    ("JPY", "Japanese yen (¥)"),
    ("SEK", "Swedish krona (kr)"),
    ("NOK", "Norwegian krone (kr)"),
    ("DKK", "Danish krone (kr)"),
    ("PLN", "Polish złoty (zł)"),
]
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}


def currency() -> str:
    """Return the household's currency code (USD until it is claimed)."""
    return Household.objects.filter(pk=1).values_list("currency", flat=True).first() or "USD"


def money(amount: object, code: str) -> str:
    """Return an amount with its currency, as the household's pages show it ("€ 1.25", "CHF 1.25")."""
    symbol = SYMBOLS.get(code)
    value = f"{float(str(amount)):,.2f}"
    return f"{symbol}{value}" if symbol else f"{code} {value}"


def date_input_formats(language: str) -> list[str]:
    """Return the ways a date is typed in this language, the usual one first; an ISO date always works."""
    found = [str(f) for f in formats.get_format("DATE_INPUT_FORMATS", lang=language)]
    return found if ISO_DATE in found else [*found, ISO_DATE]


def date_placeholder(language: str) -> str:
    """Return the usual way of typing a date in this language, spelled out (dd.mm.yyyy)."""
    return date_input_formats(language)[0].replace("%d", "dd").replace("%m", "mm").replace("%Y", "yyyy").replace("%y", "yy")
