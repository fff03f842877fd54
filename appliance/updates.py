"""Signed A/B system updates: install a bundle into the other root slot and follow each boot's outcome."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.exceptions import IrreversibleError
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from gateway import audit

log = logging.getLogger(__name__)

SLOTS = ("a", "b")
Progress = Callable[[str], None]


class UpdateError(Exception):
    """An update was refused or failed; the message says why, for the owner."""


@dataclass(frozen=True)
class Box:
    """Where the box keeps what updates read and write (the real paths unless a test says otherwise)."""

    update_dir: Path
    release_file: Path = Path("/etc/hearth/release")
    rauc_conf: Path = Path("/etc/rauc/system.conf")
    cmdline: Path = Path("/proc/cmdline")
    rauc: str = "rauc"
    database: Path | None = None  # the SQLite file saved before a new version starts (None: not SQLite)

    @classmethod
    def default(cls) -> Box:
        """Return the box's own paths (settings.HEARTH_UPDATE_DIR and the rest): the update state lives on the data partition."""
        db = settings.DATABASES["default"]
        sqlite = Path(str(db["NAME"])) if db["ENGINE"] == "django.db.backends.sqlite3" else None
        return cls(
            update_dir=Path(settings.HEARTH_UPDATE_DIR),
            release_file=Path(settings.HEARTH_RELEASE_FILE),
            rauc_conf=Path(settings.HEARTH_RAUC_CONF),
            cmdline=Path(settings.HEARTH_KERNEL_CMDLINE),
            rauc=settings.HEARTH_RAUC,
            database=sqlite,
        )

    def booted_slot(self) -> str | None:
        """Return the slot GRUB booted (rauc.slot= on the kernel line), or None off an A/B box."""
        try:
            words = self.cmdline.read_text().split()
        except OSError:
            return None
        for word in words:
            if word.startswith("rauc.slot=") and word.removeprefix("rauc.slot=") in SLOTS:
                return word.removeprefix("rauc.slot=")
        return None


@dataclass(frozen=True)
class Release:
    """This root file system's version, build date and profile (/etc/hearth/release)."""

    version: str
    build_date: str
    profile: str


@dataclass(frozen=True)
class BundleInfo:
    """What a verified bundle's manifest says."""

    compatible: str
    version: str
    build: str


@dataclass
class Pending:
    """An update written to a slot that has not yet been marked good."""

    slot: str
    version: str
    from_slot: str
    from_version: str
    installed_at: str
    started_at: str = ""  # its first start (the database was saved just before)
    snapshot: str = ""  # that copy of the database
    failure: str = ""  # what its health check found, if it failed


@dataclass
class State:
    """The update state on the data partition: each slot's version and the update in flight.

    A slot's entry holds "version" and "build_date", and "migrations" (app: its latest applied
    migration) once a newer version started from it: what a rollback to it migrates back to.
    """

    slots: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending: Pending | None = None


@dataclass(frozen=True)
class Status:
    """What the owner sees: the running slot and version, the other slot's, and the history."""

    slot: str | None
    version: str
    build_date: str
    other_slot: str | None
    other_version: str
    pending: Pending | None
    history: list[dict[str, str]]


@dataclass(frozen=True)
class Health:
    """Hearth's health after boot: ok, or the problems and whether waiting longer can help."""

    ok: bool
    final: bool
    problems: tuple[str, ...] = ()

    def summary(self) -> str:
        """Return one line for the console and the history."""
        return "healthy" if self.ok else "; ".join(self.problems)


def now() -> str:
    """Return the time as the history writes it (UTC, seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def other(slot: str) -> str:
    """Return the slot that is not this one."""
    return "b" if slot == "a" else "a"


def read_release(box: Box) -> Release:
    """Return this root file system's release, or 'unknown' where the file is missing."""
    values: dict[str, str] = {}
    try:
        for line in box.release_file.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and not key.startswith("#"):
                values[key.strip()] = value.strip()
    except OSError:
        pass
    return Release(values.get("VERSION", "unknown"), values.get("BUILD_DATE", ""), values.get("PROFILE", ""))


def system_compatible(box: Box) -> str:
    """Return the compatible string of RAUC's system.conf: the bundles this box accepts."""
    try:
        text = box.rauc_conf.read_text()
    except OSError as exc:
        raise UpdateError("this box has no A/B update configuration (it was not installed from the image)") from exc
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "compatible":
            return value.strip()
    raise UpdateError(f"{box.rauc_conf} names no compatible")


def _state_file(box: Box) -> Path:
    return box.update_dir / "state.json"


def load_state(box: Box) -> State:
    """Return the update state (empty on a box that never updated)."""
    try:
        raw = json.loads(_state_file(box).read_text())
    except (OSError, ValueError):
        return State()
    pending = Pending(**raw["pending"]) if raw.get("pending") else None
    return State(slots=dict(raw.get("slots", {})), pending=pending)


def save_state(box: Box, state: State) -> None:
    """Write the update state atomically (a power cut leaves the old one or the new one)."""
    box.update_dir.mkdir(parents=True, exist_ok=True)
    tmp = _state_file(box).with_suffix(".tmp")
    tmp.write_text(json.dumps({"slots": state.slots, "pending": asdict(state.pending) if state.pending else None}, indent=1))
    os.replace(tmp, _state_file(box))


def record(box: Box, event: str, version: str, slot: str, outcome: str, detail: str = "") -> dict[str, str]:
    """Append one entry to the update history and return it."""
    entry = {"at": now(), "event": event, "version": version, "slot": slot, "outcome": outcome, "detail": detail}
    box.update_dir.mkdir(parents=True, exist_ok=True)
    with (box.update_dir / "history.jsonl").open("a") as out:
        out.write(json.dumps(entry) + "\n")
        out.flush()
        os.fsync(out.fileno())
    log.info("update history: %s %s slot %s: %s", event, version, slot, outcome)
    return entry


def history(box: Box) -> list[dict[str, str]]:
    """Return the update history, newest first."""
    try:
        lines = (box.update_dir / "history.jsonl").read_text().splitlines()
    except OSError:
        return []
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue  # a line cut by a power loss
    return entries[::-1]


def status(box: Box | None = None) -> Status:
    """Return the running slot and version, the other slot's version, the update in flight and the history."""
    box = box or Box.default()
    slot = box.booted_slot()
    release = read_release(box)
    state = load_state(box)
    other_slot = other(slot) if slot else None
    other_version = state.slots.get(other_slot, {}).get("version", "") if other_slot else ""
    return Status(slot, release.version, release.build_date, other_slot, other_version or "empty", state.pending, history(box))


def snapshot_database(box: Box, version: str) -> Path | None:
    """Copy the database before a new version's first start (its migrations) and return the copy."""
    source = box.database
    if source is None or not source.exists():
        return None
    dest = box.update_dir / f"database-before-{_safe(version)}.sqlite3"
    for old in box.update_dir.glob("database-before-*.sqlite3"):
        old.unlink()  # one copy: the one a rollback of this update needs
    src = sqlite3.connect(source)
    try:
        out = sqlite3.connect(dest)
        with out:
            src.backup(out)
        out.close()
    finally:
        src.close()
    dest.chmod(0o600)
    return dest


def restore_database(box: Box, snapshot: Path) -> None:
    """Put the database back as it was before the failed version's first start."""
    target = box.database
    if target is None:
        raise UpdateError("only the SQLite database is saved before an update")
    src = sqlite3.connect(snapshot)
    try:
        live = sqlite3.connect(target)
        with live:
            src.backup(live)
        live.close()
    finally:
        src.close()


def _safe(version: str) -> str:
    return "".join(c if c.isalnum() or c in ".-_+" else "_" for c in version)[:80]


def on_boot(booted: str, primary: str, box: Box | None = None) -> str:
    """Follow an update in flight at boot, before the migrations run; return one line for the console."""
    box = box or Box.default()
    release = read_release(box)
    state = load_state(box)
    state.slots[booted] = {"version": release.version, "build_date": release.build_date}
    pending = state.pending
    if pending is None:
        line = f"running {release.version}"
    elif booted == pending.slot and not pending.started_at:
        kept = ""
        try:
            # The old version's database state, for going back to it by hand later (request_rollback).
            state.slots.setdefault(pending.from_slot, {"version": pending.from_version})["migrations"] = applied_migrations()
        except Exception as exc:  # noqa: BLE001  (a boot goes on; a later rollback then leaves the database as it is)
            log.warning("could not read the applied migrations: %s", exc)
            kept = f"; the migrations of {pending.from_version} could not be read ({type(exc).__name__})"
        snap = snapshot_database(box, pending.version)
        state.pending = replace(pending, started_at=now(), snapshot=str(snap) if snap else "")
        saved = (f"database saved to {snap.name}" if snap else "no SQLite database to save") + kept
        record(box, "first-start", release.version, booted, "on trial", saved)
        line = f"first start of {release.version} on trial: {saved}"
    elif booted == pending.slot:
        line = f"{release.version} on trial again (an earlier try did not finish)"
    else:
        detail = f"{pending.version} in slot {pending.slot} did not come up healthy"
        detail += f" ({pending.failure})" if pending.failure else " (no health verdict: it did not finish booting)"
        if pending.started_at and pending.snapshot and Path(pending.snapshot).exists():
            restore_database(box, Path(pending.snapshot))
            detail += f"; database restored from before its first start ({pending.started_at})"
        record(box, "rolled-back", pending.version, pending.slot, "rolled back", f"{detail}; back on {release.version}")
        state.pending = None
        line = f"rolled back to {release.version}: {detail}"
    save_state(box, state)
    return line


def on_health(booted: str, health: Health, box: Box | None = None) -> str:
    """Record the health verdict of this boot; return one line for the console."""
    box = box or Box.default()
    release = read_release(box)
    state = load_state(box)
    pending = state.pending
    ours = pending is not None and pending.slot == booted
    if health.ok:
        if ours:
            record(box, "marked-good", release.version, booted, "good", "health check passed after its first start")
            state.pending = None
            save_state(box, state)
        return f"{release.version} is healthy"
    if ours and pending is not None:
        state.pending = replace(pending, failure=health.summary())
        save_state(box, state)
        record(box, "health-failed", release.version, booted, "failed", health.summary())
    return f"{release.version} is not healthy: {health.summary()}"


def inspect_bundle(path: Path, box: Box) -> BundleInfo:
    """Verify a bundle's signature against the box's keyring and return its manifest."""
    if not path.is_file():
        raise UpdateError(f"{path} is not a file")
    done = subprocess.run(
        [box.rauc, "info", f"--conf={box.rauc_conf}", "--output-format=json", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise UpdateError(f"refused: {_rauc_reason(done.stderr)}")
    try:
        manifest = json.loads(done.stdout)
    except ValueError as exc:
        raise UpdateError("refused: rauc info gave no manifest") from exc
    return BundleInfo(str(manifest.get("compatible") or ""), str(manifest.get("version") or ""), str(manifest.get("build") or ""))


def _rauc_reason(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip() and "rauc-Message" not in ln]
    return lines[-1] if lines else "rauc gave no reason"


def check_compatible(info: BundleInfo, box: Box) -> None:
    """Refuse a bundle built for another kind of box."""
    mine = system_compatible(box)
    if info.compatible != mine:
        raise UpdateError(f"refused: the bundle is for '{info.compatible}', this box is '{mine}'")


def fetch(url: str, box: Box, progress: Progress) -> Path:
    """Download a bundle to the data partition, showing how far it got."""
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"}:
        raise UpdateError("a bundle URL must be http:// or https://")
    incoming = box.update_dir / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    dest = incoming / (Path(parsed.path).name or "bundle.raucb")
    if dest.suffix != ".raucb":
        dest = dest.with_name(dest.name + ".raucb")  # RAUC takes only .raucb names
    got, shown = 0, -1
    try:
        with httpx.stream("GET", url, timeout=60, follow_redirects=True) as resp, dest.open("wb") as out:
            resp.raise_for_status()
            total = int(resp.headers.get("content-length") or 0)
            for chunk in resp.iter_bytes(1 << 20):
                out.write(chunk)
                got += len(chunk)
                pct = got * 100 // total if total else -1
                if pct // 10 != shown // 10:
                    shown = pct
                    progress(f"downloading: {got >> 20} MiB" + (f" ({pct}%)" if total else ""))
    except httpx.HTTPError as exc:
        dest.unlink(missing_ok=True)
        raise UpdateError(f"download failed: {exc}") from exc
    return dest


def install(source: str, progress: Progress, box: Box | None = None) -> Pending:
    """Check a bundle (signature, compatibility) and write it into the slot that is not running."""
    box = box or Box.default()
    booted = box.booted_slot()
    if booted is None:
        raise UpdateError("this box does not boot from A/B slots (no rauc.slot on the kernel command line)")
    current = read_release(box)
    state = load_state(box)
    if state.pending is not None and state.pending.started_at:
        raise UpdateError(f"{state.pending.version} is still on trial in slot {state.pending.slot}: wait for its health check")
    path = fetch(source, box, progress) if "://" in source else Path(source)
    try:
        progress(f"checking {path.name}: signature against the box's keyring")
        info = inspect_bundle(path, box)
        check_compatible(info, box)
    except UpdateError as exc:
        record(box, "refused", "", other(booted), "refused", str(exc))
        raise
    target = other(booted)
    progress(f"verified: Hearth {info.version} (built {info.build or 'unknown'}) for {info.compatible}; writing slot {target}")
    started = time.monotonic()
    proc = subprocess.Popen([box.rauc, "install", str(path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    last = ""
    for line in proc.stdout:
        line = line.strip()
        if line:
            last = line
            progress(line)
    if proc.wait() != 0:
        record(box, "install-failed", info.version, target, "failed", last)
        raise UpdateError(f"rauc install failed: {last}")
    pending = Pending(slot=target, version=info.version, from_slot=booted, from_version=current.version, installed_at=now())
    state.pending = pending
    state.slots[target] = {"version": info.version, "build_date": info.build}
    save_state(box, state)
    record(
        box, "installed", info.version, target, "restart to finish", f"written in {time.monotonic() - started:.0f} s from {current.version}"
    )
    return pending


def applied_migrations() -> dict[str, str]:
    """Return, per app, its latest applied migration (the database's state, as the code running now knows it)."""
    loader = MigrationLoader(connection)
    latest: dict[str, tuple[str, int]] = {}
    for key in loader.applied_migrations:
        if key not in loader.graph.nodes:
            continue  # applied by a version whose code is not here (a squashed or removed migration)
        depth = len(loader.graph.forwards_plan(key))
        if key[0] not in latest or depth > latest[key[0]][1]:
            latest[key[0]] = (key[1], depth)
    return {app: name for app, (name, _) in sorted(latest.items())}


def rollback_targets(recorded: dict[str, str]) -> list[tuple[str, str | None]]:
    """Return the (app, migration or None for zero) to migrate back to, for the apps whose state differs."""
    now_applied = applied_migrations()
    graph = MigrationLoader(connection, load=True).graph
    targets: list[tuple[str, str | None]] = []
    for app in sorted(set(now_applied) | set(recorded)):
        want = recorded.get(app)
        if want == now_applied.get(app):
            continue
        if want is not None and (app, want) not in graph.nodes:
            raise UpdateError(f"refused: the previous version's migration {app}.{want} is unknown to this version")
        targets.append((app, want))
    return targets


def rollback_plan(recorded: dict[str, str]) -> list[str]:
    """Return the migrations going back would reverse, newest first; refuse one that cannot be reversed."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(rollback_targets(recorded))
    names = []
    for migration, backwards in plan:
        if not backwards:
            continue
        for operation in migration.operations:
            if not operation.reversible:
                raise UpdateError(
                    f"refused: the migration {migration.app_label}.{migration.name} cannot be reversed "
                    f"({operation.describe()}); nothing was changed"
                )
        names.append(f"{migration.app_label}.{migration.name}")
    return names


def migrate_back(recorded: dict[str, str]) -> list[str]:
    """Migrate the database back to the previous version's state with the code running now; return what was reversed."""
    reversed_ = rollback_plan(recorded)  # every step checked before the first is taken
    try:
        for app, name in rollback_targets(recorded):
            call_command("migrate", app, name or "zero", verbosity=0, interactive=False)
    except IrreversibleError as exc:
        raise UpdateError(f"refused: {exc}") from exc
    return reversed_


def request_rollback(box: Box | None = None) -> str:
    """Make the other slot (the previous version) the one to boot next, on trial, its database state restored first."""
    box = box or Box.default()
    booted = box.booted_slot()
    if booted is None:
        raise UpdateError("this box does not boot from A/B slots")
    state = load_state(box)
    target = other(booted)
    if state.pending is not None and not state.pending.started_at and state.pending.slot == target:
        raise UpdateError(f"slot {target} holds {state.pending.version}, waiting for a restart: restart to finish it")
    previous = str(state.slots.get(target, {}).get("version", ""))
    if not previous:
        raise UpdateError(f"slot {target} holds no version to go back to")
    recorded = state.slots[target].get("migrations")
    if recorded is None:
        database = "no record of its database state (it ran before such records were kept): the database was left as it is"
    else:
        reversed_ = migrate_back(dict(recorded))
        database = f"migrations reversed: {', '.join(reversed_)}" if reversed_ else "no migrations to reverse"
    done = subprocess.run([box.rauc, "status", "mark-active", "other"], capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        if recorded is not None:
            call_command("migrate", verbosity=0, interactive=False)  # this version keeps running: its own state again
        raise UpdateError(f"rauc could not switch slots: {_rauc_reason(done.stderr)}")
    current = read_release(box).version
    state.pending = Pending(slot=target, version=previous, from_slot=booted, from_version=current, installed_at=now())
    save_state(box, state)
    record(box, "rollback-requested", previous, target, "restart to finish", f"by the owner, from {current}; {database}")
    return previous


def _unit_states(units: Iterable[str]) -> list[dict[str, str]]:
    names = list(units)
    if not names:
        return []
    done = subprocess.run(
        ["/usr/bin/systemctl", "show", "-p", "Id", "-p", "ActiveState", "-p", "SubState", "-p", "NRestarts", *names],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    blocks: list[dict[str, str]] = []
    cur: dict[str, str] = {}
    for line in [*done.stdout.splitlines(), ""]:
        if not line.strip():
            if cur:
                blocks.append(cur)
            cur = {}
            continue
        key, _, value = line.partition("=")
        cur[key] = value
    return blocks


def unit_problems(states: Iterable[dict[str, str]]) -> tuple[list[str], bool]:
    """Return what is wrong with the units and whether it is final (waiting will not fix it)."""
    problems, final = [], False
    for s in states:
        name, active, sub = s.get("Id", "?"), s.get("ActiveState", ""), s.get("SubState", "")
        restarts = int(s.get("NRestarts") or 0)
        if active == "active":
            continue
        if active == "failed":
            problems.append(f"{name} failed")
            final = True
        elif sub == "auto-restart" and restarts >= 3:
            problems.append(f"{name} restarts in a loop ({restarts} restarts)")
            final = True
        else:
            problems.append(f"{name} is {active}/{sub}")
    return problems, final


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=10).status_code == 200
    except httpx.HTTPError:
        return False


def check_health(units: Iterable[str]) -> Health:
    """Check what a new version must do before it is kept: units, web, engine, migrations, audit chain."""
    problems, final = unit_problems(_unit_states(units))
    if not _answers(f"http://127.0.0.1:{settings.HEARTH_WEB_PORT}/healthz"):
        problems.append("the web process does not answer /healthz with 200")
    if not _answers(f"http://127.0.0.1:{settings.HEARTH_HOME_PORT}/v1/models"):
        problems.append("the home engine does not answer")
    try:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            problems.append("the database is not migrated")
        report = audit.verify()
        if report.problem:
            problems.append(f"the audit chain does not verify: {report.problem}")
            final = True
    except Exception as exc:  # noqa: BLE001  (an unreadable database is a verdict, not a crash)
        problems.append(f"the database cannot be read: {type(exc).__name__}")
    finally:
        connection.close()
    return Health(ok=not problems, final=final, problems=tuple(problems))


def wait_healthy(units: Iterable[str], timeout: float, interval: float = 10, say: Progress | None = None) -> Health:
    """Check until healthy, until a problem is final, or until the time is up."""
    names = list(units)
    deadline = time.monotonic() + timeout
    while True:
        health = check_health(names)
        if health.ok or health.final or time.monotonic() >= deadline:
            return health
        if say:
            say(f"waiting: {health.summary()}")
        time.sleep(interval)


def describe(entry: dict[str, Any]) -> str:
    """Return one history entry as a line for the console."""
    text = f"{entry.get('at', '')}  {entry.get('event', '')}  {entry.get('version') or '-'}  slot {entry.get('slot', '?')}: {entry.get('outcome', '')}"
    return text + (f" ({entry['detail']})" if entry.get("detail") else "")
