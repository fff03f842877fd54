"""The providers page: presets, the providers in words (terms, health, this month's spend and
fallbacks), adding and changing one, and the household's priorities and limits."""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import redis
import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from devices.choices import Tier
from gateway.capabilities import CapsError
from gateway.capabilities import parse as parse_caps
from gateway.models import AuditEvent, Provider
from gateway.router import state_key
from policies import priorities
from policies.priorities import LimitError, Priorities

from ..dashboard import FELL_BACK, fell_back_from
from ..household import currency, money
from ..models import Household
from ..rules_words import in_sentence, jurisdictions_in_words, tier_word
from . import notices

PRESETS_FILE = Path(__file__).resolve().parent.parent / "provider_presets.yaml"
# Names a home network gives its machines: a server there may have no key at all.
HOME_SUFFIXES = (".local", ".lan", ".home", ".home.arpa", ".internal", ".localdomain")


# --- presets -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    """A provider the form can be filled with: its address, what its terms say, a tier to start from."""

    name: str
    title: str
    base_url: str
    family: str
    tier: str
    jurisdiction: str
    model: str
    needs_key: bool
    retention: str
    terms_url: str
    routing: str = ""
    price_currency: str = ""
    price_in: Decimal = Decimal(0)
    price_out: Decimal = Decimal(0)
    quality: int = 5
    takes_images: bool = True
    forces_tool_calls: bool = True

    def initial(self, household_currency: str) -> dict[str, Any]:
        """Return the form's answers for this preset (zero data retention never ticked: the owner does)."""
        same_money = self.price_currency == household_currency
        return {
            "preset": self.name,
            "name": self.name,
            "tier": self.tier,
            "family": self.family,
            "base_url": self.base_url,
            "models": self.model,
            "jurisdiction": self.jurisdiction,
            "zdr_terms_url": self.terms_url,
            "price_in_per_mtok": self.price_in if same_money else Decimal(0),
            "price_out_per_mtok": self.price_out if same_money else Decimal(0),
            "quality": self.quality,
            "takes_images": self.takes_images,
            "forces_tool_calls": self.forces_tool_calls,
            "cap0_model": self.model,
        }

    @property
    def list_price(self) -> str:
        if not self.price_currency:
            return ""
        prices = {"price_in": money(self.price_in, self.price_currency), "price_out": money(self.price_out, self.price_currency)}
        return _("%(price_in)s in, %(price_out)s out per million tokens") % prices


@functools.cache
def presets() -> dict[str, Preset]:
    """Return the presets of appliance/provider_presets.yaml, in the file's order."""
    raw = yaml.safe_load(PRESETS_FILE.read_text(encoding="utf-8")) or {}
    found: dict[str, Preset] = {}
    for name, spec in raw.items():
        spec = dict(spec)
        for price in ("price_in", "price_out"):
            spec[price] = Decimal(str(spec.get(price, 0)))
        found[str(name)] = Preset(name=str(name), **spec)
    return found


def on_home_network(url: str) -> bool:
    """Say whether a base URL names a machine on the home network (a LAN server may need no key)."""
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return False
    if host == "localhost" or host.endswith(HOME_SUFFIXES) or "." not in host:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local


# --- the providers in words --------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    state: str  # ok, failing, quiet (nothing heard lately), off, unknown (Redis does not answer)
    words: str


@dataclass(frozen=True)
class ModelLine:
    name: str
    default: bool
    words: str


@dataclass(frozen=True)
class Tally:
    n: int
    href: str


@dataclass(frozen=True)
class Row:
    """One provider as the page lists it."""

    provider: Provider
    tier_words: str
    jurisdiction_words: str
    limited: list[str]  # the household's limits that rule it out, in the router's words
    zdr: str  # recorded, missing (trusted without: NOT used), none (cloud without), home
    models: list[ModelLine]
    prices: str
    health: Health
    spend: str
    spend_href: str
    did_not_answer: Tally  # requests that fell back from it this month
    answered_instead: Tally  # requests it answered after another did not
    routing: str = ""  # what its preset says about a routing setting of its own (OpenRouter's)

    @property
    def unused(self) -> bool:
        return self.zdr == "missing" or bool(self.limited) or not self.provider.enabled


TIER_WORDS = {
    "home": gettext_lazy("Home: on this box, nothing leaves the house"),
    "trusted": gettext_lazy("Trusted: zero data retention, a jurisdiction the household accepts"),
    "cloud": gettext_lazy("Cloud: generic requests, personal data replaced before they leave"),
}
# The household's limits per tier, as the page says them.
LIMITS_WORDS = {
    "trusted": gettext_lazy("Trusted providers: %(limits)s."),
    "cloud": gettext_lazy("Cloud providers: %(limits)s."),
}


def household_priorities() -> tuple[Household | None, Priorities | None]:
    """Return the household and its priorities as the router reads them (None: unreadable limits)."""
    row = Household.objects.filter(pk=1).first()
    if row is None:
        return None, priorities.DEFAULT_PRIORITIES
    try:
        return row, Priorities.of(row.priority, row.jurisdictions)
    except LimitError:
        return row, None


def month_start() -> dt.datetime:
    """Return midnight of the first of this month on the household's clock."""
    return timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def audit_link(**query: str) -> str:
    return "/audit/?" + urlencode(query)


def _models(p: Provider) -> list[ModelLine]:
    try:
        caps = parse_caps(p.model_caps, list(p.model_names or []))
    except CapsError:
        caps = {}
    lines = []
    for i, name in enumerate(p.model_names or []):
        c = caps.get(name)
        parts = []
        if c is not None and c.context:
            parts.append(_("%(n)s tokens of context") % {"n": formats.number_format(c.context, force_grouping=True)})
        if c is not None and c.quality:
            # Translators: a model's quality per kind of task: "quality code 8, chat 6" (the tasks are ids).
            parts.append(_("quality %(scores)s") % {"scores": ", ".join(f"{task} {score}" for task, score in c.quality.items())})
        if parts:
            rest = _("quality %(quality)s for every other task") % {"quality": p.quality}
        else:
            rest = _("quality %(quality)s for every task; context window not recorded") % {"quality": p.quality}
        lines.append(ModelLine(name, i == 0, "; ".join([*parts, rest])))
    return lines


def _health(p: Provider, client: redis.Redis | None, now: float) -> Health:
    if not p.enabled:
        return Health("off", _("Turned off: no request goes to it."))
    if client is None:
        return Health("unknown", _("Health unknown: the box's Redis does not answer."))
    try:
        raw: dict[bytes, bytes] = client.hgetall(state_key(p.pk))  # type: ignore[assignment]
    except redis.RedisError:
        return Health("unknown", _("Health unknown: the box's Redis does not answer."))
    state = {k.decode(): float(v) for k, v in raw.items() if _number(v)}
    since = notices.outage_start(state, now)
    if state.get("fail_until", 0.0) > now or since is not None:
        if since is not None:
            failing = _("Failing since %(time)s: requests fall back to the next provider the rules allow.") % {"time": _clock(since)}
        else:
            failing = _("Failing just now: requests fall back to the next provider the rules allow.")
        return Health("failing", failing)
    if state.get("ewma_ms"):
        ms = f"{state['ewma_ms']:,.0f}"
        return Health("ok", _("Answering: first token in about %(ms)s ms (recent average).") % {"ms": ms})
    if state.get("answered_at"):
        return Health("ok", _("Answering: its free health check answered at %(time)s.") % {"time": _clock(state["answered_at"])})
    return Health("quiet", _("Nothing heard from it in the last hour."))


def _number(value: bytes) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _clock(epoch: float) -> str:
    return timezone.localtime(dt.datetime.fromtimestamp(epoch, dt.UTC)).strftime("%H:%M")


def _redis() -> redis.Redis | None:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1)
        client.ping()
    except redis.RedisError:
        return None
    return client


def _fallbacks(names: list[str], since: dt.datetime) -> dict[str, int]:
    """Count this month's requests that fell back from each provider (it did not answer first)."""
    counts = dict.fromkeys(names, 0)
    reasons = AuditEvent.objects.filter(created_at__gte=since, reason__startswith=FELL_BACK).values_list("reason", flat=True)
    for reason in reasons[:20_000]:
        for name in set(fell_back_from(reason)):
            if name in counts:
                counts[name] += 1
    return counts


def rows() -> list[Row]:
    """Return every provider in words, the home engine first."""
    providers = list(Provider.objects.all())
    _household, chosen = household_priorities()
    code = currency()
    since = month_start()
    first_day = since.date().isoformat()
    spent = dict(
        AuditEvent.objects.filter(created_at__gte=since).exclude(provider_name="").values_list("provider_name").annotate(s=Sum("cost"))
    )
    answered = dict(
        AuditEvent.objects.filter(created_at__gte=since, reason__startswith=FELL_BACK).values_list("provider_name").annotate(n=Count("id"))
    )
    missed = _fallbacks([p.name for p in providers], since)
    client = _redis()
    now = time.time()
    found = []
    for p in providers:
        found.append(
            Row(
                provider=p,
                tier_words=str(TIER_WORDS.get(p.tier, p.tier)),
                jurisdiction_words=_where(p),
                limited=_limited(p, chosen),
                zdr=_zdr(p),
                models=_models(p),
                prices=_prices(p, code),
                health=_health(p, client, now),
                spend=money(spent.get(p.name) or Decimal(0), code),
                spend_href=audit_link(provider=p.name, since=first_day),
                did_not_answer=Tally(missed[p.name], audit_link(since=first_day, q=p.name)),
                answered_instead=Tally(int(answered.get(p.name) or 0), audit_link(provider=p.name, since=first_day, q=FELL_BACK)),
                routing=presets()[p.name].routing if p.name in presets() else "",
            )
        )
    return found


def _where(p: Provider) -> str:
    if p.tier == Tier.HOME:
        return _("In the house")
    if p.jurisdiction.strip():
        return _("Processes data in %(where)s") % {"where": p.jurisdiction}
    return _("Where it processes data is not recorded")


def _limited(p: Provider, chosen: Priorities | None) -> list[str]:
    if p.tier == Tier.HOME:
        return []
    if chosen is None:
        return [_("the household's jurisdiction limits cannot be read, so nothing leaves the house until they are set again")]
    limits = chosen.tiers.get(p.tier)
    refused = limits.refuses(p.jurisdiction) if limits else ""
    if not (limits and refused):
        return []
    # Translators: why a provider is not used: "it is in US, which is denied (the household keeps trusted requests never in US)".
    said = _("%(why)s (the household keeps %(tier)s requests %(limits)s)")
    return [said % {"why": refused, "tier": tier_word(p.tier), "limits": jurisdictions_in_words(limits)}]


def _zdr(p: Provider) -> str:
    if p.tier == Tier.HOME:
        return "home"
    if p.zdr_recorded:
        return "recorded"
    return "missing" if p.tier == Tier.TRUSTED else "none"


def _prices(p: Provider, code: str) -> str:
    if p.tier == Tier.HOME:
        return _("Free: it runs on this box")
    if not p.price_in_per_mtok and not p.price_out_per_mtok:
        return _("No price recorded (counted as free)")
    prices = {"price_in": money(p.price_in_per_mtok, code), "price_out": money(p.price_out_per_mtok, code)}
    return _("%(price_in)s in, %(price_out)s out per million tokens") % prices


def priorities_in_words() -> list[str]:
    """Return the household's priority and its limits per tier, as sentences."""
    _household, chosen = household_priorities()
    if chosen is None:
        return [_("The jurisdiction limits cannot be read: nothing leaves the house until they are set again below.")]
    lines = [_("When several providers may answer: %(choice)s.") % {"choice": in_sentence(str(chosen.choice.label))}]
    for tier in priorities.OUTSIDE:
        limits = chosen.tiers.get(tier)
        # Translators: where providers of a tier may process data, or "anywhere".
        where = jurisdictions_in_words(limits) if limits else _("anywhere")
        lines.append(LIMITS_WORDS[tier] % {"limits": where} if tier in LIMITS_WORDS else f"{tier.capitalize()} providers: {where}.")
    return lines


# --- changes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderAnswers:
    """What the owner typed for a trusted or cloud provider."""

    name: str
    tier: str
    family: str
    base_url: str
    key: str  # empty when changing: keep the key it has
    models: list[str]
    zero_data_retention: bool
    zdr_terms_url: str
    zdr_checked_on: dt.date | None
    jurisdiction: str
    price_in_per_mtok: Decimal
    price_out_per_mtok: Decimal
    quality: int
    first_byte_timeout: int
    takes_images: bool
    forces_tool_calls: bool
    model_caps: Mapping[str, Any] = field(default_factory=dict)


def _fill(p: Provider, a: ProviderAnswers) -> None:
    p.name, p.tier, p.family, p.base_url = a.name, a.tier, a.family, a.base_url
    p.model_names = list(a.models)
    p.zero_data_retention, p.zdr_terms_url, p.zdr_checked_on = a.zero_data_retention, a.zdr_terms_url, a.zdr_checked_on
    p.jurisdiction = a.jurisdiction.strip().upper()
    p.price_in_per_mtok, p.price_out_per_mtok = a.price_in_per_mtok, a.price_out_per_mtok
    p.quality, p.first_byte_timeout = a.quality, a.first_byte_timeout
    p.takes_images, p.forces_tool_calls = a.takes_images, a.forces_tool_calls
    p.model_caps = dict(a.model_caps)


def add(a: ProviderAnswers) -> Provider:
    """Add a trusted or cloud provider (raises ValidationError); its key is stored encrypted."""
    if a.tier == Tier.HOME:
        raise ValidationError({"tier": _("The home tier is the box's own engine.")})
    if not a.key and not on_home_network(a.base_url):
        raise ValidationError({"key": _("A provider on the internet needs its API key.")})
    provider = Provider()
    _fill(provider, a)
    provider.set_api_key(a.key)
    provider.full_clean()
    provider.save()
    return provider


def change(provider_id: int, a: ProviderAnswers) -> Provider:
    """Change a trusted or cloud provider (raises ValidationError); an empty key keeps its key."""
    with transaction.atomic():
        provider: Provider = Provider.objects.select_for_update().exclude(tier=Tier.HOME).get(pk=provider_id)
        moved = provider.base_url != a.base_url
        if moved and provider.api_key_encrypted and not a.key:
            # The key may go only where it was given for: a new address gets it only when typed again.
            raise ValidationError({"key": _("The base URL changed: type the key again, so the old key is never sent to a new address.")})
        _fill(provider, a)
        if a.key:
            provider.set_api_key(a.key)
        provider.full_clean()
        provider.save()
    return provider


def set_enabled(provider_id: int, enabled: bool) -> Provider:
    """Turn a trusted or cloud provider on or off; the router reads it at once."""
    provider: Provider = Provider.objects.exclude(tier=Tier.HOME).get(pk=provider_id)
    provider.enabled = enabled
    provider.save(update_fields=["enabled"])
    return provider


def remove(provider_id: int) -> str:
    """Remove a trusted or cloud provider and its key; return its name."""
    provider: Provider = Provider.objects.exclude(tier=Tier.HOME).get(pk=provider_id)
    provider.delete()
    return str(provider.name)


def set_priorities(priority: str, tiers: Mapping[str, Any]) -> None:
    """Store the household's priority and its limits per tier (raises LimitError), through the
    model's save: the versioned caches tell every process, and the settings record notes it."""
    if priority not in priorities.PRESETS:
        raise LimitError(_("there is no priority called %(name)s") % {"name": priority})
    priorities.parse_tiers(tiers)
    household = Household.objects.get(pk=1)
    household.priority = priority
    household.jurisdictions = dict(tiers)
    household.save(update_fields=["priority", "jurisdictions"])
