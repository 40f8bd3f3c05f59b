"""Django settings. The environment is read here, through `gateway.conf.read`, and nowhere else:
every variable is declared once in `gateway/conf.py` (name, default, secret or not).

Newcomer default: SQLite file and an embedded filesystem broker under CRIEUR_DATA_DIR (./var).
Production (`CRIEUR_ENV=production`): DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis or
RabbitMQ), an own CRIEUR_SECRET_KEY, HTTPS rules on.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from whitenoise.compress import Compressor

from gateway.conf import development_key, matching, read, secret_problem

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = read("CRIEUR_DATA_DIR", BASE_DIR / "var")

PRODUCTION = read("CRIEUR_ENV") == "production"
DEBUG = read("CRIEUR_DEBUG")
# Why this process must not serve (one line), or "": checked by the servers before they start
# (`crieur web/worker/beat/serve` and every command on a real database, the WSGI module, the
# system checks; see gateway/conf.py `secret_problem`).
SECRET_KEY_PROBLEM = secret_problem()
# An own key; else, on the embedded default only, the development key of this data folder.
# Where an own key is needed, never a known one: a throwaway key for this process (tests on
# PostgreSQL run so; a server has refused to start by then).
SECRET_KEY_IS_OWN = bool(read("CRIEUR_SECRET_KEY"))
SECRET_KEY = read("CRIEUR_SECRET_KEY") or (
    secrets.token_urlsafe(50) if SECRET_KEY_PROBLEM else development_key(DATA_DIR)
)
PUBLIC_URL = read("CRIEUR_PUBLIC_URL").rstrip("/")
ALLOWED_HOSTS = read("CRIEUR_ALLOWED_HOSTS") or list(
    dict.fromkeys(
        [
            urlsplit(PUBLIC_URL).hostname or "localhost",
            *([] if PRODUCTION else ["localhost", "127.0.0.1", "testserver"]),
        ]
    )
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "gateway",  # before ninja: gateway/templates/ninja/redoc.html replaces ninja's
    "ninja",  # Swagger UI and ReDoc from the package's own static files, no CDN
]
MIDDLEWARE = [
    "gateway.health.HealthMiddleware",  # probes: before the host check and the HTTPS redirect
    "gateway.middleware.RequestLimitsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
        read("DATABASE_URL") or _SQLITE_URL,
        conn_max_age=read("CRIEUR_DB_CONN_MAX_AGE"),
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
STATIC_ROOT = read("CRIEUR_STATIC_ROOT", DATA_DIR / "static")
# Production serves the files `crieur manage collectstatic` gathered, under names that carry
# their hash (cached for ever by browsers); elsewhere WhiteNoise finds them in the packages.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_KEEP_ONLY_HASHED_FILES = True  # every page links the hashed names
# Source maps are for the browser's developer tools only: not worth compressing (megabytes).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing one
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"

DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

# Celery: the embedded default is a filesystem broker (no server) with an in-process worker.
CELERY_BROKER_URL = read("CELERY_BROKER_URL") or "filesystem://localhost/"
CELERY_BROKER_DIR = DATA_DIR / "broker"
CELERY_TASK_ALWAYS_EAGER = read("CRIEUR_EAGER")

# Token buckets (gateway/ratelimit.py) are shared through Redis when there is one.
RATELIMIT_REDIS_URL = read("CRIEUR_RATELIMIT_REDIS_URL") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)

# Computed results every process shares (gateway/routing/reach.py): Redis when there is one,
# else files in the data folder (the embedded server and the CLI are separate processes).
_CACHE_URL = read("CRIEUR_CACHE_URL") or RATELIMIT_REDIS_URL
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
        if _CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    )
}

OUTBOX_DIR = read("CRIEUR_OUTBOX_DIR", DATA_DIR / "outbox")
# This machine's copies of the archived cards and videos, named by SHA-256 (gateway/media/store.py).
MEDIA_DIR = read("CRIEUR_MEDIA_DIR", DATA_DIR / "media")
# A video job still `running` after this many seconds is taken to be lost and may start again.
MEDIA_JOB_STALE_AFTER = read("CRIEUR_MEDIA_STALE_AFTER")

# Providers: each one is enabled by its credentials; without them the outbox is used.
TWILIO_ACCOUNT_SID = read("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = read("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = read("TWILIO_FROM_NUMBER")
TWILIO_MESSAGING_SERVICE_SID = read("TWILIO_MESSAGING_SERVICE_SID")
TWILIO_BASE_URL = read("TWILIO_BASE_URL")  # tests point the SDK at a fake
TWILIO_TIMEOUT = read("CRIEUR_TWILIO_TIMEOUT")  # seconds per request
MASTODON_API_BASE_URL = read("MASTODON_API_BASE_URL")
MASTODON_ACCESS_TOKEN = read("MASTODON_ACCESS_TOKEN")

# Secrets of provider accounts (gateway/accounts/secrets.py) are encrypted with these Fernet
# keys: a comma-separated list, the first encrypts, every one decrypts (rotation). Without any,
# outside production a key is generated in the data folder; production requires them.
SECRETS_KEYS = tuple(read("CRIEUR_SECRETS_KEY"))
SECRETS_KEY_FILE = None if PRODUCTION else DATA_DIR / "secrets.key"

# Delivery engine (gateway/tasks/): see "Delivery engine" in the README.
DELIVERY_BATCH_SIZE = read("CRIEUR_BATCH_SIZE")
# Days a delivery keeps its details (provider reference, error); counts are kept for ever.
DELIVERY_RETENTION_DAYS = read("CRIEUR_DELIVERY_RETENTION_DAYS")
# Days a citizen's text (SMS reply, keyword) keeps its body; the row and its keyword stay.
INBOUND_RETENTION_DAYS = read("CRIEUR_INBOUND_RETENTION_DAYS", DELIVERY_RETENTION_DAYS)
# Earlier secret keys, newest first (comma-separated), after a rotation: signed cookies and the
# suppression list's keyed hashes made with them still verify (gateway/audience/suppression.py).
SECRET_KEY_FALLBACKS = read("CRIEUR_SECRET_KEY_FALLBACKS")
# Sends in flight at once (one pool of threads per worker process; they never touch the database).
DELIVERY_SEND_THREADS = read("CRIEUR_SEND_THREADS")
# A batch is claimed, sent and recorded by parts of this size, so that the database work of one
# part overlaps the sends of the next (gateway/tasks/delivery.py).
DELIVERY_PART_SIZE = read("CRIEUR_PART_SIZE")
DELIVERY_MAX_ATTEMPTS = read("CRIEUR_MAX_ATTEMPTS")
# An alert not sent this long after it became due is no longer worth sending: it ends `skipped`.
DELIVERY_MAX_AGE_MINUTES = {
    urgency: read(f"CRIEUR_MAX_AGE_{urgency.upper()}")
    for urgency in ("urgent", "important", "info")
}
# A delivery `sending` (or `planned` with no task in the queue) this long is looked at again by
# the periodic sweep; tasks are killed after half of it, so none is still running by then.
DELIVERY_STUCK_AFTER = read("CRIEUR_STUCK_AFTER")
PERIODIC_INTERVAL = read("CRIEUR_PERIODIC_SECONDS")
# Provider API calls per second per account (token bucket), e.g. CRIEUR_RATE_TWILIO_SMS=100.
# Unset: the channel's own `request_rate_per_sec`; 0: no limit.
PROVIDER_RATES = {
    key.removeprefix("CRIEUR_RATE_").lower(): rate for key, rate in matching("CRIEUR_RATE_").items()
}

# Seconds per request to a network's API, per account kind (CRIEUR_TIMEOUT_LINKEDIN=20); unset:
# the channel's own (Twilio: CRIEUR_TWILIO_TIMEOUT). A reply later than this is an unknown outcome.
PROVIDER_TIMEOUTS = {
    key.removeprefix("CRIEUR_TIMEOUT_").lower(): timeout
    for key, timeout in matching("CRIEUR_TIMEOUT_").items()
}

# Every record is redacted when it is made (phone numbers, query strings, signed links), so
# every handler writes redacted text: ours, Django's `django.server` access log, gunicorn's,
# Celery's (gateway/logging.py).
LOGGING_CONFIG = "gateway.logging.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": read("CRIEUR_LOG_LEVEL")},
    # SQL with its parameters (names, phones, addresses) is never logged, even at DEBUG.
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Console sign-in: CRIEUR_LOGIN_FAILURES failures per account (four times as many per client
# address) are allowed per CRIEUR_LOGIN_LOCKOUT_MINUTES; then the sign-in is refused until
# they are forgotten (gateway/console/login.py).
LOGIN_FAILURES = read("CRIEUR_LOGIN_FAILURES")
LOGIN_LOCKOUT_SECONDS = 60 * read("CRIEUR_LOGIN_LOCKOUT_MINUTES")
# /readyz: a worker counts while its heartbeat (gateway/heartbeat.py) is this recent.
WORKER_SEEN_SECONDS = read("CRIEUR_WORKER_SEEN_SECONDS")
WEB_WORKERS = read("CRIEUR_WEB_WORKERS")
WEB_THREADS = read("CRIEUR_WEB_THREADS")
WEB_TIMEOUT = read("CRIEUR_WEB_TIMEOUT")

# Headers (every response): no framing, a CSP without inline code, no referrer to other sites.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Cookies: never readable by scripts, not sent on cross-site posts; `Secure` in production.
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = PRODUCTION
# HTTPS: Django only sends HSTS on a request it knows is secure; behind a proxy that
# terminates TLS, CRIEUR_PROXY_SSL_HEADER names the header the proxy sets (opt-in: trusting
# a header the proxy does not overwrite would let a client claim HTTPS).
SECURE_HSTS_SECONDS = read("CRIEUR_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_SSL_REDIRECT = read("CRIEUR_SSL_REDIRECT", PRODUCTION)
if _proxy_header := read("CRIEUR_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
    USE_X_FORWARDED_HOST = False  # the host stays the one ALLOWED_HOSTS checks
# Preloading HSTS is the domain owner's decision, made once at hstspreload.org for a whole
# registered domain; an application cannot take it for the town hall.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Public pages (/v/<code>): per client address, PUBLIC_RATE requests per second, bursts of
# PUBLIC_BURST. Request bodies: API_MAX_BODY_BYTES (413 above), uploads API_MAX_UPLOAD_BYTES.
PUBLIC_RATE = read("CRIEUR_PUBLIC_RATE")
PUBLIC_BURST = read("CRIEUR_PUBLIC_BURST")
API_MAX_BODY_BYTES = DATA_UPLOAD_MAX_MEMORY_SIZE
API_MAX_UPLOAD_BYTES = read("CRIEUR_MAX_UPLOAD_BYTES")

# Conversation (gateway/conversation/): a question is answered from the announcements published
# in the last ANSWER_MAX_AGE_DAYS (or not expired yet, when they have an expiry).
ANSWER_MAX_AGE_DAYS = read("CRIEUR_ANSWER_MAX_AGE_DAYS")
# Social comments (Mastodon mentions, Facebook page comments) are fetched every this many seconds.
COMMENTS_INTERVAL = read("CRIEUR_COMMENTS_SECONDS")
# CAP Atom feeds (gateway/alerts/feeds.py) are polled every this many seconds.
CAP_FEED_INTERVAL = read("CRIEUR_CAP_FEED_SECONDS")
