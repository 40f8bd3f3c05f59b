"""Django settings. The environment is read here (and in gateway/conf.py) and nowhere else.

Newcomer default: SQLite file and an embedded filesystem broker under CRIEUR_DATA_DIR (./var).
Production: DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis or RabbitMQ).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CRIEUR_DATA_DIR", BASE_DIR / "var")).resolve()

DEBUG = os.environ.get("CRIEUR_DEBUG", "") == "1"
SECRET_KEY = os.environ.get("CRIEUR_SECRET_KEY") or (
    "dev-only-insecure-key" if DEBUG or not os.environ.get("CRIEUR_PRODUCTION") else ""
)
if not SECRET_KEY:
    raise RuntimeError("CRIEUR_SECRET_KEY must be set when CRIEUR_PRODUCTION=1")
ALLOWED_HOSTS = os.environ.get("CRIEUR_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver").split(",")
PUBLIC_URL = os.environ.get("CRIEUR_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "gateway",
]
MIDDLEWARE = [
    "gateway.middleware.RequestLimitsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "gateway.urls"
WSGI_APPLICATION = "gateway.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ]
        },
    }
]

_SQLITE_URL = f"sqlite:///{DATA_DIR / 'crieur.sqlite3'}"
# Connections are kept between requests and tasks (a worker otherwise opens one per task),
# checked before reuse.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or _SQLITE_URL,
        conn_max_age=int(os.environ.get("CRIEUR_DB_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not its folder
    # WAL lets the embedded worker write while the web process reads; IMMEDIATE avoids
    # "database is locked" upgrades from read to write transactions.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # A file, not memory, so a worker process or thread in the tests sees the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-crieur.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "fr"
LANGUAGES = [
    ("fr", "Français"),
    ("en", "English"),
    ("es", "Español"),
    ("pt", "Português"),
    ("ar", "العربية"),
    ("br", "Brezhoneg"),
]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"

DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# Celery: the embedded default is a filesystem broker (no server) with an in-process worker.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://localhost/"
CELERY_BROKER_DIR = DATA_DIR / "broker"
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CRIEUR_EAGER", "") == "1"

# Token buckets (gateway/ratelimit.py) are shared through Redis when there is one.
RATELIMIT_REDIS_URL = os.environ.get("CRIEUR_RATELIMIT_REDIS_URL") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)

OUTBOX_DIR = Path(os.environ.get("CRIEUR_OUTBOX_DIR", DATA_DIR / "outbox")).resolve()
# This machine's copies of the archived cards and videos, named by SHA-256 (gateway/media/store.py).
MEDIA_DIR = Path(os.environ.get("CRIEUR_MEDIA_DIR", DATA_DIR / "media")).resolve()
# A video job still `running` after this many seconds is taken to be lost and may start again.
MEDIA_JOB_STALE_AFTER = float(os.environ.get("CRIEUR_MEDIA_STALE_AFTER", "900"))

# Providers: each one is enabled by its credentials; without them the outbox is used.
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID", "")
TWILIO_BASE_URL = os.environ.get("TWILIO_BASE_URL", "")  # tests point the SDK at a fake
TWILIO_TIMEOUT = float(os.environ.get("CRIEUR_TWILIO_TIMEOUT", "10"))  # seconds per request
MASTODON_API_BASE_URL = os.environ.get("MASTODON_API_BASE_URL", "")
MASTODON_ACCESS_TOKEN = os.environ.get("MASTODON_ACCESS_TOKEN", "")

# Secrets of provider accounts (gateway/accounts/secrets.py) are encrypted with these Fernet
# keys: a comma-separated list, the first encrypts, every one decrypts (rotation). Without any,
# the newcomer default generates one in the data folder; CRIEUR_PRODUCTION=1 requires them.
SECRETS_KEYS = tuple(
    key.strip() for key in os.environ.get("CRIEUR_SECRETS_KEY", "").split(",") if key.strip()
)
SECRETS_KEY_FILE = (
    DATA_DIR / "secrets.key" if DEBUG or not os.environ.get("CRIEUR_PRODUCTION") else None
)

# Delivery engine (gateway/tasks/): see "Delivery engine" in the README.
DELIVERY_BATCH_SIZE = int(os.environ.get("CRIEUR_BATCH_SIZE", "200"))
# Days a delivery keeps its details (provider reference, error); counts are kept for ever.
DELIVERY_RETENTION_DAYS = int(os.environ.get("CRIEUR_DELIVERY_RETENTION_DAYS", "365"))
# Sends in flight at once (one pool of threads per worker process; they never touch the database).
DELIVERY_SEND_THREADS = int(os.environ.get("CRIEUR_SEND_THREADS", "8"))
# A batch is claimed, sent and recorded by parts of this size, so that the database work of one
# part overlaps the sends of the next (gateway/tasks/delivery.py).
DELIVERY_PART_SIZE = int(os.environ.get("CRIEUR_PART_SIZE", "100"))
DELIVERY_MAX_ATTEMPTS = int(os.environ.get("CRIEUR_MAX_ATTEMPTS", "5"))
# An alert not sent this long after it became due is no longer worth sending: it ends `skipped`.
DELIVERY_MAX_AGE_MINUTES = {
    urgency: int(os.environ.get(f"CRIEUR_MAX_AGE_{urgency.upper()}", default))
    for urgency, default in (("urgent", "360"), ("important", "1440"), ("info", "4320"))
}
# A delivery `sending` (or `planned` with no task in the queue) this long is looked at again by
# the periodic sweep; tasks are killed after half of it, so none is still running by then.
DELIVERY_STUCK_AFTER = float(os.environ.get("CRIEUR_STUCK_AFTER", "600"))
PERIODIC_INTERVAL = float(os.environ.get("CRIEUR_PERIODIC_SECONDS", "30"))
# Provider API calls per second per account (token bucket), e.g. CRIEUR_RATE_TWILIO_SMS=100.
# Unset: the channel's own `request_rate_per_sec`; 0: no limit.
PROVIDER_RATES = {
    key.removeprefix("CRIEUR_RATE_").lower(): float(value)
    for key, value in os.environ.items()
    if key.startswith("CRIEUR_RATE_")
}

# Seconds per request to a network's API, per account kind (CRIEUR_TIMEOUT_LINKEDIN=20); unset:
# the channel's own (Twilio: CRIEUR_TWILIO_TIMEOUT). A reply later than this is an unknown outcome.
PROVIDER_TIMEOUTS = {
    key.removeprefix("CRIEUR_TIMEOUT_").lower(): float(value)
    for key, value in os.environ.items()
    if key.startswith("CRIEUR_TIMEOUT_")
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "gateway.logging.RedactPersonalDataFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CRIEUR_LOG_LEVEL", "WARNING")},
}

# Public pages (/v/<code>): per client address, PUBLIC_RATE requests per second, bursts of
# PUBLIC_BURST. Request bodies: API_MAX_BODY_BYTES (413 above), uploads API_MAX_UPLOAD_BYTES.
PUBLIC_RATE = float(os.environ.get("CRIEUR_PUBLIC_RATE", "1"))
PUBLIC_BURST = float(os.environ.get("CRIEUR_PUBLIC_BURST", "30"))
API_MAX_BODY_BYTES = DATA_UPLOAD_MAX_MEMORY_SIZE
API_MAX_UPLOAD_BYTES = int(os.environ.get("CRIEUR_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
