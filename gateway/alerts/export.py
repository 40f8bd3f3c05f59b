"""Announcements → CAP alerts: built from an announcement (stored, with Update and Cancel
referencing the earlier alerts of the incident) or from an announcement file (no database)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from gateway.alerts.values import Alert, Area, Info, cap_time

# urgency → CAP urgency, severity, certainty, responseType when the announcement says nothing
DEFAULTS: dict[str, tuple[str, str, str, str]] = {
    "urgent": ("Immediate", "Severe", "Observed", "Monitor"),
    "important": ("Expected", "Moderate", "Likely", "Monitor"),
    "info": ("Future", "Minor", "Likely", "None"),
}
DEFAULT_CATEGORY = {"urgent": "Safety", "important": "Other", "info": "Other"}


def safe_id(text: str) -> str:
    """`text` without what CAP forbids in identifier and sender (spaces, commas, <, &)."""
    return re.sub(r"[\s,<&]+", "-", text.strip()).strip("-") or "crieur"


def sender_of(slug: str, public_url: str) -> str:
    host = urlsplit(public_url).hostname or "localhost"
    return safe_id(f"{slug}@{host}")


def language(locale: str) -> str:
    return locale.replace("_", "-")


def build_info(
    *,
    locale: str,
    urgency: str,
    title: str,
    summary: str,
    body: str,
    sender_name: str,
    web: str,
    contact: str,
    areas: tuple[Area, ...],
    category: str = "",
    event: str = "",
    severity: str = "",
    certainty: str = "",
    response_type: str = "",
    effective: str = "",
    expires: str = "",
) -> Info:
    cap_urgency, cap_severity, cap_certainty, response = DEFAULTS[urgency]
    return Info(
        language=language(locale),
        categories=(category or DEFAULT_CATEGORY[urgency],),
        event=event or title,
        urgency=cap_urgency,
        severity=severity or cap_severity,
        certainty=certainty or cap_certainty,
        response_types=(response_type or response,),
        effective=effective,
        expires=expires,
        sender_name=sender_name,
        headline=title,
        description=body,
        instruction=summary,
        web=web,
        contact=contact,
        areas=areas,
    )


def alert_from_file(announcement_file, *, now: datetime | None = None) -> Alert:
    """The CAP alert of an announcement file (`crieur cap export --file`), no database."""
    from gateway.announcement_file import AnnouncementFile

    assert isinstance(announcement_file, AnnouncementFile)
    data = announcement_file.data
    zone = ZoneInfo(str(data.get("timezone") or "Europe/Paris"))
    when = data.get("published_at") or now or datetime.now(zone)
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    sent = cap_time(when.astimezone(zone))
    organisation = str(data["organisation"])
    slug = safe_id(organisation.lower())
    digest = hashlib.sha256(repr(sorted(data.items(), key=str)).encode()).hexdigest()[:12]
    areas = tuple(Area(desc=str(a)) for a in data.get("areas", ())) or (Area(desc=organisation),)
    infos = []
    for locale in announcement_file.locales:
        message = announcement_file.message(locale)
        infos.append(
            build_info(
                locale=locale,
                urgency=str(data.get("urgency") or "info"),
                title=message.title,
                summary=message.summary,
                body=message.body,
                sender_name=organisation,
                web=message.public_url,
                contact=message.contact,
                areas=areas,
                effective=sent,
            )
        )
    host = urlsplit(str(data.get("public_url") or "")).hostname or "crieur.invalid"
    return Alert(
        identifier=safe_id(f"{slug}-{data.get('verification_code') or digest}"),
        sender=safe_id(f"{slug}@{host}"),
        sent=sent,
        status="Actual",
        msg_type="Alert",
        infos=tuple(infos),
    )


def areas_of(announcement) -> tuple[Area, ...]:
    """The announcement's target areas (all the organisation's when it names none)."""
    organisation = announcement.organisation
    rows: Iterable = announcement.areas.all() or organisation.areas.order_by("slug")
    areas = tuple(
        Area(
            desc=row.name,
            polygons=tuple(row.polygons or ()),
            geocodes=tuple((g["valueName"], g["value"]) for g in row.geocodes or ()),
        )
        for row in rows
    )
    return areas or (Area(desc=organisation.city or organisation.name),)
