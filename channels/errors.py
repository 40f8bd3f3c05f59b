"""Channel errors: retryable (timeouts, 429, 5xx) or permanent (the send can never succeed)."""

from __future__ import annotations


class ChannelError(Exception):
    """A send failed. `code` is the provider's error code when it gave one."""

    retryable = False

    def __init__(self, detail: str, *, code: str | int | None = None, status: int | None = None):
        self.detail = detail
        self.code = code
        self.status = status
        super().__init__(detail if code is None else f"{detail} (code {code})")


class RetryableChannelError(ChannelError):
    """Try again later: the provider was busy, slow or unreachable."""

    retryable = True


class UnknownOutcomeError(RetryableChannelError):
    """The request may have reached the provider (e.g. read timeout): reconcile before resending."""


class PermanentChannelError(ChannelError):
    """Never retry: the recipient or the request is refused (e.g. Twilio 21610, opted out)."""


class ChannelConfigError(ChannelError):
    """The channel is misconfigured (bad or missing credential); raised at start-up."""


def error_for_status(status: int, detail: str, *, code: str | int | None = None) -> ChannelError:
    """Classify an HTTP failure: 408, 425, 429 and 5xx are worth retrying, other 4xx are not."""
    if status in (408, 425, 429) or status >= 500:
        return RetryableChannelError(detail, code=code, status=status)
    return PermanentChannelError(detail, code=code, status=status)
