"""The one message every renderer reads, and the rendition every renderer returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from renderers.poll import Poll


class Urgency(StrEnum):
    INFO = "info"
    IMPORTANT = "important"
    URGENT = "urgent"


@dataclass(frozen=True)
class Message:
    """An announcement in one locale, as plain values.

    `summary` is the short form (SMS, social); `body` the long form (print, voice).
    `public_url` leads to the public page of the announcement (`/v/<code>`).
    """

    organisation: str
    locale: str
    title: str
    summary: str
    body: str
    urgency: Urgency = Urgency.INFO
    topics: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    contact: str = ""
    published_at: datetime | None = None
    timezone: str = "Europe/Paris"
    verification_code: str = ""
    public_url: str = ""
    poll: Poll | None = None  # a consultation to answer, printed and said with the message
    organisation_address: tuple[str, ...] = ()  # the return address printed on letters

    def __post_init__(self) -> None:
        object.__setattr__(self, "urgency", Urgency(self.urgency))
        for name in ("topics", "areas", "links", "organisation_address"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


@dataclass(frozen=True)
class Rendition:
    """One rendered form of a message, ready for a channel.

    `body` is text (SMS, post, TwiML) or bytes (PDF); `meta` carries what a preview shows
    (encoding, segments, counters).
    """

    form: str
    locale: str
    media_type: str
    body: str | bytes
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))

    @property
    def text(self) -> str:
        if isinstance(self.body, bytes):
            raise TypeError(f"{self.form} rendition is binary ({self.media_type})")
        return self.body
