"""Channels by delivery channel name, built once per process from the settings.

Each provider is enabled by its credentials; without them its family goes to the outbox.
A bad credential fails here, at start-up, not at the first send.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings

from channels.base import Channel
from channels.config import TwilioConfig
from channels.outbox import outbox_channel

SOCIAL_ACCOUNTS = ("mastodon",)


@cache
def channels() -> dict[str, Channel]:
    outbox = settings.OUTBOX_DIR
    registry: dict[str, Channel] = {}
    if settings.TWILIO_ACCOUNT_SID:
        from channels.twilio import TwilioSMSChannel, TwilioVoiceChannel

        config = TwilioConfig(
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            from_number=settings.TWILIO_FROM_NUMBER,
            messaging_service_sid=settings.TWILIO_MESSAGING_SERVICE_SID,
            base_url=settings.TWILIO_BASE_URL,
            status_callback_url=f"{settings.PUBLIC_URL}/hooks/twilio/status",
            timeout=settings.TWILIO_TIMEOUT,
        )
        registry["sms"] = TwilioSMSChannel(config)
        registry["voice"] = TwilioVoiceChannel(config)
    else:
        registry["sms"] = outbox_channel(outbox / "sms", "sms")
        registry["voice"] = outbox_channel(outbox / "voice", "voice")
    if settings.MASTODON_API_BASE_URL:
        from channels.mastodon import MastodonChannel, MastodonConfig

        registry["mastodon"] = MastodonChannel(
            MastodonConfig(
                api_base_url=settings.MASTODON_API_BASE_URL,
                access_token=settings.MASTODON_ACCESS_TOKEN,
            )
        )
    else:
        registry["mastodon"] = outbox_channel(outbox / "social", "social")
    return registry


def social_accounts() -> tuple[str, ...]:
    return tuple(name for name in SOCIAL_ACCOUNTS if name in channels())
