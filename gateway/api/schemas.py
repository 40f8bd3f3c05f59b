"""API schemas: ThingIn / ThingOut."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from babel import Locale, UnknownLocaleError
from ninja import Schema
from pydantic import AfterValidator, Field, field_validator

from renderers.i18n import shipped_locales
from renderers.print.address import is_country_code


class Error(Schema):
    detail: str


# A web address (the schema says so, so clients and schemathesis know it too).
Link = Annotated[str, Field(pattern=r"^https?://[^\s/]+\S*$", max_length=500)]


def supported_locale(value: str) -> str:
    """A locale Babel knows whose language Crieur ships a catalog for (`fr`, `fr_CA`, `br`);
    anything else would fail later, when rendering (a 500 instead of this 422)."""
    try:
        language = Locale.parse(value).language
    except (UnknownLocaleError, ValueError):
        raise ValueError(f"unknown locale {value!r}") from None
    shipped = shipped_locales()
    if language not in shipped:
        raise ValueError(f"no catalog for {value!r} (shipped: {', '.join(shipped)})")
    return value


LocaleCode = Annotated[
    str, Field(pattern=r"^[a-z]{2,3}(_[A-Z]{2})?$"), AfterValidator(supported_locale)
]


CapCategory = Literal[
    "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
    "CBRNE", "Other",
]  # fmt: skip
CapSeverity = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
CapCertainty = Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]
CapResponse = Literal[
    "Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"
]


class TextIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=2000)
    body: str = Field(min_length=1, max_length=50_000)


class AnnouncementIn(TextIn):
    locale: LocaleCode = "fr"
    urgency: Literal["info", "important", "urgent"] = "info"
    topics: list[str] = []
    areas: list[str] = []
    links: list[Link] = []
    contact: str = Field("", max_length=200)
    translations: dict[LocaleCode, TextIn] = {}
    follows: int | None = Field(
        None,
        description="An earlier announcement of the same incident (published: this one "
        "corrects or extends it, and its CAP alert is an Update referencing the earlier ones).",
    )
    category: CapCategory | None = None
    event: str = Field("", max_length=100)
    severity: CapSeverity | None = None
    certainty: CapCertainty | None = None
    response_type: CapResponse | None = None
    expires_at: datetime | None = None


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
    scheduled_at: datetime | None
    published_at: datetime | None
    texts: list[TextOut]
    exercise: bool = Field(
        False, description="From a CAP Test or Exercise alert: publish needs ?exercise=true."
    )
    follows: int | None = None


class RenditionOut(Schema):
    form: str
    locale: str
    media_type: str
    text: str | None = Field(None, description="The exact text sent; absent for PDFs.")
    meta: dict


class CardPreviewOut(Schema):
    form: str
    url: str = Field(description="The image (JPEG); the URL changes with the text it shows.")
    alt: str = Field(description="The description sent with the picture.")
    width: int
    height: int
    error: str | None = Field(None, description="Why it cannot be made (TOO_LONG …).")


class AccountMediaOut(Schema):
    card: CardPreviewOut | None = None
    video: str | None = Field(
        None, description="POST here to make the video preview (its posts carry the video)."
    )


class PreviewVideoOut(Schema):
    """A video preview being made on the `media` queue, then its captions and transcript."""

    id: int
    status: str = Field(description="queued, running, done or failed")
    progress: float
    stage: str
    error: str | None = None
    locale: str
    duration: float | None = None
    vtt: str | None = None
    transcript: str | None = None
    alt: str | None = None
    url: str | None = Field(None, description="The MP4, once done.")
    captions_url: str | None = None


class AccountPreviewOut(Schema):
    """One social account's post, in the language that account posts in."""

    account: int | None = Field(description="The account's id; null: the instance's default.")
    kind: str
    label: str
    status: str = Field(description="ok, untested, failing, disabled, or default")
    rendition: RenditionOut | None
    error: str | None = Field(None, description="Why the post cannot be made.")
    media: AccountMediaOut | None = Field(None, description="The card and video it carries.")
    warnings: list[str] = []


class PreviewOut(Schema):
    locale: str
    renditions: list[RenditionOut]
    warnings: list[str] = []
    accounts: list[AccountPreviewOut] = Field(
        [], description="One card per social account: its own post, counter and warnings."
    )


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
    computed_at: datetime = Field(
        description="When this estimate was made: it is kept until the announcement or the "
        "audience changes, and remade at most once a minute otherwise."
    )
    citizens: int
    deliveries: int = Field(description="Deliveries that publishing now would create.")
    deferred: int = Field(description="Of which deferred to the end of quiet hours.")
    by_channel: dict[str, int]
    by_locale: dict[str, int]
    by_area: dict[str, int]
    rows: list[ReachRow]


class AnnouncementPatch(Schema):
    """Only the fields given change. `translations` replaces or adds whole texts per locale."""

    title: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = Field(None, min_length=1, max_length=2000)
    body: str | None = Field(None, min_length=1, max_length=50_000)
    urgency: Literal["info", "important", "urgent"] | None = None
    topics: list[str] | None = None
    areas: list[str] | None = None
    links: list[Link] | None = None
    contact: str | None = Field(None, max_length=200)
    translations: dict[LocaleCode, TextIn] | None = None


class RejectIn(Schema):
    reason: str = Field(min_length=1, max_length=1000, description="Why, for the author.")


class ScheduleIn(Schema):
    scheduled_at: datetime = Field(description="When to publish, with its time zone.")

    @field_validator("scheduled_at")
    @classmethod
    def has_time_zone(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("give a time zone, e.g. 2026-11-24T09:00:00+01:00")
        if value <= datetime.now(value.tzinfo):
            raise ValueError("must be in the future")
        return value


class StatusOut(Schema):
    id: int
    status: str
    scheduled_at: datetime | None = None
    cancelled_deliveries: int | None = Field(None, description="Deliveries stopped by cancel.")


class ReportRow(Schema):
    channel: str
    locale: str
    status: str
    count: int
    confirmed: int = Field(description="Citizens who confirmed receipt (voice menu 2).")
    cost: str = Field(description="Sum of the provider costs, in the organisation's currency.")


class CostLine(Schema):
    key: str = Field(description="The channel, language or area slug (empty: every area).")
    count: int
    estimated: str = Field(description="Estimated before sending, in the organisation's currency.")
    unestimated: int = Field(description="Deliveries with no estimate (a first call, postage).")
    actual: str = Field(description="What the providers charged, in the organisation's currency.")
    priced: int = Field(description="Deliveries whose charge is known.")


class CostOut(Schema):
    currency: str
    published: bool = Field(description="False: estimated from the reach, nothing sent yet.")
    estimated: str
    unestimated: int
    actual: str
    priced: int
    count: int
    outbox: int = Field(description="Deliveries written to the outbox: they cost nothing.")
    other_currencies: dict[str, str] = Field(
        description="Charges in another currency than the organisation's, listed apart."
    )
    by: dict[str, list[CostLine]] = Field(description="Per channel, locale and area.")
    notes: list[str]


class EmailFeedbackOut(Schema):
    """What the announcement's emails caused: hard bounces (address suspended), complaints
    and unsubscriptions (email consent withdrawn)."""

    bounced: int
    complained: int
    unsubscribed: int


class ReportOut(Schema):
    computed_at: datetime = Field(
        description="When these counts were made (at most a few seconds ago)."
    )
    id: int
    status: str
    published_at: datetime | None
    total: int
    confirmed: int
    cost: str = Field(description="What the providers charged (see costs.actual).")
    currency: str
    replies: int
    rows: list[ReportRow]
    costs: CostOut
    email: EmailFeedbackOut


class AuditEventOut(Schema):
    action: str
    actor: str | None = Field(None, description="User name of the actor; empty for the system.")
    at: datetime
    data: dict


class TopicIn(Schema):
    slug: str = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1, max_length=100)
    keywords: list[str] = Field([], description="SMS keywords, any language.")


class TopicPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    keywords: list[str] | None = None


class TopicOut(Schema):
    id: int
    slug: str
    name: str
    keywords: list[str]


class Geocode(Schema):
    """A CAP geocode of the area, e.g. INSEE 49123 or MeteoAlarm's EMMA_ID FR049."""

    valueName: str = Field(min_length=1, max_length=50, pattern=r"^\S+$")  # noqa: N815
    value: str = Field(min_length=1, max_length=50, pattern=r"^\S+$")


def cap_polygon(value: str) -> str:
    """A CAP polygon: "lat,lon" pairs separated by spaces, closed (first = last), ≥ 4 points."""
    from gateway.alerts.parse import CapError, _polygon

    try:
        _polygon(value)
    except CapError as exc:
        raise ValueError(exc.rule) from None
    if any(len(n.partition(".")[2]) > 6 for n in value.replace(",", " ").split()):
        raise ValueError("at most 6 decimals per coordinate (about 10 cm)")
    return value


Polygon = Annotated[str, Field(max_length=10_000), AfterValidator(cap_polygon)]


class AreaIn(Schema):
    slug: str = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1, max_length=100)
    geocodes: list[Geocode] = Field([], max_length=50, description="CAP geocodes (export, feeds)")
    polygons: list[Polygon] = Field([], max_length=20, description="CAP polygons (export)")


class AreaPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    geocodes: list[Geocode] | None = Field(None, max_length=50)
    polygons: list[Polygon] | None = Field(None, max_length=20)


class AreaOut(Schema):
    id: int
    slug: str
    name: str
    geocodes: list[Geocode] = []
    polygons: list[str] = []


class InboundMessageOut(Schema):
    id: int
    channel: str
    citizen: str | None = Field(None, description="Citizen reference (never a phone number).")
    announcement: int | None
    keyword: str
    body: str
    received_at: datetime


class OrganisationOut(Schema):
    name: str
    slug: str
    default_locale: str
    timezone: str
    city: str
    address_lines: list[str]
    sms_sender: str
    voice_sender: str
    sms_signature: str
    sms_policy: str
    sms_max_parts: int
    sms_prices: dict[str, str]
    currency: str
    countries: list[str]
    signup_codes_per_day: int


class OrganisationPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    default_locale: LocaleCode | None = None
    timezone: str | None = Field(None, max_length=64)
    city: str | None = Field(None, max_length=100)
    address_lines: list[str] | None = Field(None, max_length=6)
    sms_sender: str | None = Field(None, max_length=32)
    voice_sender: str | None = Field(None, max_length=32)
    sms_signature: str | None = Field(None, max_length=40)
    sms_policy: Literal["off", "punctuation", "full"] | None = None
    sms_max_parts: int | None = Field(None, ge=1, le=10)
    sms_prices: dict[str, str] | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    countries: list[str] | None = Field(
        None, min_length=1, max_length=50, description="ISO 3166 codes the sign-up texts."
    )
    signup_codes_per_day: int | None = Field(None, ge=0, le=1_000_000)

    @field_validator("countries")
    @classmethod
    def real_countries(cls, value: list[str] | None) -> list[str] | None:
        for code in value or []:
            if not is_country_code(code) or code != code.upper():
                raise ValueError(f"not an ISO 3166 country code: {code!r}")
        return list(dict.fromkeys(value)) if value is not None else None

    @field_validator("timezone")
    @classmethod
    def known_time_zone(cls, value: str | None) -> str | None:
        import zoneinfo

        if value is not None and value not in zoneinfo.available_timezones():
            raise ValueError(f"unknown time zone {value!r}")
        return value

    @field_validator("sms_prices")
    @classmethod
    def prices_are_decimals(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        from decimal import Decimal, InvalidOperation

        for country, price in (value or {}).items():
            if len(country) != 2 or not country.isupper():
                raise ValueError(f"not a country code: {country!r}")
            try:
                if not Decimal(price).is_finite() or Decimal(price) < 0:
                    raise InvalidOperation
            except InvalidOperation:
                raise ValueError(f"not a price: {price!r}") from None
        return value


class ApiKeyIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Literal["read", "write", "publish", "admin"]] = Field(min_length=1)


class ApiKeyOut(Schema):
    id: int
    name: str
    user: str
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreatedOut(ApiKeyOut):
    key: str = Field(description="The key itself, shown this once: only its hash is stored.")
