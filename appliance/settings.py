"""Hearth's settings: one flat module, read from the environment.

Defaults serve a first run on a laptop: SQLite in WAL mode and Redis on localhost,
state under ./var. The appliance sets the same variables in /etc/hearth/hearth.env.
"""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path
from urllib.parse import urlparse

import django_stubs_ext
from cryptography.fernet import Fernet

from appliance.hosts import BoxHosts

# Lets admin.ModelAdmin[Model] and friends be written at run time as the types say.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """Read a string from the environment."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean (1/0, true/false, yes/no, on/off) from the environment."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean, got {raw!r}")


def env_int(name: str, default: int) -> int:
    """Read an integer from the environment."""
    raw = os.environ.get(name)
    return default if raw is None or raw == "" else int(raw)


def env_float(name: str, default: float) -> float:
    """Read a float from the environment."""
    raw = os.environ.get(name)
    return default if raw is None or raw == "" else float(raw)


def env_secret(name: str, generate: str | None = None) -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE.

    With neither set and `generate` naming a file, the secret is created once in that
    file (mode 0600), so a first run on a laptop needs no setup and has no default secret.
    """
    if os.environ.get(name):
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE") or generate
    if not path:
        raise RuntimeError(f"{name} or {name}_FILE must be set")
    file = Path(path)
    if not file.exists() and generate is not None and path == generate:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(Fernet.generate_key().decode() if name == "HEARTH_FERNET_KEY" else secrets.token_urlsafe(50))
    return file.read_text().strip()


DATA_DIR = Path(env_str("HEARTH_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("HEARTH_DEBUG", False)
SECRET_KEY = env_secret("HEARTH_SECRET_KEY", generate=str(DATA_DIR / "secret_key"))
# Provider keys are encrypted at rest with this key (Fernet).
FERNET_KEY = env_secret("HEARTH_FERNET_KEY", generate=str(DATA_DIR / "fernet_key"))


def _allowed_hosts(raw: str) -> list[str]:
    hosts = [h.strip() for h in raw.split(",") if h.strip()]
    if "auto" not in hosts:
        return hosts
    # The box's own names and its current addresses; never "*": the Host check is what
    # stops DNS rebinding from a web page in the household's browser.
    hosts.remove("auto")
    mdns = f"{env_str('HEARTH_MDNS_HOSTNAME', 'hearth')}.local"  # the name Hearth announces
    return BoxHosts(
        [*hosts, mdns, "hearth.local", "localhost", "127.0.0.1", "[::1]", socket.gethostname(), f"{socket.gethostname()}.local"]
    )


# "auto": the box's names and whatever addresses it has now, so a device on the LAN that
# calls it by address is answered; a list of names pins them instead.
ALLOWED_HOSTS = _allowed_hosts(env_str("HEARTH_ALLOWED_HOSTS", "auto"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "appliance",
    "devices",
    "policies",
    "gateway",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "appliance.urls"
ASGI_APPLICATION = "appliance.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database(url: str) -> dict[str, object]:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("HEARTH_SQLITE_PATH", str(DATA_DIR / "hearth.sqlite3")),
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
            "OPTIONS": {
                # WAL lets the web process read while a worker writes; FULL because the
                # audit log must survive a power cut; IMMEDIATE so that sealing the audit
                # chain takes the write lock before it reads the chain's head.
                # HEARTH_DB_MAX_MB caps the file (0: no cap): past it the database is full,
                # as on a full disk, and it never takes the room the models need.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                + (f" PRAGMA max_page_count={env_int('HEARTH_DB_MAX_MB', 0) * 256};" if env_int("HEARTH_DB_MAX_MB", 0) else ""),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ValueError("DATABASE_URL must be a postgres:// URL")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parsed.path.lstrip("/"),
        "USER": parsed.username or "",
        "PASSWORD": parsed.password or "",
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
    }


DATABASES = {"default": _database(env_str("DATABASE_URL"))}
# Keep connections open between requests and tasks: a new SQLite connection re-runs its
# PRAGMAs, which cost more than most of the queries a request makes.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("HEARTH_DB_CONN_MAX_AGE", 300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The languages the box's pages are translated into (appliance/locale/; `make messages`).
# The household's language picks one (appliance.middleware.HouseholdClock); any other is English.
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]
# HEARTH_LOCALE_DIR only for the check that the committed catalogues hold every marked string.
LOCALE_PATHS = [Path(env_str("HEARTH_LOCALE_DIR", str(BASE_DIR / "appliance" / "locale")))]
# The box's zone until it is claimed; then pages and rules use the household's
# (appliance.middleware.HouseholdClock, policies.services.household_zone).
TIME_ZONE = env_str("HEARTH_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- The web admin: setup wizard, dashboard, audit log, accounts (appliance/) -----------
# The code that claims the box; the image's firstboot writes it, else the first start does.
HEARTH_SETUP_CODE_FILE = env_str("HEARTH_SETUP_CODE_FILE", str(DATA_DIR / "setup-code"))
# Set when the box is reached over HTTPS (a certificate or a reverse proxy in front).
HEARTH_HTTPS = env_bool("HEARTH_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HEARTH_HTTPS
SECURE_SSL_REDIRECT = HEARTH_HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the service manager probes over loopback HTTP
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HEARTH_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HEARTH_HTTPS
SECURE_HSTS_PRELOAD = HEARTH_HTTPS
if env_bool("HEARTH_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_COOKIE_HTTPONLY = True  # pages send the token from the template, never from JavaScript's cookie jar
SESSION_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
# Failed sign-ins allowed per account and address together within the window; another
# address (the owner at home) is never locked out by someone else's failures.
HEARTH_LOGIN_FAILURES = env_int("HEARTH_LOGIN_FAILURES", 5)
HEARTH_LOGIN_WINDOW = env_int("HEARTH_LOGIN_WINDOW", 15 * 60)
# Encrypted backups (appliance/services/backups.py); copy them off the box from the Backups page.
HEARTH_BACKUP_DIR = Path(env_str("HEARTH_BACKUP_DIR", str(DATA_DIR / "backups")))
# Signed A/B updates (appliance/updates.py): the state and history on the data partition, and
# the files of the running system they read (a test points them at files of its own).
HEARTH_UPDATE_DIR = Path(env_str("HEARTH_UPDATE_DIR", str(DATA_DIR / "updates")))
HEARTH_RELEASE_FILE = Path(env_str("HEARTH_RELEASE_FILE", "/etc/hearth/release"))
HEARTH_RAUC_CONF = Path(env_str("HEARTH_RAUC_CONF", "/etc/rauc/system.conf"))
HEARTH_KERNEL_CMDLINE = Path(env_str("HEARTH_KERNEL_CMDLINE", "/proc/cmdline"))
HEARTH_RAUC = env_str("HEARTH_RAUC", "rauc")
# What the Updates page's "Restart now" runs (the service user may reboot through polkit).
HEARTH_REBOOT_COMMAND = env_str("HEARTH_REBOOT_COMMAND", "/usr/bin/systemctl reboot").split()
# A bundle uploaded on the Updates page may be this large and take this long (the edge's
# limits on every other request body are HEARTH_MAX_BODY_BYTES and HEARTH_BODY_SECONDS).
HEARTH_MAX_BUNDLE_BYTES = env_int("HEARTH_MAX_BUNDLE_BYTES", 4 * 1024**3)
HEARTH_BUNDLE_UPLOAD_SECONDS = env_float("HEARTH_BUNDLE_UPLOAD_SECONDS", 3600.0)
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "appliance.middleware.SecurityHeaders")
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1, "appliance.middleware.SetupRequired")
MIDDLEWARE.insert(MIDDLEWARE.index("appliance.middleware.SetupRequired") + 1, "appliance.middleware.HouseholdClock")
# Who acts in a request, for the record of settings changes (gateway.settings_audit): after the user is known.
MIDDLEWARE.insert(MIDDLEWARE.index("appliance.middleware.HouseholdClock") + 1, "gateway.middleware.RecordActor")

# Devices, providers and rules are kept in each process until they change; whatever a process
# holds is read again after this many seconds even if no change reached it (appliance.plumbing.versioned).
HEARTH_VERSIONED_MAX_AGE = env_int("HEARTH_VERSIONED_MAX_AGE", 30)

# --- Redis, Celery ---------------------------------------------------------------------
# The default is the private port `make run` starts Redis on (the box's units set their own).
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6390/0")

# The channel layer: workers and services push live updates to admin pages over it.
CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL], "prefix": "hearth:ws"}}}

CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT = "appliance.plumbing.broker:Transport"  # kombu's Redis transport, one client per channel
CELERY_TASK_IGNORE_RESULT = True
# A worker killed mid-request must not lose the request: acknowledge after the task
# ran, and put it back when the worker process dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The classify worker's child loads the classifier and the NER pipelines at start
# (policies.tasks.warm_up) before it says it is up; Celery's 4 s would kill it on a busy box.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = env_int("HEARTH_WORKER_START_SECONDS", 90)
# How long a taken but unacknowledged request waits before Redis hands it to another
# worker. A long stream outlives it safely: a running task holds a lease (below) and a
# redelivered copy waits for the lease instead of starting again.
# Workers look for such lapsed requests every few seconds (kombu's default is 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("HEARTH_VISIBILITY_TIMEOUT", 60),
    "unacked_restore_interval": env_int("HEARTH_RESTORE_INTERVAL", 5),
    "unacked_restore_throttle": 1,
    # The lock a worker holds while it hands lapsed requests back: one killed while holding it
    # (kill -9, the OOM killer) leaves it to expire, and kombu's 5 minutes would hold every
    # redelivery back that long; handing back takes milliseconds.
    "unacked_mutex_expire": env_int("HEARTH_UNACKED_MUTEX_SECONDS", 30),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "upstream"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "probe-providers": {"task": "gateway.tasks.probe_providers", "schedule": 30.0},
    "seal-abandoned-audit": {"task": "gateway.tasks.seal_abandoned", "schedule": 60.0},
    "purge-expired-prompts": {"task": "gateway.tasks.purge_expired_prompts", "schedule": 3600.0},
    "purge-old-audit-rows": {"task": "appliance.tasks.purge_old_audit_rows", "schedule": 3600.0},  # the retention period
    "scheduled-backup": {"task": "appliance.tasks.scheduled_backup", "schedule": 900.0},  # runs one when the household's schedule says
    "check-notices": {"task": "appliance.tasks.check_notices", "schedule": 120.0},  # tells the owner what changed
    "check-audit-chain": {"task": "appliance.tasks.check_notices", "schedule": 3600.0, "kwargs": {"chain": True}},
    # Hourly so that a box off on Monday morning still tells it; once per ISO week (its key).
    "weekly-digest": {"task": "appliance.tasks.send_digest", "schedule": 3600.0},
    "verify-models": {"task": "appliance.tasks.verify_models", "schedule": 86400.0},
    "sample-load": {
        "task": "appliance.tasks.sample_load",
        "schedule": 60.0,
    },  # the home GPU's load and queue over time  # stored models hashed again, slowly
}

# --- The request path ----------------------------------------------------------------
# A worker serving a request renews this lease every third of it: its heartbeat. The web
# process takes a request whose lease lapsed for lost within about this long (the client
# hears worker_lost), and a redelivered copy of the request never serves it twice.
HEARTH_LEASE_SECONDS = env_float("HEARTH_LEASE_SECONDS", 6.0)
# The web process gives up on a request that shows no sign of life for this long.
HEARTH_RELAY_IDLE_SECONDS = env_float("HEARTH_RELAY_IDLE_SECONDS", 300.0)
HEARTH_MAX_BODY_BYTES = env_int("HEARTH_MAX_BODY_BYTES", 16 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = HEARTH_MAX_BODY_BYTES
# Limits at the edge (appliance.edge): a request's line and headers, how many headers, how
# long a client may take to send them and its body, and how many connections are served.
HEARTH_MAX_HEAD_BYTES = env_int("HEARTH_MAX_HEAD_BYTES", 32 * 1024)
HEARTH_MAX_HEADERS = env_int("HEARTH_MAX_HEADERS", 100)
HEARTH_HEAD_SECONDS = env_float("HEARTH_HEAD_SECONDS", 10.0)
HEARTH_BODY_IDLE_SECONDS = env_float("HEARTH_BODY_IDLE_SECONDS", 10.0)
HEARTH_BODY_SECONDS = env_float("HEARTH_BODY_SECONDS", 60.0)
HEARTH_MAX_CONNECTIONS = env_int("HEARTH_MAX_CONNECTIONS", 512)
HEARTH_MAX_TOKENS = env_int("HEARTH_MAX_TOKENS", 8192)
HEARTH_MAX_PROMPT_CHARS = env_int("HEARTH_MAX_PROMPT_CHARS", 400_000)
HEARTH_CONNECT_TIMEOUT = env_float("HEARTH_CONNECT_TIMEOUT", 5.0)
# Default silence allowed from the home engine before failing over (other providers
# have their own setting in the admin).
HEARTH_FIRST_BYTE_TIMEOUT = env_float("HEARTH_FIRST_BYTE_TIMEOUT", 60.0)
# Screening (classification, span detection, images) must finish within this, or the
# request is treated as most sensitive and kept home.
HEARTH_CLASSIFY_BUDGET = env_float("HEARTH_CLASSIFY_BUDGET", 0.2)
# How long the web process waits for a request's screening (including its wait in the
# classify queue) before keeping the request home; and how long a serving worker waits
# for word of the audit row.
HEARTH_SCREENING_WAIT = env_float("HEARTH_SCREENING_WAIT", 10.0)
# Deliveries of a request's task (its worker died each time) before it is dead-lettered.
HEARTH_MAX_DELIVERIES = env_int("HEARTH_MAX_DELIVERIES", 3)
# Home requests in flight beyond which the router prefers another allowed tier.
HEARTH_HOME_QUEUE_SOFT_LIMIT = env_int("HEARTH_HOME_QUEUE_SOFT_LIMIT", 8)
# Minutes a provider must fail without a single answer before the owner is told it is down
# (a blip is not news: requests fall back by themselves).
HEARTH_PROVIDER_DOWN_MINUTES = env_int("HEARTH_PROVIDER_DOWN_MINUTES", 10)

# --- The home engine ------------------------------------------------------------------
HEARTH_HOME_ENGINE = env_str("HEARTH_HOME_ENGINE", "llamacpp")  # llamacpp | vllm
HEARTH_HOME_MODEL = env_str("HEARTH_HOME_MODEL", "")  # empty: the bundled SmolLM2 GGUF
HEARTH_HOME_MODEL_NAME = env_str("HEARTH_HOME_MODEL_NAME", "home")
HEARTH_HOME_HOST = "127.0.0.1"  # loopback only: the engine has no authentication
HEARTH_HOME_PORT = env_int("HEARTH_HOME_PORT", 8081)
# The home embeddings engine, once the household chooses an embeddings model in the store.
HEARTH_HOME_EMBEDDINGS_PORT = env_int("HEARTH_HOME_EMBEDDINGS_PORT", 8082)
HEARTH_HOME_THREADS = env_int("HEARTH_HOME_THREADS", 1)
HEARTH_HOME_CONTEXT = env_int("HEARTH_HOME_CONTEXT", 2048)
HEARTH_VLLM_ARGS = env_str("HEARTH_VLLM_ARGS", "")
HEARTH_VLLM_BIN = env_str("HEARTH_VLLM_BIN", "vllm")  # vLLM lives in a venv of its own on the image
# The model store (appliance/store): where fetched models live, the hub (or its mirror, a
# LAN cache) they come from, and the disk kept free beside them.
HEARTH_MODELS_DIR = Path(env_str("HEARTH_MODELS_DIR", str(DATA_DIR / "models")))
HEARTH_HF_ENDPOINT = env_str("HEARTH_HF_ENDPOINT", "https://huggingface.co")
HEARTH_MODELS_VERIFY_MB_S = env_float("HEARTH_MODELS_VERIFY_MB_S", 20.0)  # the daily re-hash of stored models, at most
HEARTH_MODELS_DISK_RESERVE_MIB = env_int("HEARTH_MODELS_DISK_RESERVE_MIB", 1024)

# --- The web process -------------------------------------------------------------------
# Every interface by default: a box on the home network must be reachable from the kitchen
# tablet. An unclaimed box only shows the wizard behind its setup code, and /v1 needs a
# device key. 127.0.0.1 keeps it to this machine; what Hearth tells devices follows suit.
HEARTH_WEB_HOST = env_str("HEARTH_WEB_HOST", "0.0.0.0")  # noqa: S104
HEARTH_WEB_PORT = env_int("HEARTH_WEB_PORT", 8080)

# --- Devices: discovery, announcement, pairing, MQTT (devices/) --------------------------
# Interfaces (names like eth0 or IPv4 addresses, comma-separated) that discovery browses
# and Hearth announces itself on; empty: every interface.
HEARTH_DISCOVERY_INTERFACES = [i.strip() for i in env_str("HEARTH_DISCOVERY_INTERFACES").split(",") if i.strip()]
HEARTH_MDNS_HOSTNAME = env_str("HEARTH_MDNS_HOSTNAME", "hearth")  # announced as <name>.local
HEARTH_MDNS_NAME = env_str("HEARTH_MDNS_NAME", "Hearth")  # the service instance name
# Whether discovery also answers for <hostname>.local itself; off where avahi already owns
# the host name (the appliance), so two responders never contend for it.
HEARTH_MDNS_ANNOUNCE_HOST = env_bool("HEARTH_MDNS_ANNOUNCE_HOST", True)
# What devices are told to call; empty: http://<hostname>.local:<web port>.
HEARTH_PUBLIC_URL = env_str("HEARTH_PUBLIC_URL").rstrip("/")
HEARTH_PAIRING_ENABLED = True  # announce the pairing path in the _hearth._tcp TXT record
HEARTH_PAIRING_PATH = "/v1/pair"
HEARTH_MQTT_HOST = env_str("HEARTH_MQTT_HOST", "127.0.0.1")
HEARTH_MQTT_PORT = env_int("HEARTH_MQTT_PORT", 1884)
HEARTH_MQTT_USERNAME = env_str("HEARTH_MQTT_USERNAME", "hearth")  # Hearth's own broker account
HEARTH_MQTT_PASSWORD = env_secret("HEARTH_MQTT_PASSWORD", generate=str(DATA_DIR / "mqtt_password"))
# Where Mosquitto's password, ACL and pid files live (the broker's config names them).
HEARTH_MQTT_FILES_DIR = Path(env_str("HEARTH_MQTT_FILES_DIR", str(DATA_DIR)))
# The topic whose home/away payloads say whether anyone is home (empty: no presence source).
HEARTH_PRESENCE_TOPIC = env_str("HEARTH_PRESENCE_TOPIC", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("HEARTH_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
