"""Notices: what the owner is told, found by looking at the box's state, each told once.

Run on a schedule (appliance.tasks.check_notices). A notice names devices, providers and
rules and gives counts; never a prompt, an answer, a key or a personal-data value.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from devices.choices import DiscoveryState
from devices.models import DiscoveredDevice
from gateway import audit, crypto, router, worker
from gateway.models import AuditEvent, Provider
from gateway.router import state_key
from policies.models import HouseholdRule

from .. import household
from ..models import Household, Notice, SmtpSecurity
from ..rules_words import tier_word
from ..store import asked as store_asked
from .channels import SEND_ERRORS, Channel, channel_of

log = logging.getLogger(__name__)
# gateway.choices.Outcome.DEAD_LETTERED: a request whose task stopped its worker each time it was delivered.
SET_ASIDE = "dead_lettered"


@dataclass(frozen=True)
class Found:
    kind: str
    key: str
    title: str
    detail: str = ""
    link: str = ""


def outage_start(state: dict[str, float], now: float) -> float | None:
    """Return when a provider's outage began, from its health state, while it lasts; else None.

    It lasts while its failures keep coming (gateway.worker writes down_since at the first
    one and removes it at the first answer, of a request or of the health probe).
    """
    since = state.get("down_since", 0.0)
    last_failure = state.get("fail_until", 0.0) - worker.FAIL_SECONDS
    if not since or now - last_failure > worker.DOWN_GAP_SECONDS:
        return None
    return since


def _told_outage(provider: Provider) -> int | None:
    """Return the start of the provider's latest outage the owner was told about."""
    told = Notice.objects.filter(kind="provider_down", key__startswith=f"provider-down:{provider.pk}:")
    latest = told.order_by("-created_at", "-id").values_list("key", flat=True).first()
    return int(latest.rsplit(":", 1)[1]) if latest else None


def _providers_down(now: dt.datetime) -> Iterator[Found]:
    zone = household.current().zone
    minutes = settings.HEARTH_PROVIDER_DOWN_MINUTES
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1)
        providers = list(Provider.objects.filter(enabled=True).exclude(tier="home"))
        rows: list[dict[bytes, bytes]] = [client.hgetall(state_key(p.pk)) for p in providers]  # type: ignore[misc]
    except redis.RedisError:
        return  # nothing known: neither down nor back
    health = router.parsed_health([p.pk for p in providers], rows)
    for p in providers:
        state = health[p.pk]
        link = "/audit/?" + urlencode({"q": p.name})  # its name is in the reason of every row that fell back from it
        since = outage_start(state, now.timestamp())
        if since is not None and now.timestamp() - since >= minutes * 60:
            began = timezone.localtime(dt.datetime.fromtimestamp(since, dt.UTC), zone)
            yield Found(
                "provider_down",
                f"provider-down:{p.pk}:{round(since)}",  # told once an outage, however long it lasts
                _("Provider %(provider)s is down") % {"provider": p.name},
                _(
                    "It has not answered since %(since)s (%(minutes)s minutes). Requests fall back to other %(tier)s providers"
                    " or a more trusted tier, never a less trusted one."
                )
                % {"since": f"{began:%Y-%m-%d %H:%M}", "minutes": f"{(now.timestamp() - since) // 60:.0f}", "tier": tier_word(p.tier)},
                link,
            )
        told = _told_outage(p)
        # Over once it answered; a new outage after that answer is told on its own.
        if told is not None and (since is None or round(since) != told) and state.get("answered_at", 0.0) >= told:
            began = timezone.localtime(dt.datetime.fromtimestamp(told, dt.UTC), zone)
            yield Found(
                "provider_up",
                f"provider-up:{p.pk}:{told}",
                _("Provider %(provider)s answers again") % {"provider": p.name},
                _("It was down from %(since)s; requests may go to it again.") % {"since": f"{began:%Y-%m-%d %H:%M}"},
                link,
            )


def _trusted_without_terms() -> Iterator[Found]:
    # A trusted provider saved before its terms were asked for (an upgraded box) is left
    # unused by the router until they are recorded: the owner must hear why.
    for p in Provider.objects.filter(enabled=True, tier="trusted"):
        if not p.zdr_recorded:
            yield Found(
                "provider_terms",
                f"terms:{p.pk}",
                _("Provider %(provider)s is not used: its zero data retention is not on record") % {"provider": p.name},
                _("A trusted provider is used only once the address of its terms and the date you read them are recorded."),
                "/providers/",
            )


def _budgets(now: dt.datetime) -> Iterator[Found]:
    zone = household.current().zone
    month = timezone.localtime(now, zone).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    outside = AuditEvent.objects.filter(created_at__gte=month, tier__in=["trusted", "cloud"])
    # As the decision counts it (policies.decision): the device's whole spend outside the home this month.
    spent = {r["device_name"]: float(r["total"] or 0) for r in outside.values("device_name").annotate(total=Sum("cost"))}
    code = household.currency()
    for rule in HouseholdRule.objects.filter(enabled=True):
        budget = float((rule.actions or {}).get("monthly_budget") or 0)
        if budget <= 0:
            continue
        under = set(AuditEvent.objects.filter(created_at__gte=month, rule=rule.name).values_list("device_name", flat=True))
        for device in sorted(under):
            share = spent.get(device, 0.0) / budget
            mark = 100 if share >= 1 else 80 if share >= 0.8 else 0
            if not mark:
                continue
            amounts = {"spent": household.money(spent[device], code), "budget": household.money(budget, code), "rule": rule.name}
            yield Found(
                "budget",
                f"budget:{rule.pk}:{device}:{month:%Y-%m}:{mark}",
                _("%(device)s has used %(percent)d %% of its monthly budget") % {"device": device, "percent": mark},
                (
                    _("%(spent)s of %(budget)s under the rule '%(rule)s': its requests now stay home until next month.")
                    if mark == 100
                    else _("%(spent)s of %(budget)s under the rule '%(rule)s'.")
                )
                % amounts,
                "/rules/",
            )


def _found_devices() -> Iterator[Found]:
    for d in DiscoveredDevice.objects.filter(state=DiscoveryState.NEW)[:50]:
        yield Found(
            "device_found",
            f"found:{d.pk}",
            _("A new device is on the network: %(device)s") % {"device": d.name or d.kind},
            _("%(kind)s, seen by %(source)s.") % {"kind": d.kind, "source": d.get_source_display()},
            "/setup/devices/",
        )


def _backups(now: dt.datetime) -> Iterator[Found]:
    h = Household.objects.filter(pk=1).first()
    if h is None or h.setup_finished_at is None:
        return
    if not h.backup_key_encrypted:
        yield Found(
            "backup", "backup:none", _("Backups are not set up"), _("No backup is made until a backup passphrase is set."), "/backups/"
        )
        return
    if h.backup_every_hours == 0:
        return
    since = h.last_backup_at or h.setup_finished_at
    # The scheduler looks every quarter hour: twice the period plus that is late, not merely due.
    if now - since > dt.timedelta(hours=2 * h.backup_every_hours, minutes=15):
        yield Found(
            "backup",
            f"backup:late:{now:%Y-%m-%d}",
            _("The scheduled backup did not run"),
            _("The last backup was never made; the box's logs say why.")
            if h.last_backup_at is None
            else _("The last backup was %(when)s; the box's logs say why.") % {"when": f"{h.last_backup_at:%Y-%m-%d %H:%M}"},
            "/backups/",
        )


def _chain(now: dt.datetime) -> Iterator[Found]:
    report = audit.verify()
    if report.first_bad is not None or report.problem:
        yield Found(
            "audit_chain",
            f"chain:{now:%Y-%m-%d}",
            _("The audit log's chain does not verify"),
            report.problem or _("A row was changed or removed after it was written."),
            "/audit/",
        )


def _poison() -> Iterator[Found]:
    for e in AuditEvent.objects.filter(outcome=SET_ASIDE).order_by("-created_at")[:20]:
        yield Found(
            "poison",
            f"poison:{e.pk}",
            _("A request from %(device)s was set aside") % {"device": e.device_name},
            _("It stopped its worker each time it was tried, so it is no longer retried."),
            f"/audit/{e.pk}/",
        )


def _models_asked(now: dt.datetime) -> Iterator[Found]:
    """A device asked for a model nobody serves that the store can fetch: told once per model a day."""
    zone = household.current().zone
    for a in store_asked.recent(now.timestamp() - 86400):
        day = timezone.localtime(dt.datetime.fromtimestamp(a.at, dt.UTC), zone)
        asked = {"device": a.device, "model": a.asked}
        title = (
            _("Device %(device)s asked for model %(model)s, which is in the store but not served")
            if a.in_store
            else _("Device %(device)s asked for model %(model)s, which the store can fetch")
        ) % asked
        yield Found(
            "model_asked",
            f"model-asked:{a.entry}:{day:%Y-%m-%d}",
            title[:200],
            _(
                "It was refused as a model this box does not serve (%(time)s). The store page marks it, with its Fetch button"
                " (or Serve it) if it fits this box; devices then ask for it as '%(name)s'."
            )
            % {"time": f"{day:%H:%M}", "name": settings.HEARTH_HOME_MODEL_NAME},
            store_asked.store_link(a.entry),
        )


def find(now: dt.datetime | None = None, *, chain: bool = True) -> list[Found]:
    """Return every condition the owner should be told about now (told before or not).

    `chain`: verify the audit chain too (it reads every row: hourly, not every check).
    """
    now = now or timezone.now()
    found = [
        *_providers_down(now),
        *_trusted_without_terms(),
        *_budgets(now),
        *_found_devices(),
        *_backups(now),
        *(_chain(now) if chain else ()),
        *_poison(),
    ]
    return found + list(_models_asked(now))


def send(notice: Notice, channel: Channel) -> None:
    """Send one notice through the household's channel; note whether it arrived."""
    try:
        channel.deliver(notice)
    except SEND_ERRORS as exc:
        # Translators: %(error)s is the name of a Python exception class, e.g. HTTPStatusError; it stays as it is.
        notice.send_error = (_("not delivered: %(error)s") % {"error": type(exc).__name__})[:200]
        notice.save(update_fields=["send_error"])
        log.warning("a notice (%s) was not delivered: %s", notice.kind, type(exc).__name__)
        return
    notice.sent_at = timezone.now()
    notice.send_error = ""
    notice.save(update_fields=["sent_at", "send_error"])


def tell(found: Iterable[Found], now: dt.datetime) -> list[Notice]:
    """Record what was not told yet and send it through the household's channel; return the new notices."""
    told = set(Notice.objects.values_list("key", flat=True))
    new = []
    for f in found:
        if f.key in told:
            continue
        try:
            with transaction.atomic():
                new.append(Notice.objects.create(kind=f.kind, key=f.key, title=f.title, detail=f.detail, link=f.link, created_at=now))
        except IntegrityError:
            continue  # another worker told it first
        told.add(f.key)
    channel = channel_of(Household.objects.filter(pk=1).first())
    if channel is not None:
        for notice in new:
            send(notice, channel)
    return new


def in_household_language() -> translation.override:
    """Return a context in which notices are worded in the household's language (a task has no page to take it from)."""
    return translation.override(household.current().pages)


def check(now: dt.datetime | None = None, *, chain: bool = True) -> list[Notice]:
    """Record the conditions not told yet, and send them to the household's channel; return the new notices."""
    now = now or timezone.now()
    # Stored and sent as worded now: in the household's language, whoever reads it later.
    with in_household_language():
        return tell(find(now, chain=chain), now)


def current(limit: int = 20) -> list[Notice]:
    """Return the notices not dismissed, newest first."""
    return list(Notice.objects.filter(dismissed_at__isnull=True)[:limit])


def dismiss(notice_id: int) -> None:
    Notice.objects.filter(pk=notice_id, dismissed_at__isnull=True).update(dismissed_at=timezone.now())


@dataclass(frozen=True)
class ChannelSettings:
    """What the owner set on the notices page; a secret of None keeps the stored one."""

    channel: str
    url: str = ""
    ha_url: str = ""
    ha_token: str | None = field(default=None, repr=False)
    ha_service: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = SmtpSecurity.STARTTLS
    smtp_user: str = ""
    smtp_password: str | None = field(default=None, repr=False)
    smtp_from: str = ""
    smtp_to: str = ""


def set_channel(c: ChannelSettings) -> None:
    """Set where notices are sent, and each channel's settings (recorded by the settings audit, secrets only as changed).

    A token or password belongs to the address it was given for: one that changes without
    it being typed again is forgotten, never sent to the new address.
    """
    h = Household.objects.get(pk=1)
    if c.ha_token and c.ha_url:
        h.notify_ha_token_encrypted = crypto.encrypt(c.ha_token)
    elif c.ha_url != h.notify_ha_url or not c.ha_url:
        h.notify_ha_token_encrypted = ""
    if c.smtp_password and c.smtp_host and c.smtp_user:
        h.notify_smtp_password_encrypted = crypto.encrypt(c.smtp_password)
    elif (c.smtp_host, c.smtp_user) != (h.notify_smtp_host, h.notify_smtp_user) or not (c.smtp_host and c.smtp_user):
        h.notify_smtp_password_encrypted = ""
    h.notify_channel, h.notify_url = c.channel, c.url
    h.notify_ha_url, h.notify_ha_service = c.ha_url, c.ha_service
    h.notify_smtp_host, h.notify_smtp_port, h.notify_smtp_security = c.smtp_host, c.smtp_port, c.smtp_security
    h.notify_smtp_user, h.notify_smtp_from, h.notify_smtp_to = c.smtp_user, c.smtp_from, c.smtp_to
    h.save(update_fields=[f.name for f in Household._meta.concrete_fields if f.name.startswith("notify_")])


def send_test(channel: Channel) -> Notice:
    """Send a test notice through a channel now, so the owner sees it arrive."""
    notice = Notice(
        kind="test",
        key=f"test:{time.time_ns()}",
        title=_("Hearth test notice"),
        detail=_("Notices from the box arrive here."),
        created_at=timezone.now(),
    )
    notice.save()
    notice.dismissed_at = notice.created_at  # not a condition: not listed as one
    notice.save(update_fields=["dismissed_at"])
    send(notice, channel)
    return notice
