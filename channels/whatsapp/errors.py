"""WhatsApp Cloud API errors by code, the same for a synchronous answer and a `failed` status.

Meta's own messages may quote what was sent, so a detail is built from the code's title
(and the HTTP status), never copied from the answer.
"""

from __future__ import annotations

from typing import ClassVar

from channels.errors import (
    ChannelConfigError,
    ChannelError,
    PermanentChannelError,
    RetryableChannelError,
    error_for_status,
)

TITLES = {
    0: "authentication failed",
    1: "unknown API error",
    2: "API service temporarily unavailable",
    4: "too many API calls for the app",
    10: "permission denied",
    100: "invalid parameter",
    190: "access token expired or invalid",
    368: "temporarily blocked for policy violations",
    80007: "rate limit of the WhatsApp Business Account",
    130429: "throughput limit of the number reached",
    131000: "something went wrong at WhatsApp",
    131008: "a required parameter is missing",
    131009: "a parameter value is not valid",
    131016: "service unavailable",
    131021: "recipient cannot be the sender",
    131026: "message undeliverable",
    131031: "business account locked",
    131042: "payment problem on the business account",
    131047: "more than 24 hours since the citizen's last message: only a template may be sent",
    131048: "spam rate limit: too many messages were blocked or reported",
    131049: "not delivered by Meta to keep engagement healthy",
    131050: "the citizen stopped receiving marketing messages",
    131051: "unsupported message type",
    131056: "too many messages to this citizen (pair rate limit)",
    132000: "wrong number of template parameters",
    132001: "the template does not exist in this language",
    132005: "the filled-in template is too long",
    132007: "the template breaks a format policy",
    132012: "a template parameter has the wrong format",
    132015: "the template is paused",
    132016: "the template is disabled",
    133010: "the phone number is not registered on the Cloud API",
}
# Seconds before a retry makes sense: throughput recovers within a second; the pair rate
# (about one message every 6 s to one citizen) and app limits take longer.
RETRY_AFTER = {130429: 1.0, 131056: 60.0, 4: 60.0, 80007: 60.0}
TRANSIENT = {1, 2, 131000, 131016}
CREDENTIALS = {0, 10, 190, 133010}


class WhatsAppRateLimitError(RetryableChannelError):
    """A rate limit: retry after `retry_after` seconds."""

    def __init__(self, detail: str, *, code: int, status: int | None, retry_after: float):
        super().__init__(detail, code=code, status=status)
        self.retry_after = retry_after


class WhatsAppFallbackError(PermanentChannelError):
    """WhatsApp will not carry this message: fail the delivery and start the fallback."""

    fallback: ClassVar[str] = ""  # a channel name when one fits best, else the citizen's next


class OutsideWindowError(WhatsAppFallbackError):
    """131047: free text outside the 24-hour window. Send it by SMS instead."""

    fallback: ClassVar[str] = "sms"


class WhatsAppCredentialsError(ChannelConfigError, PermanentChannelError):
    """The token, its permissions or the number's registration are refused: fix the account."""


def describe(code: int | None, status: int | None) -> str:
    title = TITLES.get(code) if code is not None else None
    where = f"HTTP {status}" if status else "status"
    return f"whatsapp: {where}" + (f", {title}" if title else "")


def error_for_code(code: int | None, *, status: int | None = None) -> ChannelError:
    """The channel error for a Cloud API error `code` (HTTP `status` when synchronous)."""
    detail = describe(code, status)
    if code in RETRY_AFTER:
        return WhatsAppRateLimitError(
            detail, code=code, status=status, retry_after=RETRY_AFTER[code]
        )
    if code in TRANSIENT:
        return RetryableChannelError(detail, code=code, status=status)
    if code == 131047:
        return OutsideWindowError(detail, code=code, status=status)
    if code in (131048, 131049):
        return WhatsAppFallbackError(detail, code=code, status=status)
    if code in CREDENTIALS or status == 401:
        return WhatsAppCredentialsError(detail, code=code, status=status)
    if status is not None and code is None:
        return error_for_status(status, detail)
    if status is not None and status >= 500:
        return RetryableChannelError(detail, code=code, status=status)
    return PermanentChannelError(detail, code=code, status=status)
