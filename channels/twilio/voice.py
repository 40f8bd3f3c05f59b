"""Voice calls through Twilio's Calls resource, with inline TwiML or a TwiML URL."""

from __future__ import annotations

from typing import ClassVar

import requests
from twilio.base.exceptions import TwilioException

from channels.base import Receipt, Recipient
from channels.config import TwilioConfig
from channels.errors import ChannelConfigError, PermanentChannelError
from channels.twilio.client import TwilioChannel
from channels.twilio.errors import from_twilio
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
        if not config.from_number:
            raise ChannelConfigError("twilio_voice: calls need from_number (a caller ID)")
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
