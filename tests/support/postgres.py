"""A PostgreSQL server for the test session, when HEARTH_TEST_DATABASE=postgres.

tests/conftest.py calls `start()` when it is loaded, before any database connection is
made: Debian's server in a folder of its own on a free port becomes the default database
(DATABASE_URL for the child processes too), and `stop()` ends it with the session.
Without the variable nothing happens, and the suite runs on SQLite.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

_server: subprocess.Popen[bytes] | None = None
_folder: Path | None = None


def _free_port() -> int:
    # Not appliance.plumbing.stack's: this plugin runs before Django and the app are imported.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise pytest.UsageError("HEARTH_TEST_DATABASE=postgres, but PostgreSQL's server is not installed (`make system` installs it)")
    return versions[-1].parent


def _as_owner(argv: list[str]) -> list[str]:
    # The server refuses to run as root; CI and the box's build run as root.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def child_database_env() -> dict[str, str]:
    """Return the settings that point a child process (worker, web, command) at the test database."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return {"HEARTH_SQLITE_PATH": str(db["NAME"])}
    return {"DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + str(db["NAME"])}


def start() -> None:
    """Start the server and make it the default database, if the session asks for PostgreSQL."""
    global _server, _folder
    if os.environ.get("HEARTH_TEST_DATABASE") != "postgres" or _server is not None:
        return
    bin_dir, port = _bin(), _free_port()
    _folder = Path(tempfile.mkdtemp(prefix="hearth-pg-"))
    if os.geteuid() == 0:
        shutil.chown(_folder, "postgres", "postgres")
    data = _folder / "data"
    subprocess.run(
        _as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", "hearth", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
        check=True,
        capture_output=True,
    )
    argv = [str(bin_dir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(_folder), "-c", "listen_addresses=127.0.0.1"]
    log = open(_folder / "server.log", "ab")  # noqa: SIM115  (lives as long as the server)
    _server = subprocess.Popen(_as_owner(argv), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 30
    ready = [str(bin_dir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)]
    while subprocess.run(ready, check=False).returncode != 0:  # listening is not yet accepting
        if _server.poll() is not None or time.monotonic() > deadline:
            raise pytest.UsageError(f"PostgreSQL did not start; see {_folder / 'server.log'}")
        time.sleep(0.1)
    subprocess.run([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "hearth", "hearth"], check=True)
    os.environ["DATABASE_URL"] = f"postgres://hearth@127.0.0.1:{port}/hearth"
    from django.conf import settings
    from django.db import connections

    from appliance.settings import _database

    # In place, before the first query: Django's connection handler holds this very dict.
    db = settings.DATABASES["default"]
    db.clear()
    db.update(_database(os.environ["DATABASE_URL"]), CONN_MAX_AGE=300, CONN_HEALTH_CHECKS=True)
    connections.configure_settings(settings.DATABASES)  # the defaults Django adds to each entry
    for wrapper in connections.all(initialized_only=True):  # made while apps loaded, never connected
        assert wrapper.connection is None, "a query ran before the test database was chosen"
        del connections[wrapper.alias]
    _flush_again_after_a_deadlock()


def _flush_again_after_a_deadlock() -> None:
    """Between transactional tests Django empties the tables with one TRUNCATE. The box's
    workers go on sealing the last test's audit rows meanwhile; SQLite makes the TRUNCATE
    wait for them, PostgreSQL may pick it as a deadlock's victim instead. Try it again then
    (the TRUNCATE is one transaction: it happened whole or not at all)."""
    from django.db import OperationalError
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: DatabaseOperations, sql_list: list[str]) -> None:
        for attempt in range(5):
            try:
                return flush(self, sql_list)
            except OperationalError as exc:
                if "deadlock detected" not in str(exc) or attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))

    DatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign,assignment]


def stop() -> None:
    """Stop the session's server, if it started one."""
    global _server
    if _server is None:
        return
    _server.terminate()  # a smart shutdown: the last test's connections are already closed
    try:
        _server.wait(20)
    except subprocess.TimeoutExpired:
        _server.kill()
        _server.wait()
    _server = None
    if _folder is not None:
        shutil.rmtree(_folder, ignore_errors=True)
