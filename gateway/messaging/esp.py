"""Email through an ESP (email service provider) with django-anymail: the transport that sends
the message the email channel composed through the ESP's send API, and the ESP's tracking
webhook (`/hooks/email/<account id>/<esp>/tracking/`), checked as anymail checks it, whose
hard bounces suspend the address and whose complaints withdraw the email consent.

The ESP names the message by its own id in its webhooks: the delivery keeps that id as its
`provider_ref` (`channels.email.esp_message_id`); only the account's organisation's
deliveries match.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from email.message import EmailMessage
from typing import Any

from django.core.mail import EmailMultiAlternatives, get_connection

from channels.email import (
    Accepted,
    EmailConfig,
    RecipientRefusedError,
    esp_message_id,
)
from channels.errors import (
    ChannelError,
    PermanentChannelError,
    RetryableChannelError,
    UnknownOutcomeError,
)

logger = logging.getLogger(__name__)

# The backend setting that takes the account's `api_key` (else `api_key`), and `api_secret`.
KEY_SETTING = {"mailersend": "api_token", "postmark": "server_token"}
SECOND_SETTING = {"mailjet": "secret_key"}
# The webhook view setting that takes `webhook_signing_key`, for ESPs that sign.
SIGNING_SETTING = {
    "mailgun": "webhook_signing_key",
    "mandrill": "webhook_key",
    "postal": "webhook_key",
    "mailersend": "signing_secret",
    "resend": "signing_secret",
}
TRACKING_VIEW = {
    "brevo": "BrevoTrackingWebhookView",
    "mailersend": "MailerSendTrackingWebhookView",
    "mailgun": "MailgunTrackingWebhookView",
    "mailjet": "MailjetTrackingWebhookView",
    "mandrill": "MandrillCombinedWebhookView",
    "postal": "PostalTrackingWebhookView",
    "postmark": "PostmarkTrackingWebhookView",
    "resend": "ResendTrackingWebhookView",
    "sendgrid": "SendGridTrackingWebhookView",
    "sparkpost": "SparkPostTrackingWebhookView",
    "unisender_go": "UnisenderGoTrackingWebhookView",
}
# Headers the composed message carries that the ESP must keep (RFC 8058, and the Message-ID
# that makes a resend a duplicate).
KEPT_HEADERS = ("Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "Content-Language")


def backend_settings(config: EmailConfig) -> dict[str, Any]:
    values: dict[str, Any] = {
        KEY_SETTING.get(config.esp, "api_key"): config.api_key,
        "requests_timeout": config.timeout,
    }
    if config.esp in SECOND_SETTING:
        values[SECOND_SETTING[config.esp]] = config.api_secret
    if config.api_url:
        values["api_url"] = config.api_url
    return values


def as_django(message: EmailMessage, config: EmailConfig) -> EmailMultiAlternatives:
    """The composed message as the Django message anymail sends: both parts, the headers."""
    text = message.get_body(("plain",))
    page = message.get_body(("html",))
    headers = {name: str(message[name]) for name in KEPT_HEADERS if message[name]}
    mail = EmailMultiAlternatives(
        subject=str(message["Subject"]),
        body=text.get_content() if text is not None else "",
        from_email=config.from_address,
        to=[str(message["To"])],
        reply_to=[config.reply_to] if config.reply_to else None,
        headers=headers,
    )
    if page is not None:
        mail.attach_alternative(page.get_content(), "text/html")
    return mail


class AnymailTransport:
    """Sends through the ESP's anymail backend (one kept-alive HTTP session per thread and
    process)."""

    def __init__(self, config: EmailConfig) -> None:
        self.config = config
        self._local = threading.local()

    def _connection(self):
        held = getattr(self._local, "connection", None)
        # Never a session across a fork (a worker's children): its sockets are the parent's.
        connection = held[1] if held is not None and held[0] == os.getpid() else None
        if connection is None:
            connection = get_connection(
                f"anymail.backends.{self.config.esp}.EmailBackend",
                fail_silently=False,
                **backend_settings(self.config),
            )
            connection.open()  # kept open: each send reuses its HTTP session (keep-alive)
            self._local.connection = (os.getpid(), connection)
        return connection

    def deliver(self, message: EmailMessage, sender: str, recipient: str) -> Accepted:
        mail = as_django(message, self.config)
        mail.connection = self._connection()
        self._send(mail)
        status = mail.anymail_status  # type: ignore[attr-defined]
        ref = status.message_id
        if not isinstance(ref, str) or not ref:
            raise UnknownOutcomeError(f"email: {self.config.esp} gave no message id")
        return Accepted(f"{self.config.esp} {','.join(sorted(status.status or ()))}", ref)

    def _send(self, mail: EmailMultiAlternatives) -> None:
        from anymail.exceptions import (
            AnymailError,
            AnymailRecipientsRefused,
            AnymailRequestsAPIError,
        )

        esp = self.config.esp
        try:
            mail.send()
        except AnymailRecipientsRefused:
            raise RecipientRefusedError(f"email: {esp} refused the recipient") from None
        except AnymailRequestsAPIError as exc:
            raise api_error(esp, exc) from None
        except AnymailError as exc:  # the words may quote the address: the kind only
            raise PermanentChannelError(f"email: {esp} refused ({type(exc).__name__})") from None

    def check(self, to: str = "") -> str:
        """With `to`: a real test message through the ESP; else what is configured."""
        esp = self.config.esp
        if not to:
            return f"email: {esp} API configured (give a recipient to send a test message)"
        from channels.twilio.client import test_words

        words = test_words()
        mail = EmailMultiAlternatives(
            subject=words,
            body=words,
            from_email=self.config.from_address,
            to=[to],
            connection=self._connection(),
        )
        self._send(mail)
        ref = mail.anymail_status.message_id  # type: ignore[attr-defined]
        return f"email: {esp} accepted a test message (id {ref})"


def api_error(esp: str, exc: Any) -> ChannelError:
    """The ESP's HTTP answer by kind: 429 and 5xx retry, other 4xx are permanent, a reply
    lost after the request went out may hide a sent message."""
    import requests

    code = getattr(exc, "status_code", None)
    if code is None:
        cause = exc.__cause__
        if isinstance(
            cause, requests.exceptions.ReadTimeout | requests.exceptions.ChunkedEncodingError
        ):
            return UnknownOutcomeError(f"email: no answer from {esp} ({type(cause).__name__})")
        return RetryableChannelError(f"email: {esp} unreachable ({type(cause).__name__})")
    if code == 429 or code >= 500:
        return RetryableChannelError(f"email: {esp} is busy or failing", code=code)
    if code in (401, 403):
        return PermanentChannelError(f"email: {esp} refused the API key", code=code)
    return PermanentChannelError(f"email: {esp} refused the message", code=code)


# The tracking webhook ---------------------------------------------------------------------------


def tracking_view(config: EmailConfig):
    """The ESP's anymail tracking view, with this account's basic auth and signing key."""
    module = importlib.import_module(f"anymail.webhooks.{config.esp}")
    view_class = getattr(module, TRACKING_VIEW[config.esp])
    kwargs: dict[str, Any] = {"webhook_secret": config.webhook_secret}
    if config.esp in SIGNING_SETTING:
        kwargs[SIGNING_SETTING[config.esp]] = config.webhook_signing_key
    if config.esp == "unisender_go":  # it signs with the API key
        kwargs["api_key"] = config.api_key
    return view_class(**kwargs)


# anymail's `bounced` includes soft bounces for some ESPs: only a permanent one suspends.
SPARKPOST_HARD = {"10", "25", "30", "90"}


def hard_bounce(esp: str, raw: Any) -> bool:
    """Whether an anymail `bounced` event is permanent, read from the ESP's own event."""
    if not isinstance(raw, dict):
        return esp not in ("brevo", "mailjet", "postmark", "sendgrid", "sparkpost")
    if esp == "brevo":
        return raw.get("event") in ("hard_bounce", "invalid_email")
    if esp == "mailjet":
        return raw.get("hard_bounce") is True
    if esp == "postmark":
        return raw.get("Type") == "HardBounce"
    if esp == "sendgrid":
        return raw.get("type", "bounce") == "bounce"
    if esp == "sparkpost":
        inner = next(iter((raw.get("msys") or {}).values()), {})
        return isinstance(inner, dict) and str(inner.get("bounce_class")) in SPARKPOST_HARD
    return True  # Mailgun, Mandrill, MailerSend…: anymail calls soft bounces `deferred`


def apply_events(account, events) -> dict[str, int]:
    """Hard bounces suspend, complaints withdraw consent (once each: a replay adds nothing)."""
    from anymail.signals import EventType

    from gateway.messaging import feedback
    from gateway.models import Delivery

    wanted: dict[str, set[str]] = {EventType.BOUNCED: set(), EventType.COMPLAINED: set()}
    esp = str(account.settings.get("esp", ""))
    for event in events:
        if event.event_type == EventType.BOUNCED and not hard_bounce(esp, event.esp_event):
            continue
        if event.event_type in wanted and isinstance(event.message_id, str):
            ref = esp_message_id(event.message_id)
            if ref:
                wanted[event.event_type].add(ref)
    # Per-citizen deliveries name no account: the organisation's, and the ESP's own ids.
    mine = Delivery.objects.filter(
        channel="email", announcement__organisation_id=account.organisation_id
    )
    how = f"{esp or 'esp'} webhook"

    def ids(refs: set[str]) -> list[int]:
        return list(mine.filter(provider_ref__in=refs).values_list("pk", flat=True)) if refs else []

    return {
        "bounced": feedback.bounced(ids(wanted[EventType.BOUNCED]), how=how),
        "complained": feedback.complained(ids(wanted[EventType.COMPLAINED]), how=how),
    }
