"""Mosquitto's password and ACL files, written by Hearth.

Passwords are stored the way `mosquitto_passwd` stores them (PBKDF2-SHA512, `$7$`), so the
files never hold a password in clear. Each device account may publish only its request
topic and read only its responses; Hearth's own account reads requests, discovery and
presence and writes responses. Anonymous access is off in the broker's config. Files are
replaced atomically and the broker re-reads them on SIGHUP without dropping clients.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import signal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ITERATIONS = 101  # mosquitto_passwd's own default for $7$
USERNAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
DISCOVERY_TOPICS = ("homeassistant/#", "zigbee2mqtt/bridge/devices", "tasmota/discovery/#")


def password_hash(password: str, salt: bytes | None = None) -> str:
    """Return a password in mosquitto's `$7$` PBKDF2-SHA512 form."""
    salt = salt or secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, ITERATIONS)
    return f"$7${ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def request_topic(username: str) -> str:
    return f"hearth/{username}/request"


def response_topic(username: str) -> str:
    """The topic prefix a device reads its answers under."""
    return f"hearth/{username}/response"


@dataclass(frozen=True)
class Accounts:
    """Everyone who may connect: Hearth itself, devices, and discovery announcers."""

    hearth: str  # Hearth's own username
    hashes: Mapping[str, str]  # username -> password hash, Hearth's included
    devices: Iterable[str] = ()  # usernames of MQTT devices
    announcers: Iterable[str] = ()  # accounts of bridges (zigbee2mqtt, Tasmota) that publish discovery
    presence_topic: str = ""
    presence_publishers: Iterable[str] = ()  # device accounts that may publish the presence topic


def acl(accounts: Accounts) -> str:
    """Return the ACL file's text."""
    lines = [f"user {accounts.hearth}", "topic read hearth/+/request", "topic write hearth/+/response/#"]
    lines += [f"topic read {t}" for t in DISCOVERY_TOPICS]
    if accounts.presence_topic:
        lines.append(f"topic read {accounts.presence_topic}")
    devices, announcers, publishers = set(accounts.devices), set(accounts.announcers), set(accounts.presence_publishers)
    for name in sorted(devices | announcers):
        _check(name)
        # One block per user, holding everything that user may do.
        lines += ["", f"user {name}"]
        if name in devices:
            lines += [f"topic write {request_topic(name)}", f"topic read {response_topic(name)}/#"]
        if name in announcers:
            lines += [f"topic write {t}" for t in DISCOVERY_TOPICS]
        if accounts.presence_topic and name in publishers:
            lines.append(f"topic write {accounts.presence_topic}")
    return "\n".join(lines) + "\n"


def _check(username: str) -> None:
    # A username is also a topic level: no wildcards, no separators, nothing to escape.
    if not USERNAME.match(username):
        raise ValueError(f"{username!r} is not a valid broker username")


def _replace(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def write(accounts: Accounts, passwd: Path, acl_file: Path) -> None:
    """Write the password and ACL files."""
    for name in accounts.hashes:
        if name != accounts.hearth:
            _check(name)
    _replace(passwd, "".join(f"{name}:{hashed}\n" for name, hashed in sorted(accounts.hashes.items())))
    _replace(acl_file, acl(accounts))


def reload(pid_file: Path) -> bool:
    """Tell the broker to re-read its files (SIGHUP keeps clients connected); False if it is not running."""
    try:
        pid = int(pid_file.read_text().strip())
        # A pid file left by a broker that died may name another process by now.
        if Path(f"/proc/{pid}/comm").read_text().strip() != "mosquitto":
            return False
        os.kill(pid, signal.SIGHUP)
    except (OSError, ValueError):
        return False
    return True
