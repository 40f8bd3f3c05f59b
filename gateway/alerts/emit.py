"""Emitting and storing an announcement's CAP alerts: an Alert at publication, an Update when a
later announcement of the same incident is published, a Cancel when it is cancelled. Each
Update or Cancel references every earlier unexpired alert of the incident, by the exact `sent`
string stored when it was emitted."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone as tz

from gateway.alerts.export import areas_of, build_info, safe_id, sender_of
from gateway.alerts.models import CapAlert, Direction
from gateway.alerts.values import Alert, cap_time
from gateway.alerts.writer import to_xml
from gateway.models import Announcement


def incident_of(announcement: Announcement) -> str:
    """The incident: the first announcement of the chain of `follows`."""
    root, seen = announcement, {announcement.pk}
    while root.follows_id and root.follows_id not in seen:
        seen.add(root.follows_id)
        root = Announcement.objects.get(pk=root.follows_id)
    return f"{announcement.organisation.slug}-{root.pk}"


def earlier_alerts(announcement: Announcement, incident: str) -> list[CapAlert]:
    now = tz.now()
    return list(
        CapAlert.objects.filter(
            organisation=announcement.organisation, direction=Direction.OUT, incident=incident
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by("pk")
    )


def build_alert(
    announcement: Announcement, msg_type: str, references: list[CapAlert], sequence: int
) -> Alert:
    organisation = announcement.organisation
    zone = ZoneInfo(organisation.timezone)
    sent = cap_time(tz.now().astimezone(zone))
    from gateway.mapping import public_url

    web = public_url(announcement)
    effective = announcement.effective_at or announcement.published_at
    areas = areas_of(announcement)
    infos = tuple(
        build_info(
            locale=text.locale,
            urgency=announcement.urgency,
            title=text.title,
            summary=text.summary,
            body=text.body,
            sender_name=organisation.name,
            web=web,
            contact=announcement.contact,
            areas=areas,
            category=announcement.category,
            event=text.event or announcement.event,
            severity=announcement.severity,
            certainty=announcement.certainty,
            response_type="AllClear" if msg_type == "Cancel" else announcement.response_type,
            effective=cap_time(effective.astimezone(zone)) if effective else "",
            expires=cap_time(announcement.expires_at.astimezone(zone))
            if announcement.expires_at
            else "",
        )
        for text in sorted(announcement.texts.all(), key=lambda t: t.locale != announcement.locale)
    )
    return Alert(
        identifier=safe_id(f"{organisation.slug}-{announcement.pk}-{sequence}"),
        sender=sender_of(organisation.slug, settings.PUBLIC_URL),
        sent=sent,
        status="Exercise" if announcement.exercise else "Actual",
        msg_type=msg_type,
        references=tuple(r.reference for r in references),
        incidents=incident_of(announcement),
        infos=infos,
    )


def emit(announcement: Announcement, msg_type: str = "Alert") -> CapAlert | None:
    """Store the alert this step emits: Alert (Update when the incident has earlier alerts) or
    Cancel (none when this announcement emitted nothing, or the incident is already
    cancelled)."""
    incident = incident_of(announcement)
    earlier = earlier_alerts(announcement, incident)
    if msg_type == "Alert" and earlier:
        msg_type = "Update"
    if msg_type == "Cancel" and not any(a.announcement_id == announcement.pk for a in earlier):
        return None
    if msg_type == "Cancel" and earlier[-1].msg_type == "Cancel":
        return None  # the incident is already cancelled: nothing new to say
    sequence = CapAlert.objects.filter(announcement=announcement, direction=Direction.OUT).count()
    alert = build_alert(announcement, msg_type, earlier, sequence + 1)
    return CapAlert.objects.create(
        organisation=announcement.organisation,
        announcement=announcement,
        direction=Direction.OUT,
        identifier=alert.identifier,
        sender=alert.sender,
        sent=alert.sent,
        status=alert.status,
        msg_type=alert.msg_type,
        references=" ".join(alert.references),
        incident=incident,
        expires_at=announcement.expires_at,
        xml=to_xml(alert).decode("utf-8"),
    )
