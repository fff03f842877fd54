"""Backups of the box: encrypted with the owner's passphrase, scheduled, pruned, restored.

A backup holds what makes the box this household's: accounts, the household's settings,
devices (their key hashes, so paired devices keep working), the rules, the providers
(their keys in clear, inside the encryption) and the audit log with its chain. It never
holds prompt text (that has its own, shorter retention) or the box's own secrets.

File format: a magic line, the scrypt salt (16 bytes), the AES-GCM nonce (12 bytes), then
the gzipped JSON document encrypted with AES-256-GCM under the passphrase's scrypt key.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devices import services as device_services
from devices.models import Device, MqttAccount
from gateway import crypto, settings_audit
from gateway.models import AuditEvent, ChainHead, Provider, SettingsChange
from gateway.services import ensure_home_provider
from policies.models import HouseholdRule, HouseholdTerm

from ..models import AuditCheckpoint, Household, SecondFactor
from ..plumbing import versioned

log = logging.getLogger(__name__)

MAGIC = b"HEARTH-BACKUP-1\n"
FORMAT = "hearth-backup"
VERSION = 1
SALT_BYTES, NONCE_BYTES = 16, 12
NAME = re.compile(r"^hearth-\d{8}-\d{6}(-\d+)?\.backup$")
# Large enough to hold years of a household's audit log; a bigger upload is not a backup.
MAX_BYTES = 512 * 2**20


class BackupError(Exception):
    """A backup could not be made or restored; the message says why, for the owner."""


def _models() -> list[type[models.Model]]:
    """Return what a backup holds, in the order a restore writes it (referenced rows first)."""
    return [
        get_user_model(), Household, SecondFactor, Device, MqttAccount, HouseholdRule, HouseholdTerm, Provider,
        AuditEvent, ChainHead, AuditCheckpoint, SettingsChange,
    ]  # fmt: skip


def _derive(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())


def backup_dir() -> Path:
    folder = Path(settings.HEARTH_BACKUP_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


# --- settings -------------------------------------------------------------------------


def set_passphrase(passphrase: str, owner: User | None = None) -> None:
    """Set the passphrase backups are encrypted with (only its derived key is kept, encrypted).

    `owner`: whose sign-in password it must not be, and whose name it must not resemble.
    """
    try:
        validate_password(passphrase, owner)
    except ValidationError as exc:
        raise BackupError(" ".join(exc.messages)) from None
    if owner is not None and owner.check_password(passphrase):
        # Whoever learns the password would open every backup too, even one taken off the box.
        raise BackupError(_("Choose a passphrase other than your sign-in password."))
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(passphrase, salt)
    Household.objects.filter(pk=1).update(
        backup_key_encrypted=crypto.encrypt(base64.b64encode(key).decode()), backup_salt=base64.b64encode(salt).decode()
    )


def set_schedule(every_hours: int, keep: int) -> None:
    Household.objects.filter(pk=1).update(backup_every_hours=every_hours, backup_keep=keep)


@dataclass(frozen=True)
class Schedule:
    """Whether scheduled backups run, as the backups page says it."""

    running: bool
    every_hours: int
    keep: int
    due: datetime | None  # None: as soon as the scheduler next looks (every 15 minutes)
    needs_passphrase: bool


def schedule(now: datetime | None = None) -> Schedule:
    """Say whether scheduled backups run now, and when the next one is due (run_scheduled's rule)."""
    household = Household.objects.filter(pk=1).first()
    if household is None:
        return Schedule(False, 0, 0, None, needs_passphrase=True)
    every, keep = household.backup_every_hours, household.backup_keep
    if not household.backup_key_encrypted:
        return Schedule(False, every, keep, None, needs_passphrase=True)
    if every == 0:
        return Schedule(False, every, keep, None, needs_passphrase=False)
    due = household.last_backup_at + timedelta(hours=every) if household.last_backup_at else None
    return Schedule(True, every, keep, None if due and due <= (now or timezone.now()) else due, needs_passphrase=False)


# --- making backups -------------------------------------------------------------------


def _document() -> dict[str, Any]:
    """Return the box's state as plain data, secrets in clear (the caller encrypts it)."""
    rows: list[dict[str, Any]] = []
    for model in _models():
        queryset = model._default_manager.order_by("pk")
        if model is Provider:
            queryset = queryset.exclude(tier="home")  # the home engine belongs to the box, not the household
        fields = [f.name for f in model._meta.concrete_fields if f.name not in ("prompt_text", "prompt_expires_at")]
        rows += serializers.serialize("python", queryset.iterator(chunk_size=500), fields=fields)
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().isoformat(),
        "rows": rows,
        "secrets": {
            "providers": {str(p.pk): p.api_key() for p in Provider.objects.exclude(tier="home")},
            "second_factors": {str(f.pk): crypto.decrypt(f.secret_encrypted) for f in SecondFactor.objects.all()},
        },
    }


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but times to the microsecond: the audit chain hashes them so."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


def _seal(document: dict[str, Any], key: bytes, salt: bytes) -> bytes:
    plain = gzip.compress(json.dumps(document, cls=_Encoder).encode(), mtime=0)
    nonce = os.urandom(NONCE_BYTES)
    return MAGIC + salt + nonce + AESGCM(key).encrypt(nonce, plain, MAGIC + salt)


@dataclass(frozen=True)
class BackupFile:
    name: str
    size: int
    taken_at: datetime


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of every table while workers go on writing.

    SQLite's read transaction is one already. PostgreSQL's default (read committed) is not:
    its transaction is made repeatable read, which can only be chosen before it begins, so
    inside a caller's transaction the caller's view is the one read.
    """
    raw: Any = None
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        from psycopg import IsolationLevel

        connection.ensure_connection()
        raw = connection.connection
        previous, raw.isolation_level = raw.isolation_level, IsolationLevel.REPEATABLE_READ
    try:
        with transaction.atomic():
            yield
    finally:
        if raw is not None:
            raw.isolation_level = previous


def make_backup() -> BackupFile:
    """Write an encrypted backup into the backup folder and prune old ones."""
    household = Household.objects.filter(pk=1).first()
    if household is None or not household.backup_key_encrypted:
        raise BackupError(_("Set a backup passphrase first."))
    key = base64.b64decode(crypto.decrypt(household.backup_key_encrypted))
    salt = base64.b64decode(household.backup_salt)
    with _snapshot():
        blob = _seal(_document(), key, salt)
    now = timezone.now()
    folder = backup_dir()
    name = f"hearth-{now:%Y%m%d-%H%M%S}.backup"
    for n in range(1, 100):
        if not (folder / name).exists():
            break
        name = f"hearth-{now:%Y%m%d-%H%M%S}-{n}.backup"
    partial = folder / (name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(blob)
        out.flush()
        os.fsync(out.fileno())
    partial.rename(folder / name)  # a half-written file never looks like a backup
    Household.objects.filter(pk=1).update(last_backup_at=now)
    prune(household.backup_keep)
    return BackupFile(name, len(blob), now)


def listing() -> list[BackupFile]:
    """Return the backups on the box, newest first."""
    found = []
    for path in backup_dir().iterdir():
        if NAME.match(path.name):
            stat = path.stat()
            found.append(BackupFile(path.name, stat.st_size, datetime.fromtimestamp(stat.st_mtime, tz=timezone.get_current_timezone())))
    return sorted(found, key=lambda b: (b.taken_at, b.name), reverse=True)


def path_of(name: str) -> Path | None:
    """Return the path of a backup by its name, or None (names outside the listing are refused)."""
    if not NAME.match(name):
        return None
    path = backup_dir() / name
    return path if path.is_file() else None


def prune(keep: int) -> int:
    """Delete all but the `keep` newest backups; return how many went."""
    old = listing()[max(keep, 1) :]
    for backup in old:
        (backup_dir() / backup.name).unlink(missing_ok=True)
    return len(old)


def run_scheduled(now: datetime | None = None) -> BackupFile | None:
    """Make a backup when one is due by the household's schedule."""
    household = Household.objects.filter(pk=1).first()
    if household is None or not household.backup_key_encrypted or household.backup_every_hours == 0:
        return None
    now = now or timezone.now()
    if household.last_backup_at and now - household.last_backup_at < timedelta(hours=household.backup_every_hours):
        return None
    return make_backup()


# --- restoring ------------------------------------------------------------------------


def open_backup(blob: bytes, passphrase: str) -> dict[str, Any]:
    """Decrypt and check a backup; raise BackupError with a reason the owner can act on."""
    if len(blob) > MAX_BYTES:
        raise BackupError(_("That file is too large to be a Hearth backup."))
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + SALT_BYTES + NONCE_BYTES + 16:
        raise BackupError(_("That file is not a Hearth backup."))
    salt = blob[len(MAGIC) : len(MAGIC) + SALT_BYTES]
    nonce = blob[len(MAGIC) + SALT_BYTES : len(MAGIC) + SALT_BYTES + NONCE_BYTES]
    try:
        plain = AESGCM(_derive(passphrase, salt)).decrypt(nonce, blob[len(MAGIC) + SALT_BYTES + NONCE_BYTES :], MAGIC + salt)
    except InvalidTag:
        raise BackupError(_("The passphrase does not open this backup (or the file was changed).")) from None
    try:
        document = json.loads(gzip.decompress(plain))
    except (OSError, ValueError):
        raise BackupError(_("The backup opened but its contents are damaged.")) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(_("That file is not a Hearth backup."))
    if document.get("version") != VERSION:
        raise BackupError(
            _("This backup is of version %(version)s; this box reads version %(readable)s.")
            % {"version": document.get("version"), "readable": VERSION}
        )
    return document


@dataclass(frozen=True)
class Restored:
    devices: int
    rules: int
    providers: int
    audit_rows: int
    taken_at: str


def restore(blob: bytes, passphrase: str) -> Restored:
    """Replace the household's state with a backup's; nothing changes unless all of it loads."""
    document = open_backup(blob, passphrase)
    wanted = {m._meta.label_lower for m in _models()}
    rows = [r for r in document.get("rows", []) if isinstance(r, dict) and r.get("model") in wanted]
    secret_of = document.get("secrets", {})
    try:
        # What the backup replaces is no one's settings change: one row records the restore.
        with transaction.atomic(), settings_audit.paused():
            for model in reversed(_models()):
                queryset = model._default_manager.all()
                (queryset.exclude(tier="home") if model is Provider else queryset).delete()
            for item in serializers.deserialize("python", rows):
                obj = item.object
                if isinstance(obj, Provider):
                    old_pk = str(obj.pk)
                    obj.pk = None  # the box's own home provider may hold that id
                    obj.set_api_key(str(secret_of.get("providers", {}).get(old_pk, "")))
                    obj.save(force_insert=True)
                    continue
                if isinstance(obj, SecondFactor):
                    obj.secret_encrypted = crypto.encrypt(str(secret_of.get("second_factors", {}).get(str(obj.pk), "")))
                item.save()
            # The backup key was encrypted with the old box's secret: derive it again here.
            salt = blob[len(MAGIC) : len(MAGIC) + SALT_BYTES]
            Household.objects.filter(pk=1).update(
                backup_key_encrypted=crypto.encrypt(base64.b64encode(_derive(passphrase, salt)).decode()),
                backup_salt=base64.b64encode(salt).decode(),
            )
            # Accounts are the backup's now: nobody stays signed in as whoever held an id before.
            Session.objects.all().delete()
            _reset_sequences()
            if not get_user_model().objects.filter(is_superuser=True).exists():
                raise BackupError(_("The backup has no owner account; the box was left as it was."))
            settings_audit.record_restore(str(document.get("created_at", "?")))  # onto the backup's chain, with it
    except (DeserializationError, DatabaseError, ValidationError):
        raise BackupError(_("The backup's contents do not fit this version of Hearth; the box was left as it was.")) from None
    ensure_home_provider()
    versioned.all_changed()  # every process reads devices, providers and rules again
    device_services.sync_broker()
    log.info("restored a backup taken at %s", document.get("created_at", "?"))
    return Restored(
        devices=Device.objects.count(),
        rules=HouseholdRule.objects.count(),
        providers=Provider.objects.exclude(tier="home").count(),
        audit_rows=AuditEvent.objects.count(),
        taken_at=str(document.get("created_at", "")),
    )


def _reset_sequences() -> None:
    """Move id sequences past the restored ids (PostgreSQL; SQLite follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), _models())
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
