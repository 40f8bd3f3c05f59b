"""Email: one multipart message per citizen, with RFC 8058 one-click unsubscribe, over SMTP.

Why `smtplib` + `email.message.EmailMessage` and not Django's email backend: `channels/`
never loads Django, and smtplib gives what a delivery engine needs and Django's backend
hides: the SMTP reply code of each failure (4xx: retry; 5xx: permanent, a refused mailbox
being a hard bounce), the phase that failed (before DATA nothing was accepted; a reply lost
during DATA may hide an accepted message), and one kept-alive session per sending thread.
An ESP reached over HTTP (django-anymail's Brevo, Mailjet, SES… backends) plugs in as a
`Transport` the gateway builds around Django: the channel composes the message, the
transport carries it.

An account that names an ESP (`esp=mailgun`…) sends through it instead of SMTP: `api_key`
(and `api_secret` where the ESP wants two) for its send API, `webhook_secret` (`user:password`,
HTTP basic auth) and, for ESPs that sign their webhooks, `webhook_signing_key` for the tracking
webhook that reports bounces and complaints. The gateway registers the transport
(`use_esp_transport`): this package stays free of Django.

A message whose reply was lost keeps its `Message-ID` on a resend (it is derived from the
delivery's key), so mailbox providers that drop duplicates by Message-ID show it once.
DKIM signing belongs to the relay; it must cover both List-Unsubscribe headers (RFC 8058).
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, parseaddr
from typing import ClassVar, Protocol
from urllib.parse import urlsplit

from channels.base import Channel, Receipt, Recipient
from channels.config import INTERNAL, SECRET
from channels.errors import (
    ChannelConfigError,
    ChannelError,
    PermanentChannelError,
    RetryableChannelError,
    UnknownOutcomeError,
)
from renderers.message import Rendition
from renderers.messaging.email import fill_unsubscribe

SECURITY = ("starttls", "tls", "none")
# The ESPs whose django-anymail backend and tracking webhook the gateway uses, and whether
# that webhook is signed with a key of its own (checked on top of the basic auth).
ESPS: dict[str, bool] = {
    "brevo": False,
    "mailersend": True,
    "mailgun": True,
    "mailjet": False,
    "mandrill": True,
    "postal": True,
    "postmark": False,
    "resend": True,
    "sendgrid": False,
    "sparkpost": False,
    "unisender_go": False,
}
ONE_CLICK = "List-Unsubscribe=One-Click"
_ENHANCED = re.compile(rb"\b([245]\.\d{1,3}\.\d{1,3})\b")


@dataclass(frozen=True, repr=False)
class EmailConfig:
    """One sending mailbox, on an SMTP server or at an ESP.

    `security`: `starttls` (port 587), `tls` (implicit TLS, port 465) or `none` (a relay on
    this machine only). `ca_file`: a PEM bundle to trust instead of the system's (an
    internal relay with its own CA). `unsubscribe_mailto`: an address that takes unsubscribe
    requests by mail, added to `List-Unsubscribe` next to the one-click link.
    `esp`: send through this ESP's API instead of SMTP (`host` is then not used); `api_url`
    replaces the ESP's API address (its EU region, or a local fake).
    """

    host: str = ""
    from_address: str = ""
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password: str = field(default="", metadata=SECRET)
    reply_to: str = ""
    unsubscribe_mailto: str = ""
    ca_file: str = ""
    esp: str = ""
    api_key: str = field(default="", metadata=SECRET)
    api_secret: str = field(default="", metadata=SECRET)
    api_url: str = ""
    webhook_secret: str = field(default="", metadata=SECRET)
    webhook_signing_key: str = field(default="", metadata=SECRET)
    timeout: float = field(default=20.0, metadata=INTERNAL)

    def __post_init__(self) -> None:
        if self.esp:
            self._check_esp()
        else:
            self._check_smtp()
        for name in ("from_address", "reply_to", "unsubscribe_mailto"):
            value = getattr(self, name)
            if (value or name == "from_address") and "@" not in parseaddr(value)[1]:
                raise ChannelConfigError(f"email: {name} must be an email address")
        if not self.timeout > 0:
            raise ChannelConfigError("email: timeout must be positive")

    def _check_smtp(self) -> None:
        if not self.host:
            raise ChannelConfigError("email: host is empty (or name an esp)")
        if not 0 < self.port < 65536:
            raise ChannelConfigError("email: port must be between 1 and 65535")
        if self.security not in SECURITY:
            raise ChannelConfigError(f"email: security must be one of {', '.join(SECURITY)}")
        if self.security == "none" and not _loopback(self.host):
            raise ChannelConfigError(
                "email: security=none is only for a relay on this machine; use starttls or tls"
            )
        if bool(self.username) != bool(self.password):
            raise ChannelConfigError("email: give both username and password, or neither")
        if self.ca_file and not os.path.isfile(self.ca_file):
            raise ChannelConfigError("email: ca_file is not a readable file")

    def _check_esp(self) -> None:
        if self.esp not in ESPS:
            raise ChannelConfigError(f"email: esp must be one of {', '.join(sorted(ESPS))}")
        if not self.api_key:
            raise ChannelConfigError(f"email: api_key is empty (the {self.esp} API key)")
        if self.esp == "mailjet" and not self.api_secret:
            raise ChannelConfigError("email: api_secret is empty (mailjet's secret key)")
        user, colon, password = self.webhook_secret.partition(":")
        if not (user and colon and password):
            raise ChannelConfigError(
                "email: webhook_secret must be user:password (the tracking webhook's basic auth)"
            )
        if ESPS[self.esp] and not self.webhook_signing_key:
            raise ChannelConfigError(
                f"email: webhook_signing_key is empty ({self.esp} signs its webhooks with it)"
            )
        if self.api_url and not self.api_url.startswith(("https://", "http://")):
            raise ChannelConfigError("email: api_url must start with https://")
        if self.api_url.startswith("http://") and not _loopback(
            urlsplit(self.api_url).hostname or ""
        ):
            raise ChannelConfigError("email: api_url must start with https://")

    @property
    def sender(self) -> str:
        """The envelope sender (MAIL FROM): the From address itself."""
        return parseaddr(self.from_address)[1]

    @property
    def domain(self) -> str:
        return self.sender.rpartition("@")[2]

    def __repr__(self) -> str:
        if self.esp:
            return (
                f"EmailConfig(esp={self.esp!r}, from_address={self.from_address!r}, "
                "api_key='***', webhook_secret='***')"
            )
        return (
            f"EmailConfig(host={self.host!r}, port={self.port}, security={self.security!r}, "
            f"from_address={self.from_address!r}, password='***')"
        )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class EmailCredentialsError(ChannelConfigError, PermanentChannelError):
    """The server refused the login, TLS, or the configured way to connect: fix the account."""


class RecipientRefusedError(PermanentChannelError):
    """A 5xx on RCPT: the mailbox does not exist or takes no mail (a hard bounce)."""


@dataclass(frozen=True)
class Accepted:
    """An ESP's answer: its own id for the message (its webhooks name the message by it)."""

    reply: str
    message_id: str


class Transport(Protocol):
    """What carries a composed message: SMTP here; the gateway gives an ESP's."""

    def deliver(self, message: EmailMessage, sender: str, recipient: str) -> str | Accepted: ...

    def check(self, to: str = "") -> str: ...


_esp_transport: Callable[[EmailConfig], Transport] | None = None


def use_esp_transport(factory: Callable[[EmailConfig], Transport]) -> None:
    """The gateway's ESP transport (django-anymail), for accounts that name an `esp`."""
    global _esp_transport
    _esp_transport = factory


def _transport_for(config: EmailConfig) -> Transport:
    if not config.esp:
        return SMTPTransport(config)
    if _esp_transport is None:
        raise ChannelConfigError("email: no ESP transport is registered (the gateway gives it)")
    return _esp_transport(config)


class SMTPTransport:
    """SMTP with one kept-alive session per thread (and per process: never across a fork)."""

    def __init__(self, config: EmailConfig) -> None:
        self.config = config
        self._local = threading.local()

    def deliver(self, message: EmailMessage, sender: str, recipient: str) -> str:
        """Send one message; the server's last reply (`250 2.0.0 Ok: queued as …`)."""
        try:
            data = message.as_bytes(policy=SMTP_POLICY)
        except (UnicodeError, ValueError):
            raise PermanentChannelError("email: the message cannot be encoded for SMTP") from None
        for attempt in (1, 2):
            session, reused = self._session()
            phase = "mail"
            try:
                _expect(session.mail(sender), "sender refused")
                phase = "rcpt"
                _expect(session.rcpt(recipient), "recipient refused", recipient=True)
                phase = "data"
                code, reply = session.data(data)
                _expect((code, reply), "message refused")
                return f"{code} {reply.decode(errors='replace')}"
            except ChannelError:
                self._reset(session)
                raise
            except (smtplib.SMTPException, OSError) as exc:
                self._drop()
                # A server may close a session idle for a while: once, on a fresh one.
                if reused and phase == "mail" and attempt == 1:
                    continue
                raise _smtp_error(exc, phase) from None
        raise AssertionError("unreachable")

    def check(self, to: str = "") -> str:
        """Connect, log in, NOOP, and offer the sender (and `to`) without sending anything."""
        session = self.connect()
        tls = _tls_version(session) or "without TLS"
        try:
            noop = session.noop()[0]
            _expect(session.mail(self.config.sender), "sender refused")
            if to:
                _expect(session.rcpt(to), "test recipient refused", recipient=True)
            session.rset()
        except (smtplib.SMTPException, OSError) as exc:
            raise _smtp_error(exc, "check") from None
        finally:
            _quit(session)
        config = self.config
        login = f"logged in as {config.username}" if config.username else "no login"
        accepted = "sender and recipient accepted" if to else "sender accepted"
        return f"email: {config.host}:{config.port} {tls}, {login}, {accepted} (NOOP {noop})"

    def connect(self) -> smtplib.SMTP:
        """A new session: connected, TLS as configured, logged in."""
        config = self.config
        context = ssl.create_default_context(cafile=config.ca_file or None)
        session: smtplib.SMTP | None = None
        try:
            if config.security == "tls":
                session = smtplib.SMTP_SSL(
                    config.host, config.port, timeout=config.timeout, context=context
                )
            else:
                session = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
                if config.security == "starttls":
                    session.starttls(context=context)
            session.ehlo_or_helo_if_needed()
            if config.username:
                session.login(config.username, config.password)
        except (smtplib.SMTPException, OSError) as exc:
            if session is not None:
                _quit(session)
            raise _smtp_error(exc, "connect") from None
        return session

    def close(self) -> None:
        self._drop()

    def _session(self) -> tuple[smtplib.SMTP, bool]:
        held = getattr(self._local, "session", None)
        if held is not None and held[0] == os.getpid():
            return held[1], True
        session = self.connect()
        self._local.session = (os.getpid(), session)
        return session, False

    def _reset(self, session: smtplib.SMTP) -> None:
        try:
            session.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        held = getattr(self._local, "session", None)
        self._local.session = None
        if held is not None and held[0] == os.getpid():
            _quit(held[1])


class EmailChannel(Channel):
    name: ClassVar[str] = "email"
    family: ClassVar[str] = "email"
    forms: ClassVar[tuple[str, ...]] = ("email",)
    body_maxlen: ClassVar[int | None] = None
    # A default for a shared relay; CRIEUR_RATE_EMAIL lifts it for a server of one's own.
    request_rate_per_sec: ClassVar[float | None] = 50.0

    def __init__(self, config: EmailConfig, transport: Transport | None = None) -> None:
        self.config = config
        self.transport = transport or _transport_for(config)

    @property
    def account_key(self) -> str:
        return f"email:{self.config.esp or self.config.host}:{self.config.sender}"

    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt:
        message = compose_email(rendition, recipient, self.config, key=idempotency_key)
        reply = self.transport.deliver(message, self.config.sender, recipient.email)
        if isinstance(reply, Accepted):  # an ESP: its webhooks name the message by its own id
            return Receipt(
                provider_ref=esp_message_id(reply.message_id),
                status="sent",
                extra={"esp_reply": reply.reply[:200]},
            )
        return Receipt(
            provider_ref=str(message["Message-ID"]).strip("<>"),
            status="sent",
            extra={"smtp_reply": reply[:200]},
        )

    def check(self, to: str = "") -> str:
        return self.transport.check(to)

    def __repr__(self) -> str:
        return f"<EmailChannel {self.config!r}>"


def esp_message_id(value: str) -> str:
    """An ESP's message id as deliveries keep it (with or without <>, as ESPs vary)."""
    return value.strip().strip("<>").strip()[:64]


def message_id(key: str, domain: str) -> str:
    """The same Message-ID for every attempt of one delivery, so a resend is a duplicate."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}.crieur@{domain}>"


def compose_email(
    rendition: Rendition, recipient: Recipient, config: EmailConfig, *, key: str
) -> EmailMessage:
    """The message for one citizen: headers, plain text and HTML, their unsubscribe link.

    The gateway puts the citizen's link in `rendition.meta["unsubscribe_url"]` (https) and
    may put a `mailto:` URI in `meta["unsubscribe_mailto"]`; without a link nothing is sent.
    """
    url = str(rendition.meta.get("unsubscribe_url") or "")
    if not _unsubscribe_url_ok(url):
        raise PermanentChannelError("email: no https unsubscribe link for this recipient")
    try:
        to = Address(display_name=" ".join(recipient.name.split()), addr_spec=recipient.email)
    except (ValueError, IndexError):
        raise PermanentChannelError("email: the recipient has no valid address") from None
    if not recipient.email or "@" not in to.addr_spec:
        raise PermanentChannelError("email: the recipient has no valid address")
    mailto = str(rendition.meta.get("unsubscribe_mailto") or "")
    if not mailto and config.unsubscribe_mailto:
        mailto = f"mailto:{parseaddr(config.unsubscribe_mailto)[1]}?subject=unsubscribe"
    text, page = fill_unsubscribe(rendition, url)
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = config.from_address
    message["To"] = to
    message["Subject"] = str(rendition.meta["subject"])
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id(key, config.domain)
    if config.reply_to:
        message["Reply-To"] = config.reply_to
    message["List-Unsubscribe"] = ", ".join(f"<{u}>" for u in (url, mailto) if u)
    message["List-Unsubscribe-Post"] = ONE_CLICK
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(page, subtype="html", cte="quoted-printable")
    # After the parts: set_content() drops every Content-* header set before it.
    message["Content-Language"] = str(rendition.meta.get("language") or rendition.locale)
    return message


def _unsubscribe_url_ok(url: str) -> bool:
    # RFC 8058 wants https; plain http only for a gateway on this machine (development).
    parts = urlsplit(url)
    if not parts.netloc:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and _loopback(parts.hostname or ""))


def _expect(answer: tuple[int, bytes], what: str, *, recipient: bool = False) -> None:
    code, reply = answer
    if code >= 400:
        raise _by_code(code, reply, what, recipient=recipient)


def _by_code(code: int, reply: bytes | str, what: str, *, recipient: bool = False) -> ChannelError:
    # The server's words often quote the address: keep the codes only.
    raw = reply.encode(errors="replace") if isinstance(reply, str) else reply
    enhanced = _ENHANCED.search(raw or b"")
    detail = f"email: {what} ({code}{' ' + enhanced.group(1).decode() if enhanced else ''})"
    if 400 <= code < 500:
        return RetryableChannelError(detail, code=code)
    if recipient:
        return RecipientRefusedError(detail, code=code)
    return PermanentChannelError(detail, code=code)


def _smtp_error(exc: BaseException, phase: str) -> ChannelError:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return EmailCredentialsError(f"email: login refused ({exc.smtp_code})", code=exc.smtp_code)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return EmailCredentialsError("email: the server offers no STARTTLS or no login")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return EmailCredentialsError("email: the server's TLS certificate is not trusted")
    if isinstance(exc, ssl.SSLError):
        return EmailCredentialsError(f"email: TLS failed ({exc.reason or type(exc).__name__})")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()), (550, b""))
        return _by_code(code, reply, "recipient refused", recipient=True)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(exc.smtp_code, exc.smtp_error, f"{phase} refused")
    if phase == "data":
        # The message may have been accepted just before the reply was lost.
        return UnknownOutcomeError(f"email: no reply to DATA ({type(exc).__name__})")
    return RetryableChannelError(f"email: {phase} failed ({type(exc).__name__})")


def _tls_version(session: smtplib.SMTP) -> str:
    sock = session.sock
    return sock.version() or "" if isinstance(sock, ssl.SSLSocket) else ""


def _quit(session: smtplib.SMTP) -> None:
    try:
        session.quit()
    except (smtplib.SMTPException, OSError):
        session.close()
