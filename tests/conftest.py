"""Session fixtures: real Redis, Celery workers, the llama.cpp home engine, the web process
and a capture upstream, all on free ports on loopback."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

from appliance import celery_app
from appliance.plumbing import versioned
from appliance.plumbing.stack import Ports, Stack
from devices import services as device_services
from devices.models import Device
from gateway.capture import CaptureUpstream
from gateway.models import AuditEvent, Provider
from tests.support import postgres
from tests.support.postgres import child_database_env

postgres.start()  # HEARTH_TEST_DATABASE=postgres: the suite on a PostgreSQL server of its own

# CI runs the property tests on a fixed sequence of examples, so a landing never hangs on a
# lucky draw; a developer's runs draw new ones (and keep what they find in .hypothesis/).
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_unconfigure(config: pytest.Config) -> None:
    postgres.stop()


ARTIFACTS = Path(os.environ.get("HEARTH_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    data = Path(tempfile.mkdtemp(prefix="hearth-test-"))
    s = Stack(
        data,
        Ports(),
        log_dir=ARTIFACTS / "logs",
        env={
            # Share the test process's secrets so both can read provider keys.
            "HEARTH_SECRET_KEY": settings.SECRET_KEY,
            "HEARTH_FERNET_KEY": settings.FERNET_KEY,
            # Short timers so failure paths are tested in seconds, not minutes.
            "HEARTH_VISIBILITY_TIMEOUT": "4",
            "HEARTH_RESTORE_INTERVAL": "1",
            "HEARTH_UNACKED_MUTEX_SECONDS": "5",
            "HEARTH_LEASE_SECONDS": "2",
            "HEARTH_RELAY_IDLE_SECONDS": "60",
            "HEARTH_SCREENING_WAIT": "8",
            # A test machine shared by the suite's own processes: the box's 200 ms is for a
            # box that serves requests, not one that also runs the tests beside it.
            "HEARTH_CLASSIFY_BUDGET": "1.0",
        },
    )
    s.start(s.redis())
    settings.REDIS_URL = s.redis_url
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [s.redis_url]
    celery_app.conf.update(broker_url=s.redis_url)
    yield s
    s.stop_all()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Give this test session a database file of its own, so two sessions never share one."""
    from django.db import connections

    name = str(Path(tempfile.mkdtemp(prefix="hearth-testdb-")) / "test.sqlite3")
    for alias in connections:
        if connections[alias].vendor == "sqlite":
            connections[alias].settings_dict["TEST"]["NAME"] = name


@pytest.fixture(scope="session")
def django_db_setup(stack: Stack, django_db_setup: None) -> None:
    """The test database, created once Redis (which `migrate` checks) is up."""


@dataclass
class Live:
    """The running box: its web URL and its processes."""

    stack: Stack
    url: str

    @property
    def api(self) -> str:
        return self.url + "/v1"


@pytest.fixture(scope="session")
def live(stack: Stack, django_db_setup: None, django_db_blocker: Any) -> Live:
    from gateway.services import ensure_home_provider

    settings.HEARTH_HOME_PORT = stack.ports.engine
    settings.HEARTH_HOME_EMBEDDINGS_PORT = stack.ports.embeddings
    with django_db_blocker.unblock():
        ensure_home_provider()
    stack.env.update(child_database_env())  # the workers and the web process use the test database
    stack.start(stack.engine())
    stack.start(stack.worker("classify", "prefork", 1))
    stack.start(stack.worker("home", "threads", 8))
    stack.start(stack.worker("upstream", "threads", 16))
    stack.start(stack.web())
    return Live(stack, stack.web_url)


@pytest.fixture(autouse=True)
def read_settings_again(request: pytest.FixtureRequest) -> None:
    """Every process reads devices, providers and rules again (appliance.plumbing.versioned): the last
    test's rows were rolled back or flushed, which no save or delete signal tells them."""
    if "stack" in request.fixturenames:  # the processes that keep them run beside this test
        request.getfixturevalue("stack")
        versioned.replaced()
    else:
        versioned.forget_here()


@pytest.fixture(scope="session")
def capture_server() -> Iterator[CaptureUpstream]:
    server = CaptureUpstream().start()
    yield server
    server.stop()


@pytest.fixture
def capture(capture_server: CaptureUpstream) -> CaptureUpstream:
    capture_server.reset()
    return capture_server


def audited(device: Device, count: int = 1, timeout: float = 10.0) -> list[AuditEvent]:
    """Return a device's audit rows once `count` of them are complete (the worker seals them
    just after the client has its answer)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = list(AuditEvent.objects.filter(device=device).exclude(outcome="pending").order_by("created_at"))
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


# --- personas ----------------------------------------------------------------------------


OWNER_PASSWORD = "ember-lantern-quiet-42"


@pytest.fixture
def owner(db: None) -> Any:
    """The household's owner: the box is claimed (until then every page leads to the wizard)."""
    from django.contrib.auth import get_user_model

    from appliance.models import Household

    Household.objects.create(pk=1, name="The Smiths")
    return get_user_model().objects.create_user("owner", password=OWNER_PASSWORD, is_staff=True, is_superuser=True)


@pytest.fixture
def client(owner: Any) -> Any:
    """Django's test client, on a box that has been claimed."""
    from django.test import Client

    return Client()


@dataclass
class PairedDevice:
    device: Device
    key: str


@pytest.fixture
def make_device(transactional_db: None) -> Callable[..., PairedDevice]:
    counter = iter(range(1000))

    def make(max_tier: str = "home", category: str = "laptop") -> PairedDevice:
        issued = device_services.add_device(f"device-{next(counter)}", category, max_tier)
        return PairedDevice(issued.device, issued.key)

    return make


@pytest.fixture
def laptop(make_device: Callable[..., PairedDevice]) -> PairedDevice:
    """A paired laptop allowed the home tier only (the default for a new device)."""
    return make_device()


@pytest.fixture
def make_provider(transactional_db: None, capture: CaptureUpstream) -> Callable[..., Provider]:
    def make(
        name: str,
        tier: str,
        *,
        family: str = "openai",
        key: str = "sk-test-capture-key-0001",
        quality: int = 9,
        url: str | None = None,
        models: list[str] | None = None,
    ) -> Provider:
        provider = Provider(
            name=name,
            tier=tier,
            family=family,
            base_url=url or capture.url,
            model_names=models or [f"{name}-model"],
            quality=quality,
            first_byte_timeout=2,
            price_in_per_mtok=1,
            price_out_per_mtok=2,
        )
        if tier == "trusted":  # the tier is defined by it (Provider.clean)
            provider.zero_data_retention = True
            provider.zdr_terms_url = "https://provider.example/terms#zero-retention"
            provider.zdr_checked_on = dt.date(2026, 11, 1)
        provider.set_api_key(key)
        provider.save()
        return provider

    return make


@pytest.fixture
def client_for(live: Live) -> Iterator[Callable[[PairedDevice], httpx.Client]]:
    clients: list[httpx.Client] = []

    def make(paired: PairedDevice) -> httpx.Client:
        client = httpx.Client(base_url=live.api, headers={"Authorization": f"Bearer {paired.key}"}, timeout=60)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()
