"""SMS through Twilio's Messages resource."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import ClassVar

import requests
from twilio.base.exceptions import TwilioException

from channels.base import Receipt, Recipient
from channels.errors import PermanentChannelError
from channels.twilio.client import CLOCK_SKEW, TwilioChannel, test_words, utc
from channels.twilio.errors import from_twilio
from renderers.i18n import SOURCE_LOCALE
from renderers.message import Rendition


class TwilioSMSChannel(TwilioChannel):
    """One Twilio account sending SMS from a number or a Messaging Service."""

    name: ClassVar[str] = "twilio_sms"
    family: ClassVar[str] = "sms"
    forms: ClassVar[tuple[str, ...]] = ("sms",)
    body_maxlen: ClassVar[int | None] = 1600  # Twilio refuses longer bodies (21617)
    segments_max: ClassVar[int] = 10  # Twilio's advice: longer messages deliver badly
    # Per-sender throughput is queued by Twilio itself; this caps our API calls per account.
    request_rate_per_sec: ClassVar[float | None] = 100.0

    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt:
        if not recipient.phone:
            raise PermanentChannelError(f"{self.name}: recipient has no phone number")
        config = self.holder.config
        sender = (
            {"messaging_service_sid": config.messaging_service_sid}
            if config.messaging_service_sid
            else {"from_": config.from_number}
        )
        try:
            message = self.client.messages.create(
                to=recipient.phone,
                body=rendition.text,
                status_callback=self.holder.status_callback(idempotency_key),
                **sender,
            )
        except (TwilioException, requests.RequestException) as exc:
            raise from_twilio(self.name, exc, creating=True) from exc
        return Receipt(
            provider_ref=message.sid,
            status=message.status or "queued",
            cost=None,
            extra={"num_segments": str(message.num_segments or "")},
        )

    def send_test(self, to: str) -> str:
        """A test SMS to `to` (never named in the answer: it is a phone number)."""
        text = test_words()
        receipt = self.send(
            Rendition("sms", SOURCE_LOCALE, "text/plain", text),
            Recipient(reference="account-test", phone=to),
            idempotency_key=f"crieur-test-{secrets.token_hex(6)}",
        )
        return f"test SMS {receipt.provider_ref} {receipt.status}"

    def find_sent(
        self, to: str, since: datetime, idempotency_key: str, *, body: str | None = None
    ) -> Receipt | None:
        """Find the message a crashed delivery may have sent to `to` since `since`, or None.

        Twilio keeps no idempotency key on Messages and does not return the StatusCallback URL
        (where we put `d=<key>`), so a listed message cannot be tied to `idempotency_key` by the
        API alone. The link is: same number, created at or after `since` (minus clock skew),
        and — when `body` is given, which callers should do — the same text. Limits:
        - one delivery per (number, text) is assumed; routing sends one SMS per number per
          announcement, so two matches mean the same announcement and the earliest is returned;
        - Twilio's Smart Encoding or a Messaging Service may rewrite the body; then pass
          `body=None` to match on number and time only (weaker);
        - messages still queued have no `date_sent`, which the `DateSent>` filter skips, so the
          newest page for the number is also scanned by `date_created`.
        `idempotency_key` is returned in the receipt; status callbacks carry it back as `d`.
        """
        after = utc(since) - CLOCK_SKEW
        try:
            sent = self.client.messages.list(to=to, date_sent_after=after, page_size=100)
            recent = self.client.messages.page(to=to, page_size=50)
            candidates = {m.sid: m for m in [*sent, *recent]}.values()
        except (TwilioException, requests.RequestException) as exc:
            raise from_twilio(self.name, exc, creating=False) from exc
        matches = [
            m
            for m in candidates
            if m.direction != "inbound"
            and m.date_created is not None
            and m.date_created >= after
            and (body is None or m.body == body)
        ]
        if not matches:
            return None
        first = min(matches, key=lambda m: (m.date_created, m.sid))
        return Receipt(
            provider_ref=first.sid,
            status=first.status or "queued",
            cost=None,
            extra={"idempotency_key": idempotency_key, "matches": str(len(matches))},
        )
