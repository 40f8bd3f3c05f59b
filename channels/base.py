"""The channel contract: `send()` wraps `try_send()` and turns surprises into typed errors."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from channels.errors import ChannelError, RetryableChannelError
from renderers.message import Rendition

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """Who receives a rendition. `reference` is opaque and the only thing that may be logged."""

    reference: str
    phone: str = ""
    name: str = ""
    address: tuple[str, ...] = ()
    locale: str = "fr"
    email: str = ""

    def __repr__(self) -> str:  # never leak a phone number or an address through repr()
        return f"Recipient(reference={self.reference!r})"


@dataclass(frozen=True)
class Receipt:
    """What the provider said: its reference for the message and the status it reported."""

    provider_ref: str
    status: str = "sent"
    cost: Decimal | None = None
    extra: dict[str, str] = field(default_factory=dict)


class Channel(ABC):
    """One provider account. Limits are class attributes, so previews and tests can read them."""

    name: ClassVar[str]
    family: ClassVar[str]  # sms, voice, social, print
    forms: ClassVar[tuple[str, ...]]  # rendition forms this channel accepts
    body_maxlen: ClassVar[int | None] = None
    request_rate_per_sec: ClassVar[float | None] = None

    def send(self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str) -> Receipt:
        """Send one rendition; raise `RetryableChannelError` or `PermanentChannelError`."""
        if rendition.form not in self.forms:
            raise ValueError(f"{self.name} cannot send a {rendition.form!r} rendition")
        try:
            return self.try_send(rendition, recipient, idempotency_key=idempotency_key)
        except ChannelError:
            raise
        except (TimeoutError, ConnectionError, OSError) as exc:
            raise RetryableChannelError(f"{self.name}: {type(exc).__name__}") from exc

    @property
    def account_key(self) -> str:
        """What the provider counts requests against; rate limits are kept per account."""
        return self.name

    @abstractmethod
    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt: ...

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"
