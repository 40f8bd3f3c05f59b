"""Citizens entered by agents or by themselves: validation, merging and storing.

One validation for every way in (API, paper form, CSV import, online sign-up): `CitizenIn` for
the shape, then `check()` for what needs the organisation (topics, areas) or the NF Z10-011
address rules. A change is always the stored citizen plus the fields someone explicitly gave
(`gateway.audience.merging`); what nobody gave is left as it was.

Opt-outs always win: nothing here grants again a consent that a citizen withdrew, nor one that
the suppression list holds, unless the citizen asks again themselves (`regrant`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import pydantic
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from pydantic_core import PydanticCustomError

from gateway.audience import suppression
from gateway.audience.changes import diff, snapshot
from gateway.audience.consents import set_consent
from gateway.audience.problem_words import problem_text
from gateway.audience.subscriptions import available_languages
from gateway.audience.text import code_point, control_characters
from gateway.models import CHANNELS, Area, AuditEvent, Citizen, Consent, Organisation, Topic
from gateway.models.citizen import normalise_phone
from renderers.csvsafe import is_formula
from renderers.print.address import (
    AddressProblem,
    AddressProblemCode,
    address_problems,
    is_country_code,
)


class CitizenIn(pydantic.BaseModel):
    """A citizen as an agent enters it (API body, paper form, one CSV line)."""

    model_config = pydantic.ConfigDict(extra="forbid", str_strip_whitespace=True)

    reference: str = pydantic.Field("", max_length=20)
    name: str = pydantic.Field("", max_length=200)
    phone: str = ""
    email: str = pydantic.Field("", max_length=254)
    address_lines: list[str] = pydantic.Field(
        [], max_length=5, description="Delivery point down to the street (name excluded)."
    )
    postcode: str = pydantic.Field("", max_length=10)
    city: str = pydantic.Field("", max_length=100)
    country: str = pydantic.Field("FR", min_length=2, max_length=2)
    language: str = "fr"
    timezone: str = "Europe/Paris"
    channels: list[str] = pydantic.Field(..., min_length=1)
    topics: list[str] = []
    area: str = ""
    large_print: bool = False
    quiet_start: time | None = None
    quiet_end: time | None = None

    @pydantic.field_validator("reference")
    @classmethod
    def not_a_formula(cls, value: str) -> str:
        # A reference ends up in CSV files (manifests, rejects): a spreadsheet would run it.
        if is_formula(value):
            raise PydanticCustomError(
                "formula", "must not start with =, +, -, @, a tab or a carriage return"
            )
        return value

    @pydantic.field_validator(
        "reference", "name", "phone", "email", "country", "language", "timezone", "area"
    )
    @classmethod
    def no_control_characters(cls, value: str) -> str:
        found = control_characters(value)
        if found:
            raise PydanticCustomError(
                "control_character",
                "contains a control or invisible character ({char})",
                {"char": code_point(found[0])},
            )
        return value

    @pydantic.field_validator("channels", "topics")
    @classmethod
    def no_control_characters_in_lists(cls, values: list[str]) -> list[str]:
        for value in values:
            cls.no_control_characters(value)
        return values


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a citizen: the field, the reason in English (the API's language), a
    code when the reason has one, the input it was typed in when the field spans several
    (`address_lines.0`, `postcode`, `city`…), and the address problem to say it in any language.
    """

    field: str
    problem: str
    code: str = ""
    input: str = ""
    address: AddressProblem | None = None
    params: dict = field(default_factory=dict)  # fill the words of `code`

    def message(self, locale: str) -> str:
        """The problem in `locale` (by its code; the English text for a code without words)."""
        if self.address:
            return self.address.message(locale)
        return problem_text(self.code, locale, self.params) or self.problem


@dataclass
class Checked:
    """A validated citizen, ready to store."""

    data: CitizenIn
    phone: str = ""
    is_mobile: bool = True
    email: str = ""
    address: list[str] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    area: Area | None = None


def check(
    organisation: Organisation, data: CitizenIn, *, consents: frozenset[str] = frozenset()
) -> tuple[Checked | None, list[Problem]]:
    """Everything wrong with `data` for this organisation, field by field.

    `consents`: the channels the stored citizen already consents to; the record must still
    reach them (no consent on a channel the citizen cannot be reached on).
    """
    problems: list[Problem] = []
    result = Checked(data)
    unknown = [c for c in data.channels if c not in CHANNELS]
    if unknown:
        choices = ", ".join(CHANNELS)
        problems.append(
            Problem(
                "channels",
                f"unknown channel {unknown[0]!r} (one of {choices})",
                code="unknown_channel",
                params={"channel": unknown[0]},
            )
        )
    known_country = is_country_code(data.country)
    if not known_country:
        problems.append(
            Problem(
                "country",
                f"unknown country code {data.country!r}",
                code="country",
                params={"country": data.country},
            )
        )
    elif data.phone:
        try:
            result.phone = normalise_phone(data.phone, data.country.upper())
            kind = phonenumbers.number_type(phonenumbers.parse(result.phone))
            result.is_mobile = kind in (
                phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
            )
        except ValidationError as exc:
            problems.append(Problem("phone", exc.messages[0], code="phone_invalid"))
    reaching = set(data.channels) | set(consents)
    for channel in sorted({"sms", "whatsapp"} & reaching):
        if result.phone and not result.is_mobile:
            problems.append(
                Problem(
                    "channels",
                    f"{channel} needs a mobile phone; this one is a landline",
                    code="landline",
                )
            )
    for channel in sorted({"sms", "voice", "whatsapp"} & reaching):
        if not data.phone:
            problems.append(
                Problem("phone", f"required for the {channel} channel", code="phone_required")
            )
    if data.email:
        try:
            validate_email(data.email)
            result.email = data.email
        except ValidationError:
            problems.append(Problem("email", "not a valid email address", code="email_invalid"))
    elif "email" in reaching:
        problems.append(Problem("email", "required for the email channel", code="email_required"))
    if known_country and (data.address_lines or data.postcode or data.city or "post" in reaching):
        problems += _address(data, result)
    if data.language not in available_languages():
        problems.append(Problem("language", f"unknown language {data.language!r}", code="language"))
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            Problem("timezone", f"unknown time zone {data.timezone!r}", code="timezone")
        )
    if (data.quiet_start is None) != (data.quiet_end is None):
        problems.append(
            Problem("quiet_end", "quiet hours need both a start and an end", code="quiet_hours")
        )
    found = {
        t.slug: t for t in Topic.objects.filter(organisation=organisation, slug__in=data.topics)
    }
    for slug in data.topics:
        if slug not in found:
            problems.append(
                Problem("topics", f"unknown topic {slug!r}", code="topic", params={"topic": slug})
            )
    result.topics = list(found.values())
    if data.area:
        result.area = Area.objects.filter(organisation=organisation, slug=data.area).first()
        if result.area is None:
            problems.append(
                Problem(
                    "area", f"unknown area {data.area!r}", code="area", params={"area": data.area}
                )
            )
    return (None if problems else result), problems


def _address(data: CitizenIn, result: Checked) -> list[Problem]:
    """The NF Z10-011 problems, each tied to the input holding the line it names."""
    filled = [(i, line) for i, line in enumerate(data.address_lines) if line.strip()]
    locality = f"{data.postcode} {data.city}".strip()
    result.address = [line for _, line in filled] + ([locality] if locality else [])
    inputs = ["name", *(f"address_lines.{i}" for i, _ in filled)] + (
        ["locality"] if locality else []
    )
    problems = []
    for problem in address_problems([data.name or "-", *result.address], country=data.country):
        where = inputs[problem.line - 1] if 0 < problem.line <= len(inputs) else ""
        if where == "locality":
            where = _locality_input(problem, data)
        problems.append(
            Problem("address", problem.message("en"), problem.code.value, where, problem)
        )
    return problems


def _locality_input(problem: AddressProblem, data: CitizenIn) -> str:
    if problem.code is AddressProblemCode.POSTCODE:
        return "postcode"
    if problem.code is AddressProblemCode.CHARACTER:
        char = chr(int(str(problem.params["char"])[2:], 16))
        return "postcode" if char in data.postcode else "city"
    return "city"


def problems_of(error: pydantic.ValidationError) -> list[Problem]:
    return [
        Problem(
            ".".join(str(p) for p in e["loc"]) or "body",
            e["msg"].removeprefix("Value error, "),
            code=e["type"] if e["type"] != "value_error" else "invalid",
            params={k: str(v) for k, v in (e.get("ctx") or {}).items() if k != "error"},
        )
        for e in error.errors()
    ]


def granted_channels(citizen: Citizen | None) -> frozenset[str]:
    if citizen is None or citizen.pk is None:
        return frozenset()
    rows = Consent.objects.filter(citizen=citizen, granted=True)
    return frozenset(rows.values_list("channel", flat=True))


def save(
    organisation: Organisation,
    checked: Checked,
    *,
    source: str,
    evidence: str,
    actor=None,
    citizen: Citizen | None = None,
    grant: list[str] | None = None,
    regrant: bool = False,
    audit: dict | None = None,
) -> tuple[Citizen, dict]:
    """Create or update a citizen, grant the consents of `grant` (default: its channels);
    the citizen and what changed (`{field: {before, after}}`), also written to the audit log.

    An opt-out (a withdrawn consent, or the phone on the suppression list) is never granted
    back, unless `regrant`: the citizen asked again themselves (online, with a verified phone).
    """
    data = checked.data
    fields = {
        "name": data.name,
        "phone": checked.phone,
        "email": checked.email,
        "is_mobile": checked.is_mobile,
        "address_lines": checked.address,
        "country": data.country.upper(),
        "language": data.language,
        "timezone": data.timezone,
        "channels": list(dict.fromkeys(data.channels)),
        "area": checked.area,
        "large_print": data.large_print,
        "prefers_voice": data.channels[0] == "voice",
        "quiet_start": data.quiet_start,
        "quiet_end": data.quiet_end,
    }
    if citizen is not None and citizen.email.lower() != checked.email.lower():
        fields["email_confirmed_at"] = None  # a new address has not been confirmed
    with transaction.atomic():
        before = snapshot(citizen)
        if citizen is None:
            extra = {"reference": data.reference} if data.reference else {}
            citizen = Citizen.objects.create(organisation=organisation, **extra, **fields)
            action = "citizen.created"
        else:
            for name, value in fields.items():
                setattr(citizen, name, value)
            citizen.save()
            action = "citizen.updated"
        citizen.topics.set(checked.topics)
        _grant(
            citizen,
            fields["channels"] if grant is None else grant,
            regrant,
            source,
            evidence,
            actor,
        )
        changes = diff(before, snapshot(citizen))
        if changes or action == "citizen.created":
            AuditEvent.record(
                action,
                citizen,
                actor=actor,
                citizen=citizen.reference,
                source=source,
                changes=changes,
                **(audit or {}),
            )
    return citizen, changes


def _grant(citizen: Citizen, channels, regrant: bool, source: str, evidence: str, actor) -> None:
    organisation = citizen.organisation
    withdrawn = set() if regrant else withdrawn_channels(organisation, citizen)
    for channel in dict.fromkeys(channels):
        contact = suppression.contact_of(citizen, channel)
        if regrant:
            suppression.lift(organisation, contact, channel)
        elif channel not in withdrawn and suppression.is_suppressed(organisation, contact, channel):
            # The phone said STOP (perhaps before this citizen was erased and entered again),
            # or the address unsubscribed or bounced.
            what = "address" if channel == "email" else "phone"
            set_consent(
                citizen,
                channel,
                False,
                source=source,
                evidence=f"suppression list: this {what} opted out of {channel}",
                actor=actor,
            )
            continue
        if channel not in withdrawn:
            set_consent(citizen, channel, True, source=source, evidence=evidence, actor=actor)


def withdrawn_channels(organisation: Organisation, citizen: Citizen) -> set[str]:
    """The channels this citizen opted out of; an SMS opt-out of the same phone counts too."""
    mine = set(
        Consent.objects.filter(citizen=citizen, granted=False).values_list("channel", flat=True)
    )
    if (
        citizen.phone
        and Consent.objects.filter(
            citizen__organisation=organisation,
            citizen__phone=citizen.phone,
            channel="sms",
            granted=False,
        ).exists()
    ):
        mine.add("sms")
    return mine


def enter(
    organisation: Organisation,
    data: CitizenIn,
    *,
    source: str,
    evidence: str,
    actor=None,
    citizen: Citizen | None = None,
    grant: list[str] | None = None,
) -> tuple[Citizen | None, list[Problem]]:
    """Check then save one citizen an agent entered (API, console); the problems, or nothing.

    `data` is the whole citizen: for an existing one, merge the fields given first.
    """
    if data.reference and citizen is None:
        taken = Citizen.objects.filter(organisation=organisation, reference=data.reference)
        if taken.exists():
            return None, [Problem("reference", "already used", code="reference_used")]
    checked, problems = check(organisation, data, consents=granted_channels(citizen))
    if checked is None:
        return None, problems
    saved, _ = save(
        organisation,
        checked,
        source=source,
        evidence=evidence,
        actor=actor,
        citizen=citizen,
        grant=grant,
    )
    return saved, []


def paper_evidence(form_reference: str, signed_on: date, agent) -> str:
    who = getattr(agent, "username", "") or "agent"
    return f"paper form {form_reference} signed {signed_on.isoformat()}, entered by {who}"
