"""Frozen configuration values for the channels; the gateway builds them from its settings.

Kept free of provider SDK imports so settings can be built and validated without loading them.
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping
from dataclasses import dataclass, field

from channels.errors import ChannelConfigError

# Field metadata of the account configs (see channels/kinds.py): a secret is encrypted at rest and
# never shown back; an internal field is filled by the gateway, not typed by an admin.
SECRET: Mapping[str, bool] = types.MappingProxyType({"secret": True})
INTERNAL: Mapping[str, bool] = types.MappingProxyType({"internal": True})

_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# An alphanumeric sender ID (France allows them for SMS, never as a caller ID): 1 to 11 letters,
# digits or spaces, at least one letter.
_ALPHANUMERIC_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")


def is_phone_number(sender: str) -> bool:
    """A number in E.164 form (a caller ID), as opposed to an alphanumeric sender ID."""
    return bool(_E164.match(sender))


def mask(secret: str) -> str:
    """Show only the last four characters of a secret, so logs can tell two values apart."""
    return f"…{secret[-4:]}" if len(secret) > 8 else "…"


@dataclass(frozen=True, repr=False)
class TwilioConfig:
    """One Twilio account as the SMS and voice channels use it.

    `from_number` (E.164) or `messaging_service_sid` is the sender; voice needs `from_number`.
    `base_url` replaces `https://*.twilio.com` (tests and benchmarks point it at the fake).
    `status_callback_url` receives status callbacks; the channel adds `?d=<idempotency key>`.
    `proxy` is an explicit HTTPS proxy URL: the channel ignores HTTP(S)_PROXY variables.
    """

    account_sid: str
    auth_token: str = field(metadata=SECRET)
    from_number: str = ""
    messaging_service_sid: str = ""
    base_url: str = ""
    status_callback_url: str = field(default="", metadata=INTERNAL)
    timeout: float = field(default=10.0, metadata=INTERNAL)
    proxy: str = ""

    def __post_init__(self) -> None:
        if not _ACCOUNT_SID.match(self.account_sid):
            raise ChannelConfigError("twilio: account_sid must be 'AC' followed by 32 hex digits")
        if not self.auth_token:
            raise ChannelConfigError("twilio: auth_token is empty")
        if not (self.from_number or self.messaging_service_sid):
            raise ChannelConfigError("twilio: set from_number or messaging_service_sid")
        if self.from_number and not (
            _E164.match(self.from_number) or _ALPHANUMERIC_SENDER.match(self.from_number)
        ):
            raise ChannelConfigError(
                "twilio: from_number must be in E.164 form (+33…) or a sender ID of 1 to 11 "
                "letters and digits"
            )
        if self.messaging_service_sid and not _SERVICE_SID.match(self.messaging_service_sid):
            raise ChannelConfigError("twilio: messaging_service_sid must be 'MG' + 32 hex digits")
        if self.base_url and not self.base_url.startswith(("http://", "https://")):
            raise ChannelConfigError("twilio: base_url must start with http:// or https://")
        if not self.timeout > 0:
            raise ChannelConfigError("twilio: timeout must be positive")

    def __repr__(self) -> str:  # the auth token never appears, the account only by its tail
        return (
            f"TwilioConfig(account_sid={mask(self.account_sid)!r}, auth_token='***', "
            f"sender={'service' if self.messaging_service_sid else 'number'!r}, "
            f"base_url={self.base_url or 'https://api.twilio.com'!r}, timeout={self.timeout})"
        )
