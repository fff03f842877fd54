"""Who changed which of the household's settings, from what to what (Zulip's RealmAuditLog).

One mechanism for every way a setting changes (the admin, the box's own pages, the setup
wizard, a management command, a worker): Django's model signals on the tracked models,
with each model's list of fields and how each is shown, and the versioned querysets' bulk
signals (appliance.plumbing.versioned) for the writes that send no model signal. Who acted comes
from a context variable that a middleware sets for each request (gateway.middleware);
outside a request it is the console (manage.py, a shell) or Hearth itself (a Celery worker).

What is recorded is text as the owner reads it, never a secret or a personal value: a
provider's key, a device's key, a password or passphrase, a household term's value are
recorded only as having changed; a term is named by its label.

The rows are sealed onto a hash chain of their own, not into the requests' chain: the
household's retention purges the requests' chain from its start, and the record of who
loosened the privacy level must outlive it (these rows are few and kept for the life of
the box, as Zulip keeps its audit log); and the requests' chain head is the lock every
request's seal takes, which a settings change, rare as it is, has no reason to wait for.
`manage.py audit verify` and the audit page's "Verify" check both chains.
"""

from __future__ import annotations

import csv
import io
import json
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from celery.signals import worker_init
from django.apps import apps
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from appliance.plumbing import versioned
from policies import priorities

from .models import SETTINGS_CHAIN, ChainHead, SettingsChange

CONSOLE = "console"
SETUP_WIZARD = "setup wizard"
HEARTH = "Hearth"  # the box itself: a worker's scheduled task

# Who is acting: a name, or a function that finds it (a request's user is read only if
# something is recorded, so requests that change nothing never touch the session).
ACTOR: ContextVar[str | Callable[[], str] | None] = ContextVar("hearth_settings_actor", default=None)
_paused: ContextVar[bool] = ContextVar("hearth_settings_audit_paused", default=False)
_process_actor = CONSOLE


@worker_init.connect(weak=False)
def _in_a_worker(**_: Any) -> None:
    global _process_actor
    _process_actor = HEARTH


def actor() -> str:
    """Return who is acting now: a member's username, the setup wizard, the console, Hearth."""
    found = ACTOR.get()
    if callable(found):
        found = found()
    return (found or _process_actor)[:150]


@contextmanager
def acting(who: str | Callable[[], str]) -> Iterator[None]:
    """Record the settings changes made inside as made by `who`."""
    token = ACTOR.set(who)
    try:
        yield
    finally:
        ACTOR.reset(token)


@contextmanager
def paused() -> Iterator[None]:
    """Record nothing inside: a restore replaces every table, which is no one's settings change."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


# --- how each tracked model and field is shown -------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _days(value: Any) -> str:
    return "forever" if not value else f"{value} days"


def _hours(value: Any) -> str:
    return "only when asked" if not value else f"every {value} hours"


def _set_or_not(unset: str, set_: str) -> Callable[[Any], str]:
    return lambda value: set_ if value else unset


def _choice(model: str, name: str) -> Callable[[Any], str]:
    """Show a choice field's value by its label."""

    def show(value: Any) -> str:
        field = apps.get_model(model)._meta.get_field(name)
        return str(dict(field.flatchoices).get(value, value)) if value not in (None, "") else ""  # type: ignore[union-attr]

    return show


def _limits(value: Any) -> str:
    """Show the household's jurisdiction limits per tier in words ("cloud: only in EU")."""
    try:
        tiers = priorities.parse_tiers(value)
    except priorities.LimitError:
        return _text(value)  # a hand-edited row: shown as stored
    return "; ".join(f"{tier}: {limits.describe()}" for tier, limits in tiers.items()) or "none"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    show: Callable[[Any], str] = _text
    # A secret or personal value: recorded only as set, changed or removed, in these words.
    secret: tuple[str, str, str] | None = None


def _secret(what: str, changed: str = "changed") -> tuple[str, str, str]:
    return (f"{what} set", f"{what} {changed}", f"{what} removed")


@dataclass(frozen=True)
class Tracked:
    kind: str
    fields: tuple[Field, ...]
    name: Callable[[Any], str] = str
    added: str = "added"
    removed: str = "removed"
    # Rows that come and go by themselves (a pairing request made by a device) record their changes only.
    record_added: bool = True
    record_removed: bool = True


def _username(user_id: Any) -> str:
    from django.contrib.auth import get_user_model

    return str(get_user_model()._default_manager.filter(pk=user_id).values_list("username", flat=True).first() or "")


def _member_kind(user: Any) -> str:
    return "owner" if getattr(user, "is_superuser", False) else "member"


# By model label: the tracked models live in every app, and gateway imports none of them
# for this (appliance.models, policies.models and devices.models are read by name).
TRACKED: dict[str, Tracked] = {
    "appliance.Household": Tracked(
        "household",
        (
            Field("name", "name"),
            Field("time_zone", "time zone"),
            Field("language", "language"),
            Field("currency", "currency"),
            Field("privacy", "privacy level", _choice("appliance.Household", "privacy")),
            Field("priority", "priority", _choice("appliance.Household", "priority")),
            Field("jurisdictions", "jurisdiction limits", _limits),
            Field("audit_retention_days", "keep audit rows", _days),
            Field("backup_key_encrypted", "backup passphrase", secret=_secret("passphrase")),
            Field("backup_every_hours", "backups", _hours),
            Field("backup_keep", "backups kept"),
            # Where notices go. A webhook's address may carry its token: recorded only as changed.
            Field("notify_channel", "notices sent by", _choice("appliance.Household", "notify_channel")),
            Field("notify_url", "notice webhook", secret=_secret("address")),
            Field("notify_ha_url", "Home Assistant address"),
            Field("notify_ha_token_encrypted", "Home Assistant token", secret=_secret("token")),
            Field("notify_ha_service", "Home Assistant notify service"),
            Field("notify_smtp_host", "mail server"),
            Field("notify_smtp_port", "mail server port"),
            Field("notify_smtp_security", "mail encryption", _choice("appliance.Household", "notify_smtp_security")),
            Field("notify_smtp_user", "mail user"),
            Field("notify_smtp_password_encrypted", "mail password", secret=_secret("password")),
            Field("notify_smtp_from", "notices sent from"),
            Field("notify_smtp_to", "notices mailed to"),
        ),
        name=lambda h: "the household",
    ),
    "gateway.Provider": Tracked(
        "provider",
        (
            Field("name", "name"),
            Field("family", "API family", _choice("gateway.Provider", "family")),
            Field("tier", "tier"),
            Field("base_url", "base URL"),
            Field("api_key_encrypted", "API key", secret=_secret("key")),
            Field("model_names", "models"),
            Field("zero_data_retention", "zero data retention"),
            Field("zdr_terms_url", "zero data retention terms"),
            Field("zdr_checked_on", "terms checked on"),
            Field("model_caps", "what each model can do"),
            Field("jurisdiction", "jurisdiction"),
            Field("price_in_per_mtok", "price in per million tokens"),
            Field("price_out_per_mtok", "price out per million tokens"),
            Field("quality", "quality"),
            Field("first_byte_timeout", "first-byte timeout (s)"),
            Field("takes_images", "takes images"),
            Field("forces_tool_calls", "honours tool_choice=required"),
            Field("enabled", "enabled"),
        ),
    ),
    "policies.HouseholdRule": Tracked(
        "rule",
        (
            Field("name", "name"),
            Field("position", "position"),
            Field("enabled", "enabled"),
            Field("conditions", "conditions"),
            Field("actions", "actions"),
        ),
    ),
    "policies.HouseholdTerm": Tracked(
        "household term",
        # The value is the household's personal data: only its label is ever written down.
        (Field("label", "label"), Field("value", "value", secret=_secret("value"))),
        name=lambda t: t.label,
    ),
    "devices.Device": Tracked(
        "device",
        (
            Field("name", "name"),
            Field("category", "category", _choice("devices.Device", "category")),
            Field("max_tier", "highest allowed tier"),
            Field("key_hash", "key", secret=("key issued", "key rotated", "key removed")),
            Field("revoked_at", "key state", _set_or_not("active", "revoked")),
        ),
        added="paired",
    ),
    "devices.MqttAccount": Tracked(
        "MQTT account",
        (
            Field("password_hash", "password", secret=_secret("password")),
            Field("publishes_presence", "may publish presence"),
            Field("publishes_discovery", "may publish discovery"),
        ),
        name=lambda a: a.username,
    ),
    "devices.PairingRequest": Tracked(
        "pairing request",
        (
            Field("approved_at", "approved", _set_or_not("no", "yes")),
            Field("denied_at", "denied", _set_or_not("no", "yes")),
        ),
        name=lambda p: f"{p.name} ({p.code})",
        record_added=False,
        record_removed=False,
    ),
    "devices.Presence": Tracked(
        "presence",
        (Field("override", "owner's override", lambda v: v or "none"),),
        name=lambda p: "household presence",
        record_added=False,
        record_removed=False,
    ),
    "auth.User": Tracked(
        "member",
        (
            Field("username", "username"),
            Field("is_superuser", "owner"),
            Field("is_active", "may sign in"),
            Field("password", "password", secret=_secret("password")),
        ),
        name=lambda u: u.username,
    ),
    "appliance.SecondFactor": Tracked(
        "second factor",
        (Field("secret_encrypted", "secret", secret=_secret("secret", "replaced")), Field("confirmed", "turned on")),
        name=lambda f: _username(f.user_id),
    ),
}


# Each tracked model: how it is shown, and those of its fields that exist (filled by connect()).
_by_model: dict[type[models.Model], tuple[Tracked, tuple[Field, ...]]] = {}


def _kind(tracked: Tracked, obj: Any) -> str:
    return _member_kind(obj) if tracked.kind == "member" else tracked.kind


def _name(tracked: Tracked, obj: Any) -> str:
    return str(tracked.name(obj))[:200]


def _shown(field: Field, old: Any, new: Any) -> tuple[str, str]:
    """Return the old and new value of a changed field as recorded."""
    if field.secret is not None:
        set_, changed, removed = field.secret
        return "", (set_ if not old else removed if not new else changed)
    return field.show(old), field.show(new)


def _values(obj: Any, fields: tuple[Field, ...]) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in fields}


def _summary(fields: tuple[Field, ...], values: dict[str, Any]) -> str:
    """Return what an added or removed row held, its secrets and the name left out."""
    parts = [f"{f.label}: {f.show(values[f.name])}" for f in fields if f.secret is None and f.name != "name" and f.name != "username"]
    return "; ".join(p for p in parts if not p.endswith(": "))


def _change(tracked: Tracked, obj: Any, action: str, field: str = "", old: str = "", new: str = "") -> SettingsChange:
    return SettingsChange(
        at=timezone.now(),
        actor=actor(),
        kind=_kind(tracked, obj),
        name=_name(tracked, obj),
        action=action,
        field=field,
        old_value=old,
        new_value=new,
    )


def _diff(tracked: Tracked, fields: tuple[Field, ...], obj: Any, before: dict[str, Any], after: dict[str, Any]) -> list[SettingsChange]:
    rows = []
    for f in fields:
        if f.name in before and f.name in after and before[f.name] != after[f.name]:
            old, new = _shown(f, before[f.name], after[f.name])
            rows.append(_change(tracked, obj, "changed", f.label, old, new))
    return rows


def record(rows: list[SettingsChange]) -> None:
    """Seal settings changes onto their chain, in this order, in the caller's transaction."""
    if not rows:
        return
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().filter(pk=SETTINGS_CHAIN).first()
        if head is None:
            # Made by the migration; gone only if someone deleted it: go on from the last row
            # rather than refuse every settings change from now on.
            last_row = SettingsChange.objects.order_by("-seq").first()
            head = ChainHead.objects.create(pk=SETTINGS_CHAIN, **({"seq": last_row.seq, "hash": last_row.row_hash} if last_row else {}))
        seq, last = head.seq, head.hash
        for row in rows:
            seq += 1
            row.seq, row.prev_hash = seq, last
            row.row_hash = last = row.compute_hash(last)
        SettingsChange.objects.bulk_create(rows)
        ChainHead.objects.filter(pk=SETTINGS_CHAIN).update(seq=seq, hash=last)


def record_restore(taken_at: str) -> None:
    """Record that a backup replaced the household's state (what it replaced is no one's change)."""
    record([SettingsChange(at=timezone.now(), actor=actor(), kind="backup", name=f"taken at {taken_at}"[:200], action="restored")])


# --- the receivers ------------------------------------------------------------------------

_BEFORE = "_hearth_settings_before"
_bulk_before: weakref.WeakKeyDictionary[models.QuerySet[Any], dict[Any, dict[str, Any]]] = weakref.WeakKeyDictionary()


def _on_pre_save(sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **_: Any) -> None:
    found = _by_model.get(sender)
    if found is None or raw or _paused.get() or instance.pk is None:
        return
    fields = found[1]
    names = [f.name for f in fields if update_fields is None or f.name in update_fields]
    # Nothing tracked is being saved (a sign-in's last_login): no read, nothing to compare.
    before = sender._default_manager.filter(pk=instance.pk).values(*names).first() if names else {}
    setattr(instance, _BEFORE, before)


def _on_post_save(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
    found = _by_model.get(sender)
    if found is None or raw or _paused.get():
        return
    tracked, fields = found
    before = instance.__dict__.pop(_BEFORE, None) or {}
    if created:
        if tracked.record_added:
            record([_change(tracked, instance, tracked.added, new=_summary(fields, _values(instance, fields)))])
        return
    record(_diff(tracked, fields, instance, before, _values(instance, fields)))


def _on_pre_delete(sender: Any, instance: Any, **_: Any) -> None:
    found = _by_model.get(sender)
    if found is None or _paused.get() or not found[0].record_removed:
        return
    # Named now: a cascade may delete what the name is read from (an account's user) first.
    tracked, fields = found
    setattr(instance, _BEFORE, _change(tracked, instance, tracked.removed, old=_summary(fields, _values(instance, fields))))


def _on_post_delete(sender: Any, instance: Any, **_: Any) -> None:
    change = instance.__dict__.pop(_BEFORE, None)
    if isinstance(change, SettingsChange) and not _paused.get():
        record([change])


def _on_pre_update(sender: Any, queryset: models.QuerySet[Any], fields: tuple[str, ...], **_: Any) -> None:
    found = _by_model.get(sender)
    if found is None or _paused.get():
        return
    names = [f.name for f in found[1] if f.name in fields]
    if names:
        _bulk_before[queryset] = {row["pk"]: row for row in queryset.values("pk", *names)}


def _on_post_update(sender: Any, queryset: models.QuerySet[Any], **_: Any) -> None:
    before = _bulk_before.pop(queryset, None)
    found = _by_model.get(sender)
    if not before or found is None or _paused.get():
        return
    tracked, fields = found
    rows = []
    for obj in sender._default_manager.filter(pk__in=list(before)).order_by("pk"):
        rows += _diff(tracked, fields, obj, before[obj.pk], _values(obj, fields))
    record(rows)


def _on_bulk_create(sender: Any, objs: list[Any], **_: Any) -> None:
    found = _by_model.get(sender)
    if found is None or _paused.get() or not found[0].record_added:
        return
    tracked, fields = found
    record([_change(tracked, obj, tracked.added, new=_summary(fields, _values(obj, fields))) for obj in objs])


def connect() -> None:
    """Listen to the tracked models (call from an AppConfig.ready, once every app is loaded)."""
    for label, tracked in TRACKED.items():
        model = apps.get_model(label)
        present = {f.name for f in model._meta.concrete_fields}
        _by_model[model] = (tracked, tuple(f for f in tracked.fields if f.name in present))
        uid = f"settings-audit-{label}"
        pre_save.connect(_on_pre_save, sender=model, dispatch_uid=uid)
        post_save.connect(_on_post_save, sender=model, dispatch_uid=uid)
        pre_delete.connect(_on_pre_delete, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_post_delete, sender=model, dispatch_uid=uid)
        versioned.pre_update.connect(_on_pre_update, sender=model, dispatch_uid=uid)
        versioned.post_update.connect(_on_post_update, sender=model, dispatch_uid=uid)
        versioned.post_bulk_create.connect(_on_bulk_create, sender=model, dispatch_uid=uid)


# --- reading and verifying ----------------------------------------------------------------


@dataclass(frozen=True)
class SettingsChainReport:
    checked: int
    first_bad: SettingsChange | None
    problem: str = ""


def verify() -> SettingsChainReport:
    """Recompute the settings changes' chain; return the first row that does not match."""
    prev, expected, checked = "0" * 64, 1, 0
    for row in SettingsChange.objects.order_by("seq").iterator(chunk_size=2000):
        if row.seq != expected:
            return SettingsChainReport(checked, row, f"settings change {expected} is missing")
        if row.prev_hash != prev:
            return SettingsChainReport(checked, row, "its link to the previous settings change does not match")
        if row.compute_hash(prev) != row.row_hash:
            return SettingsChainReport(checked, row, "its content does not match its hash")
        prev, expected, checked = row.row_hash, expected + 1, checked + 1
    head = ChainHead.objects.filter(pk=SETTINGS_CHAIN).first()
    if head is not None and (head.seq != expected - 1 or head.hash != prev):
        return SettingsChainReport(checked, None, "settings changes at the end of the chain are missing")
    return SettingsChainReport(checked, None)


# Changes that name a device: shown without its name where the household's privacy level
# records requests without device names (the names stay on the row, sealed).
DEVICE_KINDS = frozenset({"device", "MQTT account", "pairing request"})
HIDDEN = "hidden"


def as_shown(row: SettingsChange, device_names: bool) -> SettingsChange:
    """Return a change as the pages show it (a row read for showing, never saved again)."""
    if device_names or row.kind not in DEVICE_KINDS:
        return row
    row.name = HIDDEN
    if row.field == "name":
        row.old_value = row.new_value = HIDDEN
    return row


EXPORT_FIELDS = ("seq", "at", "actor", "kind", "name", "action", "field", "old_value", "new_value", "row_hash")


def export_record(row: SettingsChange, zone: tzinfo, device_names: bool = True) -> dict[str, Any]:
    """Return one settings change as plain data, its time in the household's zone."""
    row = as_shown(row, device_names)
    record_: dict[str, Any] = {name: getattr(row, name) for name in EXPORT_FIELDS}
    record_["at"] = row.at.astimezone(zone).isoformat()
    return record_


def export_json(rows: models.QuerySet[SettingsChange], zone: tzinfo, device_names: bool) -> Iterator[str]:
    """Yield the settings changes as one JSON array, streamed."""
    yield "["
    for i, row in enumerate(rows.iterator(chunk_size=500)):
        yield ("," if i else "") + "\n" + json.dumps(export_record(row, zone, device_names), ensure_ascii=False)
    yield "\n]\n"


def export_csv(rows: models.QuerySet[SettingsChange], zone: tzinfo, device_names: bool) -> Iterator[str]:
    """Yield the settings changes as CSV, streamed; cells a spreadsheet would run as formulas are defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    for row in rows.iterator(chunk_size=500):
        cells = ["" if v is None else str(v) for v in export_record(row, zone, device_names).values()]
        writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in cells])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
