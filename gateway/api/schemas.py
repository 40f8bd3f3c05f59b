"""API schemas: ThingIn / ThingOut."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field, field_validator


class Error(Schema):
    detail: str


class TextIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=2000)
    body: str = Field(min_length=1, max_length=50_000)


class AnnouncementIn(TextIn):
    locale: str = Field("fr", pattern=r"^[a-z]{2,3}(_[A-Z]{2})?$")
    urgency: Literal["info", "important", "urgent"] = "info"
    topics: list[str] = []
    areas: list[str] = []
    links: list[str] = []
    contact: str = Field("", max_length=200)
    translations: dict[str, TextIn] = {}

    @field_validator("links")
    @classmethod
    def links_are_urls(cls, links: list[str]) -> list[str]:
        for link in links:
            if not link.startswith(("https://", "http://")):
                raise ValueError(f"not a web address: {link!r}")
        return links


class TextOut(Schema):
    locale: str
    title: str
    summary: str
    body: str


class AnnouncementOut(Schema):
    id: int
    status: str
    urgency: str
    locale: str
    topics: list[str]
    areas: list[str]
    links: list[str]
    contact: str
    verification_code: str
    public_url: str
    published_at: datetime | None
    texts: list[TextOut]


class RenditionOut(Schema):
    form: str
    locale: str
    media_type: str
    text: str | None = Field(None, description="The exact text sent; absent for PDFs.")
    meta: dict


class PreviewOut(Schema):
    locale: str
    renditions: list[RenditionOut]
    warnings: list[str] = []


class PublishOut(Schema):
    id: int
    status: str


class DeliveryOut(Schema):
    id: int
    channel: str
    locale: str
    status: str
    citizen: str | None = Field(None, description="Citizen reference (never a phone number).")
    provider: str
    provider_ref: str
    attempts: int
    last_error: str
    cost: str | None
    sent_at: datetime | None
    delivered_at: datetime | None


class DeliveryCount(Schema):
    channel: str
    locale: str
    status: str
    count: int


class DeliveriesOut(Schema):
    count: int
    counts: list[DeliveryCount]
    items: list[DeliveryOut]


class ReachRow(Schema):
    channel: str = Field(description="sms, voice, post, or weekly (the weekly letter)")
    locale: str
    area: str
    count: int


class ReachOut(Schema):
    citizens: int
    deliveries: int = Field(description="Deliveries that publishing now would create.")
    deferred: int = Field(description="Of which deferred to the end of quiet hours.")
    by_channel: dict[str, int]
    by_locale: dict[str, int]
    by_area: dict[str, int]
    rows: list[ReachRow]
