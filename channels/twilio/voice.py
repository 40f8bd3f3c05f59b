"""Voice calls through Twilio's Calls resource, with inline TwiML or a TwiML URL."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import ClassVar

import requests
from twilio.base.exceptions import TwilioException
from twilio.twiml.voice_response import VoiceResponse

from channels.base import Receipt, Recipient
from channels.config import TwilioConfig, is_phone_number
from channels.errors import ChannelConfigError, PermanentChannelError
from channels.twilio.client import CLOCK_SKEW, TwilioChannel, test_words, utc
from channels.twilio.errors import from_twilio
from renderers.i18n import SOURCE_LOCALE
from renderers.message import Rendition


class TwilioVoiceChannel(TwilioChannel):
    """One Twilio account placing calls that read a TwiML rendition.

    The rendition's body is sent inline as `Twiml`, unless `meta["twiml_url"]` is set, in which
    case Twilio fetches the TwiML from that URL (needed beyond 4,000 characters).
    """

    name: ClassVar[str] = "twilio_voice"
    family: ClassVar[str] = "voice"
    forms: ClassVar[tuple[str, ...]] = ("voice",)
    body_maxlen: ClassVar[int | None] = 4000  # inline Twiml limit (Twilio error 32018)
    request_rate_per_sec: ClassVar[float | None] = 1.0  # Twilio's default calls-per-second (CPS)
    machine_detection: ClassVar[str] = "DetectMessageEnd"  # speak after a voicemail's beep

    def __init__(self, config: TwilioConfig) -> None:
        if not is_phone_number(config.from_number):
            raise ChannelConfigError(
                "twilio_voice: calls need from_number, a caller ID in E.164 form (+33…)"
            )
        super().__init__(config)

    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt:
        if not recipient.phone:
            raise PermanentChannelError(f"{self.name}: recipient has no phone number")
        twiml_url = rendition.meta.get("twiml_url")
        if twiml_url:
            instructions = {"url": twiml_url}
        elif len(rendition.text) > (self.body_maxlen or 0):
            raise PermanentChannelError(
                f"{self.name}: TwiML longer than {self.body_maxlen} characters; "
                "serve it and pass meta['twiml_url']",
                code=32018,
            )
        else:
            instructions = {"twiml": rendition.text}
        try:
            call = self.client.calls.create(
                to=recipient.phone,
                from_=self.holder.config.from_number,
                status_callback=self.holder.status_callback(idempotency_key),
                machine_detection=self.machine_detection,
                **instructions,
            )
        except (TwilioException, requests.RequestException) as exc:
            raise from_twilio(self.name, exc, creating=True) from exc
        return Receipt(provider_ref=call.sid, status=call.status or "queued", cost=None)

    def send_test(self, to: str) -> str:
        """A test call to `to`: one sentence, said once (the number is never in the answer)."""
        text = test_words()
        twiml = VoiceResponse()
        twiml.say(text, language="fr-FR")
        receipt = self.send(
            Rendition("voice", SOURCE_LOCALE, "application/xml", str(twiml)),
            Recipient(reference="account-test", phone=to),
            idempotency_key=f"crieur-test-{secrets.token_hex(6)}",
        )
        return f"test call {receipt.provider_ref} {receipt.status}"

    def find_sent(
        self, to: str, since: datetime, idempotency_key: str, *, body: str | None = None
    ) -> Receipt | None:
        """Find the call an interrupted attempt may have placed to `to` since `since`, or None.

        Like Messages, Calls keep no idempotency key and do not return the StatusCallback URL.
        The link is: same number, our caller ID, created at or after `since` (minus clock
        skew); the TwiML is not listed, so `body` is not compared. Routing places one call per
        citizen and announcement, and a reconciled delivery looks only after its own attempt,
        so a match is that attempt's call (or, for a household sharing a landline, a call that
        already rang that phone for this announcement: not ringing it twice is right too).
        """
        after = utc(since) - CLOCK_SKEW
        try:
            recent = self.client.calls.page(
                to=to, from_=self.holder.config.from_number, page_size=50
            )
        except (TwilioException, requests.RequestException) as exc:
            raise from_twilio(self.name, exc, creating=False) from exc
        matches = [c for c in recent if c.date_created is not None and c.date_created >= after]
        if not matches:
            return None
        first = min(matches, key=lambda c: (c.date_created, c.sid))
        return Receipt(
            provider_ref=first.sid,
            status=first.status or "queued",
            cost=None,
            extra={"idempotency_key": idempotency_key, "matches": str(len(matches))},
        )
