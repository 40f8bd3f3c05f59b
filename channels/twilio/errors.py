"""Turn what the Twilio SDK raises into channel errors, without leaking numbers or tokens.

Twilio's own messages quote the phone number ("The 'To' number +33… is not valid"), so the
detail is built from the status and code only, never copied from the response.
"""

from __future__ import annotations

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException

from channels.errors import (
    ChannelConfigError,
    ChannelError,
    PermanentChannelError,
    RetryableChannelError,
    UnknownOutcomeError,
    error_for_status,
)

# Codes worth a readable word; any other code still travels in `error.code`.
KNOWN_CODES = {
    20003: "authentication failed",
    20404: "resource not found",
    20429: "too many requests",
    21211: "invalid 'To' number",
    21408: "destination region not enabled",
    21602: "message body required",
    21606: "the sender is not a number of this account",
    21210: "the caller ID is not a number of this account",
    21610: "unsubscribed recipient",
    21612: "destination not reachable from this sender",
    21614: "'To' is not a mobile number",
    21617: "body exceeds 1600 characters",
    21205: "invalid TwiML URL",
    32018: "TwiML longer than 4000 characters",
}


class TwilioCredentialsError(ChannelConfigError, PermanentChannelError):
    """Twilio refused the account credentials (401, code 20003).

    Permanent for the delivery (retrying cannot help and would delay the fallback channel),
    and a config error for whoever watches the channel (every send will fail until fixed).
    """


def describe(name: str, status: int | None, code: object) -> str:
    word = KNOWN_CODES.get(code) if isinstance(code, int) else None
    return f"{name}: HTTP {status}" + (f", {word}" if word else "")


def from_twilio(name: str, exc: Exception, *, creating: bool) -> ChannelError:
    """Classify one SDK failure. `creating`: a lost reply may mean the resource exists."""
    if isinstance(exc, TwilioRestException | TwilioServiceException):
        status = int(exc.status)
        code = exc.code if exc.code is not None else status
        if status == 401:
            return TwilioCredentialsError(describe(name, status, code), code=code, status=status)
        return error_for_status(status, describe(name, status, code), code=code)
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return RetryableChannelError(f"{name}: cannot connect ({type(exc).__name__})")
    if isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.ReadTimeout):
        # Refused before sending is safe to retry; a connection dropped mid-reply is not known.
        if _refused(exc) or not creating:
            return RetryableChannelError(f"{name}: connection error ({type(exc).__name__})")
        return UnknownOutcomeError(f"{name}: connection lost, the request may have been accepted")
    if isinstance(exc, requests.Timeout):
        if creating:
            return UnknownOutcomeError(f"{name}: no reply in time, the request may be accepted")
        return RetryableChannelError(f"{name}: timeout")
    if isinstance(exc, requests.RequestException):
        return RetryableChannelError(f"{name}: {type(exc).__name__}")
    if isinstance(exc, TwilioException) and len(exc.args) > 1:
        # A list page that is not 200 comes as TwilioException("Unable to fetch page", response).
        status = getattr(exc.args[1], "status_code", 500)
        return error_for_status(status, describe(name, status, None))
    return RetryableChannelError(f"{name}: unexpected {type(exc).__name__}")


def _refused(exc: requests.ConnectionError) -> bool:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return True
        reason = getattr(cause, "reason", None)
        cause = reason if isinstance(reason, BaseException) else cause.__context__
    return False
