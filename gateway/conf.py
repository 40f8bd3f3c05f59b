"""Every environment variable Crieur reads: one list, the single source.

`gateway/settings.py` reads the environment only through `read()`, so a name missing from
`VARIABLES` fails at start-up (and `tests/gateway/test_conf.py` checks the source too). The
README's configuration table is printed from this list (`crieur config docs`), and
`crieur config check` prints the effective values from it, secrets masked.

This module imports nothing from Django: `crieur config check` uses it to explain a
configuration that Django itself would refuse to load.
"""

from __future__ import annotations

import difflib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# How a value is shown back: in clear, masked entirely, or a URL with its password masked.
CLEAR, SECRET, URL = "clear", "secret", "url"
MASK = "••••••••"
PRODUCTION = "production"
ENVIRONMENTS = ("development", PRODUCTION)


class ConfigError(Exception):
    """A value that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class Variable:
    name: str
    default: str  # the value used when unset ("" = unset); see `shown_default` for the docs
    description: str
    kind: str = "str"  # str | int | float | bool | path | list
    show: str = CLEAR
    shown_default: str = ""  # how the docs say the default, when it is computed elsewhere
    prefix: bool = False  # `name` is a prefix: CRIEUR_RATE_<CHANNEL>
    placeholder: str = ""  # what follows the prefix, in the docs
    group: str = "general"

    @property
    def secret(self) -> bool:
        return self.show != CLEAR

    def documented_default(self) -> str:
        return self.shown_default or (f"`{self.default}`" if self.default else "unset")


V = Variable
# fmt: off
VARIABLES: tuple[Variable, ...] = (
    # --- the instance
    V("CRIEUR_ENV", "development", "`production` turns on the production rules: an own secret "
      "key is required, cookies are `Secure`, HSTS and the HTTPS redirect are on, static files "
      "are served with hashed names"),
    V("CRIEUR_SECRET_KEY", "", "signs sessions, links and codes; required in production and on "
      "any real database, broker or provider (50 random characters: "
      "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`)", show=SECRET,
      shown_default="a development key generated in `$CRIEUR_DATA_DIR/dev-secret-key`, only "
      "for the embedded default"),
    V("CRIEUR_SECRET_KEY_FALLBACKS", "", "earlier secret keys after a rotation, newest first, "
      "comma-separated: old signed links and the suppression list's hashes still match (see "
      "Privacy and security)", kind="list", show=SECRET),
    V("CRIEUR_SECRETS_KEY", "", "Fernet keys that encrypt provider account secrets, "
      "comma-separated: the first encrypts, every one decrypts (rotation: `crieur accounts "
      "new-key`, put it first, `crieur accounts rotate-keys`, then drop the old one); required "
      "in production", kind="list", show=SECRET,
      shown_default="a key generated in `$CRIEUR_DATA_DIR/secrets.key`, outside production"),
    V("CRIEUR_DEBUG", "0", "`1`: Django's debug pages (never in production)", kind="bool"),
    V("CRIEUR_DATA_DIR", "", "database, broker, outbox and development key of the default",
      kind="path", shown_default="`./var`"),
    V("CRIEUR_PUBLIC_URL", "http://127.0.0.1:8000", "the address citizens and Twilio see: "
      "verification links `/v/<code>`, webhooks"),
    V("CRIEUR_ALLOWED_HOSTS", "", "host names the web server answers, comma-separated",
      kind="list", shown_default="the host of `CRIEUR_PUBLIC_URL` (and `localhost,127.0.0.1,"
      "testserver` outside production)"),
    V("CRIEUR_LOG_LEVEL", "WARNING", "`DEBUG`, `INFO`, `WARNING`…; phone numbers, query "
      "strings and signed links are redacted from every log line"),
    # --- database and broker
    V("DATABASE_URL", "", "PostgreSQL in production: `postgres://user:password@host/db`",
      show=URL, shown_default="SQLite in `$CRIEUR_DATA_DIR`", group="services"),
    V("CRIEUR_DB_CONN_MAX_AGE", "600", "seconds a database connection is kept between requests "
      "and tasks (0: one per request or task)", kind="int", group="services"),
    V("CELERY_BROKER_URL", "", "`redis://…` or `amqp://…`", show=URL,
      shown_default="`filesystem://` in `$CRIEUR_DATA_DIR/broker`", group="services"),
    V("CRIEUR_RATELIMIT_REDIS_URL", "", "Redis shared by the token buckets", show=URL,
      shown_default="`CELERY_BROKER_URL` when it is Redis, else in the process",
      group="services"),
    V("CRIEUR_CACHE_URL", "", "Redis keeping computed results shared by every process (the "
      "reach estimates)", show=URL, shown_default="`CRIEUR_RATELIMIT_REDIS_URL`, else files in "
      "`$CRIEUR_DATA_DIR/cache`", group="services"),
    V("CRIEUR_EAGER", "0", "`1`: run tasks inline, without a worker (debugging only)",
      kind="bool", group="services"),
    # --- web server
    V("CRIEUR_WEB_WORKERS", "2", "`crieur web`: gunicorn worker processes", kind="int",
      group="web"),
    V("CRIEUR_WEB_THREADS", "4", "`crieur web`: threads per worker process", kind="int",
      group="web"),
    V("CRIEUR_WEB_TIMEOUT", "60", "`crieur web`: seconds before a stuck request's worker is "
      "restarted", kind="int", group="web"),
    V("CRIEUR_STATIC_ROOT", "", "where `crieur manage collectstatic` puts the static files "
      "that `crieur web` serves (WhiteNoise)", kind="path",
      shown_default="`$CRIEUR_DATA_DIR/static`", group="web"),
    V("CRIEUR_SSL_REDIRECT", "", "`1`: redirect plain HTTP to HTTPS (health probes excepted)",
      kind="bool", shown_default="`1` in production, else `0`", group="web"),
    V("CRIEUR_PROXY_SSL_HEADER", "", "behind a reverse proxy that terminates TLS: the header "
      "it sets to `https` (e.g. `X-Forwarded-Proto`); trust it only if the proxy overwrites it",
      group="web"),
    V("CRIEUR_HSTS_SECONDS", "", "`Strict-Transport-Security` max-age, sent over HTTPS only",
      kind="int", shown_default="one year in production, else `0`", group="web"),
    V("CRIEUR_LOGIN_FAILURES", "5", "console: failed sign-ins per account before a lockout "
      "(per client address: four times as many)", kind="int", group="web"),
    V("CRIEUR_LOGIN_LOCKOUT_MINUTES", "15", "console: minutes for the failures to be "
      "forgotten", kind="int", group="web"),
    V("CRIEUR_WORKER_SEEN_SECONDS", "90", "`/readyz`: a worker's heartbeat older than this "
      "does not count", kind="int", group="web"),
    V("CRIEUR_PUBLIC_RATE", "1", "requests per second per client address on `/v/<code>`",
      kind="float", group="web"),
    V("CRIEUR_PUBLIC_BURST", "30", "burst per client address on `/v/<code>`", kind="float",
      group="web"),
    V("CRIEUR_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024), "largest multipart upload (other "
      "bodies: 1 MiB)", kind="int", shown_default="10 MiB", group="web"),
    # --- delivery engine
    V("CRIEUR_OUTBOX_DIR", "", "where the outbox channels write", kind="path",
      shown_default="`$CRIEUR_DATA_DIR/outbox`", group="delivery"),
    V("CRIEUR_BATCH_SIZE", "200", "deliveries per Celery task (sent and recorded by parts of "
      "`CRIEUR_PART_SIZE`)", kind="int", group="delivery"),
    V("CRIEUR_PART_SIZE", "100", "deliveries claimed and recorded together inside a batch",
      kind="int", group="delivery"),
    V("CRIEUR_SEND_THREADS", "8", "requests in flight at once per worker process", kind="int",
      group="delivery"),
    V("CRIEUR_MAX_ATTEMPTS", "5", "attempts before a retryable error fails the delivery",
      kind="int", group="delivery"),
    V("CRIEUR_MAX_AGE_URGENT", "360", "minutes after which an unsent urgent delivery is "
      "skipped", kind="int", group="delivery"),
    V("CRIEUR_MAX_AGE_IMPORTANT", "1440", "the same for `important`", kind="int",
      group="delivery"),
    V("CRIEUR_MAX_AGE_INFO", "4320", "the same for `info`", kind="int", group="delivery"),
    V("CRIEUR_STUCK_AFTER", "600", "seconds in `sending` before the sweep reconciles a "
      "delivery", kind="float", group="delivery"),
    V("CRIEUR_PERIODIC_SECONDS", "30", "period of the release, sweep and scheduled-publication "
      "tasks (`crieur beat`)", kind="float", group="delivery"),
    V("CRIEUR_DELIVERY_RETENTION_DAYS", "365", "after this, a delivery's provider reference "
      "and error are cleared (counts are kept)", kind="int", group="delivery"),
    V("CRIEUR_INBOUND_RETENTION_DAYS", "", "after this, the body of a citizen's text is "
      "cleared (its keyword and counts are kept)", kind="int",
      shown_default="`CRIEUR_DELIVERY_RETENTION_DAYS`", group="delivery"),
    V("CRIEUR_ANSWER_MAX_AGE_DAYS", "60", "a citizen's question is answered from the "
      "announcements published in the last this many days (or not expired yet)", kind="int",
      group="delivery"),
    V("CRIEUR_COMMENTS_SECONDS", "300", "seconds between two fetches of the social accounts' "
      "comments and mentions (moderation)", kind="float", group="delivery"),
    V("CRIEUR_CAP_FEED_SECONDS", "300", "seconds between two polls of the organisations' CAP "
      "Atom feeds (MeteoAlarm, préfecture)", kind="float", group="delivery"),
    V("CRIEUR_MEDIA_DIR", "", "this machine's copies of the archived cards and videos, named by "
      "their SHA-256 (the database keeps the originals)", kind="path",
      shown_default="`$CRIEUR_DATA_DIR/media`", group="delivery"),
    V("CRIEUR_MEDIA_STALE_AFTER", "900", "seconds after which a video job still running is "
      "taken to be lost and may start again", kind="float", group="delivery"),
    V("CRIEUR_TIMEOUT_", "", "seconds per request to a network's API, per account kind, e.g. "
      "`CRIEUR_TIMEOUT_LINKEDIN=20`; a later reply is an unknown outcome", kind="float",
      prefix=True, placeholder="<KIND>", shown_default="the channel's own", group="delivery"),
    V("CRIEUR_RATE_", "", "provider requests per second per account, e.g. "
      "`CRIEUR_RATE_TWILIO_SMS=50` (`0`: no limit)", kind="float", prefix=True,
      placeholder="<CHANNEL>",
      shown_default="the channel's own", group="delivery"),
    # --- providers: the instance-wide default accounts
    V("TWILIO_ACCOUNT_SID", "", "Twilio account (SMS and voice); unset: outbox",
      group="providers"),
    V("TWILIO_AUTH_TOKEN", "", "Twilio auth token: API calls and webhook signatures",
      show=SECRET, group="providers"),
    V("TWILIO_FROM_NUMBER", "", "sender number (or `TWILIO_MESSAGING_SERVICE_SID`)",
      group="providers"),
    V("TWILIO_MESSAGING_SERVICE_SID", "", "Twilio messaging service", group="providers"),
    V("TWILIO_BASE_URL", "", "another Twilio API address (tests point it at a fake)",
      group="providers"),
    V("CRIEUR_TWILIO_TIMEOUT", "10", "seconds per Twilio request", kind="float",
      group="providers"),
    V("MASTODON_API_BASE_URL", "", "Mastodon instance; unset: outbox", group="providers"),
    V("MASTODON_ACCESS_TOKEN", "", "Mastodon access token", show=SECRET, group="providers"),
)
# fmt: on
del V
GROUPS = {
    "general": "The instance",
    "services": "Database and broker",
    "web": "Web server",
    "delivery": "Delivery engine",
    "providers": "Providers (instance-wide default accounts)",
}
# Names Crieur does not read but that belong to its families (checked for typos).
FAMILIES = ("CRIEUR_", "TWILIO_", "MASTODON_")
# Gone, with what replaces them: named in `crieur config check` rather than "unknown".
RENAMED = {"CRIEUR_PRODUCTION": "CRIEUR_ENV=production"}

BY_NAME = {v.name: v for v in VARIABLES if not v.prefix}
PREFIXES = tuple(v for v in VARIABLES if v.prefix)


def variable(name: str) -> Variable:
    """The declared variable of `name` (a prefix variable for CRIEUR_RATE_X)."""
    if name in BY_NAME:
        return BY_NAME[name]
    for var in PREFIXES:
        if name.startswith(var.name) and len(name) > len(var.name):
            return var
    raise KeyError(f"{name} is not in gateway/conf.py VARIABLES: declare it there")


def read(name: str, fallback=None, environ: Mapping[str, str] | None = None):
    """The typed value of `name` from the environment, else its default (else `fallback`)."""
    var = variable(name)
    raw = (os.environ if environ is None else environ).get(name, "")
    text = raw.strip() if raw.strip() else var.default
    if not text:
        if fallback is None:
            return _empty(var.kind)
        return Path(fallback).resolve() if var.kind == "path" else fallback
    return parse(var, name, text)


def matching(prefix: str, environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Every set variable of a prefix family, typed: {"CRIEUR_RATE_TWILIO_SMS": 50.0}."""
    var = variable(prefix + "X")
    env = os.environ if environ is None else environ
    return {
        name: parse(var, name, value)
        for name, value in env.items()
        if name.startswith(prefix) and len(name) > len(prefix) and value.strip()
    }


def parse(var: Variable, name: str, text: str):
    text = text.strip()
    try:
        if var.kind == "int":
            return int(text)
        if var.kind == "float":
            return float(text)
    except ValueError:
        kind = "a whole number" if var.kind == "int" else "a number"
        raise ConfigError(f"{name}: {text!r} is not {kind}") from None
    if var.kind == "bool":
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name}: {text!r} is not 1 or 0")
    if var.kind == "list":
        return [item.strip() for item in text.split(",") if item.strip()]
    if var.kind == "path":
        return Path(text).expanduser().resolve()
    if name == "CRIEUR_ENV" and text not in ENVIRONMENTS:
        raise ConfigError(f"CRIEUR_ENV: {text!r} is not one of {', '.join(ENVIRONMENTS)}")
    return text


def _empty(kind: str):
    return {"int": 0, "float": 0.0, "bool": False, "list": [], "path": None}.get(kind, "")


def unknown(environ: Mapping[str, str] | None = None) -> list[str]:
    """One line per variable of Crieur's families that it does not read, with a close match."""
    env = os.environ if environ is None else environ
    names = list(BY_NAME) + [v.name + "…" for v in PREFIXES]
    problems = []
    for name in sorted(env):
        if not name.startswith(FAMILIES):
            continue
        try:
            variable(name)
            continue
        except KeyError:
            pass
        if name in RENAMED:
            problems.append(f"{name} is no longer read: set {RENAMED[name]}")
            continue
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
        hint = f": did you mean {close[0]}?" if close else ""
        problems.append(f"unknown variable {name}{hint}")
    return problems


def shown(var: Variable, value: str) -> str:
    """`value` as `crieur config check` prints it: secrets masked, URL passwords masked."""
    if not value:
        return ""
    if var.show == SECRET:
        return MASK
    if var.show == URL:
        parts = urlsplit(value)
        if parts.password:
            host = parts.hostname or ""
            netloc = f"{parts.username or ''}:{MASK}@{host}"
            if parts.port:
                netloc += f":{parts.port}"
            return urlunsplit(parts._replace(netloc=netloc))
    return value


# --- the secret key --------------------------------------------------------------------------

DEV_KEY_FILE = "dev-secret-key"


def development_key(data_dir: Path) -> str:
    """The development key of this data folder, created once (mode 0600) on first use.

    It is written beside its final name and linked into place, so two processes starting at
    once agree on one key.
    """
    path = data_dir / DEV_KEY_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    temporary = data_dir / f".{DEV_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won: use its key
    finally:
        temporary.unlink(missing_ok=True)
    return path.read_text().strip()


def own_secret_reason(environ: Mapping[str, str] | None = None) -> str:
    """Why this environment needs its own CRIEUR_SECRET_KEY ("" when the default may do)."""
    env = os.environ if environ is None else environ
    if read("CRIEUR_ENV", environ=env) == PRODUCTION:
        return "CRIEUR_ENV=production"
    database = env.get("DATABASE_URL", "").strip()
    if database and not database.startswith("sqlite"):
        return "a real database (DATABASE_URL)"
    broker = env.get("CELERY_BROKER_URL", "").strip()
    if broker and not broker.startswith(("filesystem", "memory")):
        return "a real broker (CELERY_BROKER_URL)"
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "MASTODON_ACCESS_TOKEN"):
        if env.get(name, "").strip():
            return f"a real provider ({name})"
    return ""


def secret_problem(environ: Mapping[str, str] | None = None) -> str:
    """One line saying why this process must not start, or "" when the secret key is fine."""
    env = os.environ if environ is None else environ
    if env.get("CRIEUR_SECRET_KEY", "").strip():
        return ""
    reason = own_secret_reason(env)
    if not reason:
        return ""
    return (
        f"CRIEUR_SECRET_KEY is not set: {reason} needs its own secret key "
        "(see 'Running in production' in the README)"
    )
