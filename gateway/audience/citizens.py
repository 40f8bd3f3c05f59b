"""Citizens entered by agents: validation, paper forms, edits, CSV import, export and erasure.

One validation for every way in (API, paper form, CSV import): `CitizenIn` for the shape, then
`check()` for what needs the organisation (topics, areas) or the NF Z10-011 address rules.
Opt-outs always win: nothing here grants again a consent that a citizen withdrew.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import pydantic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gateway.audience.consents import set_consent
from gateway.audience.subscriptions import available_languages
from gateway.models import (
    CHANNELS,
    Area,
    AuditEvent,
    Citizen,
    Consent,
    Delivery,
    Organisation,
    Topic,
)
from gateway.models.citizen import normalise_phone
from renderers.print.address import check_address

Problem = tuple[str, str]  # (field, problem)


class CitizenIn(pydantic.BaseModel):
    """A citizen as an agent enters it (API body, paper form, one CSV line)."""

    model_config = pydantic.ConfigDict(extra="forbid", str_strip_whitespace=True)

    reference: str = pydantic.Field("", max_length=20)
    name: str = pydantic.Field("", max_length=200)
    phone: str = ""
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


@dataclass
class Checked:
    """A validated citizen, ready to store."""

    data: CitizenIn
    phone: str = ""
    is_mobile: bool = True
    address: list[str] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    area: Area | None = None


def check(organisation: Organisation, data: CitizenIn) -> tuple[Checked | None, list[Problem]]:
    """Everything wrong with `data` for this organisation, field by field."""
    problems: list[Problem] = []
    result = Checked(data)
    unknown = [c for c in data.channels if c not in CHANNELS]
    if unknown:
        problems.append(
            ("channels", f"unknown channel {unknown[0]!r} (one of {', '.join(CHANNELS)})")
        )
    if data.phone:
        try:
            result.phone = normalise_phone(data.phone, data.country.upper())
            kind = phonenumbers.number_type(phonenumbers.parse(result.phone))
            result.is_mobile = kind in (
                phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
            )
        except ValidationError as exc:
            problems.append(("phone", exc.messages[0]))
    if "sms" in data.channels and result.phone and not result.is_mobile:
        problems.append(("channels", "sms needs a mobile phone; this one is a landline"))
    for channel in {"sms", "voice"} & set(data.channels):
        if not data.phone:
            problems.append(("phone", f"required for the {channel} channel"))
    if data.address_lines or data.postcode or data.city or "post" in data.channels:
        lines = [line for line in data.address_lines if line]
        result.address = [*lines, f"{data.postcode} {data.city}".strip()]
        for problem in check_address([data.name or "-", *result.address], country=data.country):
            problems.append(("address", problem))
    if data.language not in available_languages():
        problems.append(("language", f"unknown language {data.language!r}"))
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(("timezone", f"unknown time zone {data.timezone!r}"))
    if (data.quiet_start is None) != (data.quiet_end is None):
        problems.append(("quiet_end", "quiet hours need both a start and an end"))
    found = {
        t.slug: t for t in Topic.objects.filter(organisation=organisation, slug__in=data.topics)
    }
    for slug in data.topics:
        if slug not in found:
            problems.append(("topics", f"unknown topic {slug!r}"))
    result.topics = list(found.values())
    if data.area:
        result.area = Area.objects.filter(organisation=organisation, slug=data.area).first()
        if result.area is None:
            problems.append(("area", f"unknown area {data.area!r}"))
    return (None if problems else result), problems


def problems_of(error: pydantic.ValidationError) -> list[Problem]:
    return [(".".join(str(p) for p in e["loc"]) or "body", e["msg"]) for e in error.errors()]


def save(
    organisation: Organisation,
    checked: Checked,
    *,
    source: str,
    evidence: str,
    actor=None,
    citizen: Citizen | None = None,
    regrant: bool = False,
) -> Citizen:
    """Create or update a citizen and grant the consents of its channels.

    An opt-out is never granted back, unless `regrant` (the citizen asked again themselves,
    e.g. online with a verified phone).
    """
    data = checked.data
    fields = {
        "name": data.name,
        "phone": checked.phone,
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
    with transaction.atomic():
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
        withdrawn = set() if regrant else withdrawn_channels(organisation, citizen)
        for channel in fields["channels"]:
            if channel not in withdrawn:
                set_consent(citizen, channel, True, source=source, evidence=evidence, actor=actor)
        AuditEvent.record(action, citizen, actor=actor, citizen=citizen.reference, source=source)
    return citizen


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
) -> tuple[Citizen | None, list[Problem]]:
    """Check then save one citizen an agent entered (API, console); the problems, or nothing."""
    if data.reference and citizen is None:
        if Citizen.objects.filter(reference=data.reference).exists():
            return None, [("reference", "already used")]
    checked, problems = check(organisation, data)
    if checked is None:
        return None, problems
    saved = save(
        organisation, checked, source=source, evidence=evidence, actor=actor, citizen=citizen
    )
    return saved, []


def paper_evidence(form_reference: str, signed_on: date, agent) -> str:
    who = getattr(agent, "username", "") or "agent"
    return f"paper form {form_reference} signed {signed_on.isoformat()}, entered by {who}"


# CSV import -----------------------------------------------------------------------------------

LIST_SEPARATORS = (";", "|", ",", " ")
TRUE_WORDS = {"yes", "oui", "true", "1", "y", "o"}
COLUMNS = set(CitizenIn.model_fields) | {"address1", "address2", "address3", "address4", "civility"}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, field, problem)

    @property
    def ok(self) -> bool:
        return not self.problems


def _split(value: str) -> list[str]:
    for sep in LIST_SEPARATORS:
        if sep in value:
            return [v.strip() for v in value.split(sep) if v.strip()]
    return [value.strip()] if value.strip() else []


def _row_data(row: dict[str, str]) -> dict:
    row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
    civility = row.pop("civility", "")
    data: dict = {k: v for k, v in row.items() if k in CitizenIn.model_fields and v != ""}
    if civility:
        data["name"] = f"{civility} {data.get('name', '')}".strip()
    lines = [row.get(f"address{i}", "") for i in range(1, 5)]
    if any(lines):
        data["address_lines"] = [line for line in lines if line]
    for name in ("channels", "topics"):
        if name in data:
            data[name] = _split(data[name])
    if "channels" not in data:  # a mail-merge file: post when there is an address
        data["channels"] = (
            ["post"] if data.get("postcode") else (["sms"] if data.get("phone") else [])
        )
    if "large_print" in data:
        data["large_print"] = data["large_print"].lower() in TRUE_WORDS
    for name in ("quiet_start", "quiet_end", "reference"):
        data.setdefault(name, None if name != "reference" else "")
    return data


def import_file(
    organisation: Organisation, content: bytes, *, source_name: str, actor=None
) -> ImportReport:
    """`import_citizens` of an uploaded file; a file that is not UTF-8 is one problem."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return ImportReport(problems=[(1, "file", "not UTF-8 text")])
    return import_citizens(organisation, text, source_name=source_name, actor=actor)


def import_citizens(
    organisation: Organisation, text: str, *, source_name: str, actor=None
) -> ImportReport:
    """Validate every line, then store them all in one transaction, or nothing at all.

    A line with a known `reference` updates that citizen; opt-outs survive re-imports.
    """
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    unknown = [c for c in reader.fieldnames or [] if c and c.strip().lower() not in COLUMNS]
    if not reader.fieldnames:
        report.problems.append((1, "header", "the file is empty"))
        return report
    if unknown:
        report.problems.append((1, unknown[0], "unknown column"))
        return report
    ready: list[tuple[int, Checked]] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        try:
            data = CitizenIn(**_row_data(row))
        except pydantic.ValidationError as exc:
            report.problems += [(line, f, p) for f, p in problems_of(exc)]
            continue
        checked, problems = check(organisation, data)
        report.problems += [(line, f, p) for f, p in problems]
        if data.reference:
            if data.reference in seen:
                report.problems.append(
                    (line, "reference", f"already on line {seen[data.reference]}")
                )
            seen[data.reference] = line
        if checked is not None:
            ready.append((line, checked))
    if report.problems:
        return report
    existing = {
        c.reference: c
        for c in Citizen.objects.filter(organisation=organisation, reference__in=list(seen))
    }
    taken = set(
        Citizen.objects.filter(reference__in=list(seen))
        .exclude(organisation=organisation)
        .values_list("reference", flat=True)
    )
    for line, checked in ready:
        if checked.data.reference in taken:
            report.problems.append((line, "reference", "used by another organisation"))
    if report.problems:
        return report
    with transaction.atomic():
        for line, checked in ready:
            citizen = existing.get(checked.data.reference)
            if citizen is not None and citizen.erased_at is not None:
                continue  # erased on request: an import never brings the data back
            save(
                organisation,
                checked,
                source="agent",
                evidence=f"import {source_name} line {line}",
                actor=actor,
                citizen=citizen,
            )
            if citizen is None:
                report.created += 1
            else:
                report.updated += 1
    return report


# GDPR: export, erasure, retention -------------------------------------------------------------


def citizen_fields(citizen: Citizen) -> dict:
    """The citizen's own fields, as the API shows them and the export starts with."""
    return {
        "reference": citizen.reference,
        "name": citizen.name,
        "phone": citizen.phone,
        "address_lines": citizen.address_lines,
        "country": citizen.country,
        "language": citizen.language,
        "timezone": citizen.timezone,
        "channels": citizen.channels,
        "topics": sorted(citizen.topics.values_list("slug", flat=True)),
        "area": citizen.area.slug if citizen.area else None,
    }


def export_citizen(citizen: Citizen) -> dict:
    """Everything stored about one citizen, as JSON-ready data."""
    consents = citizen.consents.order_by("channel")
    consent_ids = [str(pk) for pk in consents.values_list("pk", flat=True)]
    return {
        **citizen_fields(citizen),
        "large_print": citizen.large_print,
        "quiet_hours": [
            t.isoformat() if t else None for t in (citizen.quiet_start, citizen.quiet_end)
        ],
        "created_at": citizen.created_at.isoformat(),
        "erased_at": citizen.erased_at.isoformat() if citizen.erased_at else None,
        "consents": [
            {
                "channel": c.channel,
                "granted": c.granted,
                "source": c.source,
                "at": c.at.isoformat(),
                "evidence": c.evidence,
            }
            for c in consents
        ],
        "consent_history": [
            {"action": e.action, "at": e.at.isoformat(), **e.data}
            for e in AuditEvent.objects.filter(object_type="consent", object_id__in=consent_ids)
        ],
        "deliveries": [
            {
                "announcement": d.announcement_id,
                "channel": d.channel,
                "locale": d.locale,
                "status": d.status,
                "created_at": d.created_at.isoformat(),
                "sent_at": d.sent_at.isoformat() if d.sent_at else None,
                "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
            }
            for d in citizen.deliveries.order_by("pk")
        ],
    }


def erase_citizen(citizen: Citizen, *, actor=None) -> None:
    """Remove the personal data; the row (a bare reference) keeps the delivery counts."""
    with transaction.atomic():
        Citizen.objects.filter(pk=citizen.pk).update(
            name="",
            phone="",
            address_lines=[],
            channels=[],
            area=None,
            quiet_start=None,
            quiet_end=None,
            large_print=False,
            erased_at=timezone.now(),
        )
        citizen.topics.clear()
        citizen.consents.all().delete()
        citizen.deliveries.update(provider_ref="", last_error="")
        AuditEvent.record("citizen.erased", citizen, actor=actor, citizen=citizen.reference)
    citizen.refresh_from_db()


def purge_delivery_details(now: datetime | None = None) -> int:
    """Clear provider references and errors of deliveries older than the retention period."""
    days = settings.DELIVERY_RETENTION_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return (
        Delivery.objects.filter(created_at__lt=cutoff, citizen__isnull=False)
        .exclude(provider_ref="", last_error="")
        .update(provider_ref="", last_error="")
    )
