"""Claiming the box and the wizard's steps: household, providers, rules, devices."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from devices import services as device_services
from gateway.models import Provider
from gateway.providers import ProviderConfig, UpstreamError, adapter_for
from gateway.services import home_provider_name
from policies import services as rule_services
from policies import terms
from policies.models import HouseholdTerm

from .. import engine, hardware, setupcode
from ..models import Household
from ..store import active
from ..store.catalogue import CatalogueError
from ..store.fetch import FetchError
from . import accounts, backups


class ClaimRefused(Exception):
    """The box could not be claimed; the message says why, for the person at the browser."""


def has_owner() -> bool:
    return get_user_model().objects.filter(is_superuser=True).exists()


def household() -> Household | None:
    return Household.objects.filter(pk=1).first()


@dataclass(frozen=True)
class Claim:
    code: str
    username: str
    password: str
    household: str
    time_zone: str
    language: str
    currency: str = "USD"


def _check_code(code: str, address: str) -> None:
    if accounts.throttled("setup-code", address):
        raise ClaimRefused(_("Too many wrong setup codes from this address; wait a few minutes."))
    if not setupcode.matches(code):
        accounts.record_failure("setup-code", address)
        raise ClaimRefused(_("That is not the setup code shown on the box's console."))


def claim_box(claim: Claim, address: str) -> User:
    """Make the owner account and the household, once, for whoever holds the setup code."""
    _check_code(claim.code, address)
    user_model = get_user_model()
    owner = user_model(username=claim.username, is_staff=True, is_superuser=True)
    try:
        validate_password(claim.password, owner)
    except ValidationError as exc:
        raise ClaimRefused(" ".join(exc.messages)) from None
    owner.set_password(claim.password)
    with transaction.atomic():
        if user_model.objects.filter(is_superuser=True).exists():
            raise ClaimRefused(_("This box already has an owner."))
        owner.save()
        Household.objects.update_or_create(
            pk=1,
            defaults={
                "name": claim.household,
                "time_zone": claim.time_zone,
                "language": claim.language,
                "currency": claim.currency or "USD",
            },
        )
    return owner


def restore_box(code: str, blob: bytes, passphrase: str, address: str) -> backups.Restored:
    """Bring back a household from its backup instead of setting up anew (needs the setup code)."""
    _check_code(code, address)
    if has_owner():
        raise ClaimRefused(_("This box already has an owner."))
    return backups.restore(blob, passphrase)


@dataclass(frozen=True)
class NewProvider:
    name: str
    tier: str
    family: str
    base_url: str
    key: str
    model: str
    zero_data_retention: bool
    jurisdiction: str
    price_in_per_mtok: Decimal
    price_out_per_mtok: Decimal
    zdr_terms_url: str = ""
    zdr_checked_on: dt.date | None = None


def add_provider(new: NewProvider) -> Provider:
    """Add a trusted or cloud provider; its key is stored encrypted."""
    provider = Provider(
        name=new.name,
        tier=new.tier,
        family=new.family,
        base_url=new.base_url,
        model_names=[new.model] if new.model else [],
        zero_data_retention=new.zero_data_retention,
        zdr_terms_url=new.zdr_terms_url,
        zdr_checked_on=new.zdr_checked_on,
        jurisdiction=new.jurisdiction.strip(),
        price_in_per_mtok=new.price_in_per_mtok,
        price_out_per_mtok=new.price_out_per_mtok,
    )
    provider.set_api_key(new.key)
    provider.full_clean()
    provider.save()
    return provider


@dataclass(frozen=True)
class KeyCheck:
    ok: bool
    message: str
    models: tuple[str, ...] = ()


def check_key(provider: Provider, wait: float = 15.0) -> KeyCheck:
    """Check a provider's key by listing its models, which costs nothing."""
    config = ProviderConfig(
        provider.pk,
        provider.name,
        provider.family,
        provider.tier,
        provider.base_url,
        provider.api_key(),
        tuple(provider.model_names),
        provider.price_in_per_mtok,
        provider.price_out_per_mtok,
        10.0,
    )

    async def listing() -> list[str]:
        async with httpx.AsyncClient() as client:
            return await asyncio.wait_for(adapter_for(config, client).list_models(), wait)

    try:
        models = asyncio.run(listing())
    except UpstreamError as exc:
        return KeyCheck(False, _("The key did not work: %(reason)s.") % {"reason": exc.message})
    except TimeoutError:
        seconds = round(wait)
        return KeyCheck(
            False, ngettext("The provider did not answer within %(n)d second.", "The provider did not answer within %(n)d seconds.", seconds)
            % {"n": seconds},
        )  # fmt: skip
    listed = ngettext("The key works: the provider lists %(n)d model.", "The key works: the provider lists %(n)d models.", len(models))
    return KeyCheck(True, listed % {"n": len(models)}, tuple(models[:20]))


@dataclass(frozen=True)
class EngineStatus:
    ready: bool
    engine: str
    model: str
    message: str
    starting: bool = False  # worth asking again in a moment
    role: str = active.CHAT  # the chat engine's, or the embeddings engine's (appliance.store.active)


@dataclass(frozen=True)
class HomeModel:
    """What the home engine serves, and what would fit this box's hardware."""

    fits: hardware.ModelChoice
    served: engine.Served | None  # None: the engine has no model to start with
    served_as: hardware.ModelChoice | None  # the table's entry for the served model, when it is one
    problem: str = ""
    embeddings: str = ""  # the embeddings model's title and version, when one of its own makes them
    embeddings_name: str = ""  # the name devices ask it for

    @property
    def serves_the_fit(self) -> bool:
        return self.served is not None and self.fits.is_file(self.served.file)


def home_model(found: hardware.Hardware) -> HomeModel:
    """Say which model the home engine serves, beside the one the table picks for this hardware."""
    fits = hardware.recommend_for(found)
    try:
        served = engine.served()
    except engine.EngineUnavailable as exc:
        return HomeModel(fits, None, None, _("The home engine has no model to serve: %(reason)s.") % {"reason": exc})
    return HomeModel(fits, served, hardware.known(served.file), "", *_embeddings_model())


def _embeddings_model() -> tuple[str, str]:
    """Return the home embeddings model's title and version, and its name, or two "" when the chat model makes them."""
    try:
        models = hardware.catalogue()
        chosen = active.chosen(models, active.EMBEDDINGS)
    except (FetchError, CatalogueError, KeyError, ValueError):
        return "", ""  # the engine does not start it either: the chat model makes them
    if chosen is None:
        return "", ""
    return f"{models.get(chosen.entry).title} ({chosen.quantization})", chosen.entry


def engine_status(role: str = active.CHAT) -> EngineStatus:
    """Say whether the home engine in a role answers yet, and what it is doing (it loads its model first)."""
    engine_name = engine.engine_name()
    try:
        model = Path(engine.model_path(role=role)).name
    except engine.EngineUnavailable as exc:
        reason = {"reason": exc}
        if role == active.EMBEDDINGS:
            return EngineStatus(False, engine_name, "", _("The embeddings engine cannot start: %(reason)s.") % reason, role=role)
        return EngineStatus(False, engine_name, "", _("The home engine cannot start: %(reason)s.") % reason)
    home = Provider.objects.filter(name=home_provider_name(role)).first()
    if home is None:
        return EngineStatus(False, engine_name, model, _("The home engine is not set up yet (run the migrations)."), role=role)
    check = check_key(home, wait=3.0)
    if check.ok:
        ready = _("Ready: serving %(models)s.") % {"models": ", ".join(check.models) or model}
        return EngineStatus(True, engine_name, model, ready, role=role)
    starting = _("Starting: loading the model into memory. This page follows along.")
    return EngineStatus(False, engine_name, model, starting, starting=True, role=role)


def remove_provider(provider_id: int) -> None:
    Provider.objects.filter(pk=provider_id).exclude(tier="home").delete()


def apply_rule_preset(name: str) -> int:
    """Replace the household's rules with a preset; return how many rules it has."""
    tiers = set(Provider.objects.filter(enabled=True).values_list("tier", flat=True))
    return len(rule_services.apply_preset(name, tiers))


def household_terms() -> list[HouseholdTerm]:
    """Return the household's private terms, for the wizard to list."""
    return list(HouseholdTerm.objects.all())


def add_household_term(label: str, value: str, owner: AbstractBaseUser | AnonymousUser) -> HouseholdTerm:
    """Add a private term (raises ValidationError); screening looks for it from the next request on."""
    return terms.add_term(label, value, owner if isinstance(owner, AbstractBaseUser) else None)


def remove_household_term(term_id: int, owner: AbstractBaseUser | AnonymousUser) -> None:
    """Remove a private term."""
    terms.remove_term(term_id, owner if isinstance(owner, AbstractBaseUser) else None)


def add_device(name: str, category: str, max_tier: str) -> device_services.IssuedKey:
    """Add a device by hand; its key is shown once."""
    return device_services.add_device(name, category, max_tier)


def finish_setup(backup_passphrase: str = "", owner: User | None = None, *, skip_backups: bool = False) -> None:
    """Finish the wizard with a backup passphrase, or, when the owner says so, without backups for now.

    Raises backups.BackupError, and finishes nothing, for a weak passphrase or none at all.
    """
    if backup_passphrase:
        backups.set_passphrase(backup_passphrase, owner)
    elif not skip_backups and not Household.objects.filter(pk=1).exclude(backup_key_encrypted="").exists():
        raise backups.BackupError(_("Type a backup passphrase twice, or skip backups for now."))
    Household.objects.filter(pk=1, setup_finished_at__isnull=True).update(setup_finished_at=timezone.now())
