"""CAP alerts → announcements: each `<info>` a translation of a draft; an Update a new draft
that follows the announcement it references, a Cancel the cancellation of that announcement;
Test and Exercise alerts drafts marked as exercises. Each alert is recorded once, by
`(sender, identifier)`: a second import of it (or a race of two polls) does nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from gateway.alerts.models import CapAlert, Direction
from gateway.alerts.parse import CapError, parse_alert
from gateway.alerts.values import Alert, Info, reference_key
from gateway.models import Announcement, AuditEvent, Organisation, Status

ACCEPTED_STATUSES = ("Actual", "Exercise", "Test")
EXERCISES = ("Exercise", "Test")
NOT_PUBLISHED = (Status.DRAFT, Status.PENDING_APPROVAL, Status.APPROVED, Status.SCHEDULED)
CANCELLABLE = (*NOT_PUBLISHED, Status.SENDING)


@dataclass
class ImportResult:
    """What an import did (or, dry run, would do)."""

    alert: Alert
    action: str  # created, updated, cancelled, published, duplicate, not_for_us, nothing
    data: dict = field(default_factory=dict)  # the announcement created (or that would be)
    announcement_id: int | None = None
    notes: list[str] = field(default_factory=list)


def _locale(info: Info) -> str | None:
    primary = info.language.replace("_", "-").split("-")[0].lower()
    return primary if primary in dict(settings.LANGUAGES) else None


def _time(value: str) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _urgency(info: Info) -> str:
    if info.urgency == "Immediate" or info.severity == "Extreme":
        return "urgent"
    return "important" if info.urgency == "Expected" else "info"


def _limit(element: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise CapError(element, f"longer than {limit} characters ({len(value)})")
    return value


def matching_areas(organisation: Organisation, alert: Alert) -> list[str]:
    """Slugs of the organisation's areas the alert is for: same geocode, or same areaDesc."""
    codes = {
        (n.casefold(), v.casefold()) for i in alert.infos for a in i.areas for n, v in a.geocodes
    }
    descs = {a.desc.casefold() for i in alert.infos for a in i.areas}
    found = []
    for area in organisation.areas.order_by("slug"):
        own = {(g["valueName"].casefold(), g["value"].casefold()) for g in area.geocodes or ()}
        if own & codes or area.name.casefold() in descs:
            found.append(area.slug)
    return found


def check(alert: Alert) -> None:
    """What Crieur refuses beyond CAP itself (one CapError line)."""
    if alert.status not in ACCEPTED_STATUSES:
        raise CapError("status", f"{alert.status} alerts are not for the public; not imported")
    if alert.msg_type in ("Ack", "Error"):
        raise CapError("msgType", f"{alert.msg_type} messages are not imported")
    if alert.scope != "Public":
        raise CapError("scope", f"only Public alerts are imported ({alert.scope})")


def announcement_data(organisation: Organisation, alert: Alert) -> dict:
    """The announcement an alert becomes (the API's AnnouncementIn fields)."""
    if not alert.infos:
        raise CapError("info", f"a msgType {alert.msg_type} alert needs an <info> to be imported")
    infos: dict[str, Info] = {}
    for info in alert.infos:
        locale = _locale(info)
        if locale and locale not in infos:
            infos[locale] = info
    if not infos:
        shipped = ", ".join(code for code, _ in settings.LANGUAGES)
        raise CapError("language", f"no <info> in a language Crieur ships ({shipped})")
    source = (
        organisation.default_locale if organisation.default_locale in infos else next(iter(infos))
    )
    first = infos[source]
    texts = {}
    for locale, info in infos.items():
        title = _limit("headline", info.headline or info.event, 200)
        texts[locale] = {
            "title": title,
            "summary": _limit("instruction", info.instruction or title, 2000),
            "body": _limit("description", info.description or info.instruction or title, 50_000),
            "event": _limit("event", info.event, 100),
        }
    web = first.web if first.web.startswith(("https://", "http://")) else ""
    return {
        "locale": source,
        **texts[source],
        "translations": {k: v for k, v in texts.items() if k != source},
        "urgency": _urgency(first),
        "topics": [],
        "areas": matching_areas(organisation, alert),
        "links": [web] if web else [],
        "contact": _limit("contact", first.contact, 200),
        "category": first.categories[0],
        "event": _limit("event", first.event, 100),
        "severity": first.severity,
        "certainty": first.certainty,
        "response_type": first.response_types[0] if first.response_types else "",
        "effective_at": _time(first.effective),
        "expires_at": _time(first.expires),
        "exercise": alert.status in EXERCISES,
    }


def known_alert(organisation: Organisation, alert: Alert) -> CapAlert | None:
    """The alert if the organisation already imported or emitted it (sender and identifier)."""
    return CapAlert.objects.filter(
        organisation=organisation, sender=alert.sender, identifier=alert.identifier
    ).first()


def referenced_all(organisation: Organisation, alert: Alert) -> list[Announcement]:
    """The organisation's announcements the alert's `<references>` name, latest first."""
    keys = [reference_key(r)[:2] for r in alert.references]
    rows = CapAlert.objects.filter(
        organisation=organisation,
        announcement__isnull=False,
        identifier__in=[identifier for _, identifier in keys],
    ).select_related("announcement")
    found: dict[int, Announcement] = {}
    for row in rows.order_by("-pk"):
        if (row.sender, row.identifier) in keys and row.announcement is not None:
            found.setdefault(row.announcement.pk, row.announcement)
    return sorted(found.values(), key=lambda a: -a.pk)


def referenced(organisation: Organisation, alert: Alert) -> Announcement | None:
    """The latest announcement the alert's `<references>` name."""
    found = referenced_all(organisation, alert)
    return found[0] if found else None


def import_alert(
    organisation: Organisation,
    data: bytes | str,
    *,
    dry_run: bool = False,
    areas_required: bool = False,
    publish_severities: tuple[str, ...] = (),
    actor=None,
) -> ImportResult:
    """Import one CAP document (CapError when it is refused). `areas_required` (feeds): an
    alert for none of the organisation's areas is left out. `publish_severities`: an Alert or
    Update of those severities is published at once (never an exercise)."""
    alert = parse_alert(data)
    check(alert)
    xml = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    known = known_alert(organisation, alert)
    if known is not None:
        return ImportResult(alert, "duplicate", announcement_id=known.announcement_id)
    target = referenced(organisation, alert) if alert.references else None
    if alert.msg_type == "Cancel":
        return _cancel(organisation, alert, xml, target, dry_run=dry_run, actor=actor)
    values = announcement_data(organisation, alert)
    if areas_required and not values["areas"]:
        return ImportResult(alert, "not_for_us", values)
    if target is not None:
        values["follows"] = target.pk
    result = ImportResult(alert, "updated" if target else "created", values)
    if alert.msg_type == "Update" and target is None:
        result.notes.append("references: no earlier alert of it here; imported as a new alert")
    if dry_run:
        return result
    from gateway import publishing

    with transaction.atomic():
        row = _record(organisation, alert, xml)
        if row is None:
            return ImportResult(alert, "duplicate")
        announcement = publishing.create_announcement(organisation, values, author=actor)
        row.announcement = announcement
        row.save(update_fields=["announcement"])
        AuditEvent.record(
            "announcement.cap_imported",
            announcement,
            actor=actor,
            reference=row.reference,
            msg_type=alert.msg_type,
            status=alert.status,
        )
        if target is not None and target.status in NOT_PUBLISHED:
            publishing.cancel(target)  # superseded before it was published
            result.notes.append(f"announcement {target.pk} (not published) superseded")
    result.announcement_id = announcement.pk
    if publish_severities and not values["exercise"]:
        _publish_now(announcement, alert, publish_severities, result)
    return result


def _record(organisation: Organisation, alert: Alert, xml: str) -> CapAlert | None:
    """The alert's row, or None when another import recorded it first (the unique key)."""
    expires = alert.infos[0].expires if alert.infos else ""
    try:
        with transaction.atomic():
            return CapAlert.objects.create(
                organisation=organisation,
                direction=Direction.IN,
                identifier=alert.identifier,
                sender=alert.sender,
                sent=alert.sent,
                status=alert.status,
                msg_type=alert.msg_type,
                references=" ".join(alert.references),
                incident=alert.incidents,
                expires_at=_time(expires),
                xml=xml,
            )
    except IntegrityError:
        return None


def _cancel(organisation, alert: Alert, xml: str, target, *, dry_run: bool, actor) -> ImportResult:
    from gateway import publishing

    live = [
        a for a in referenced_all(organisation, alert) if a.status in (*CANCELLABLE, Status.SENT)
    ]
    if target is None:
        result = ImportResult(alert, "nothing")
        result.notes.append("references: no alert it cancels was imported here")
    elif not live:
        result = ImportResult(alert, "nothing", announcement_id=target.pk)
        result.notes.append(f"announcement {target.pk} is already cancelled")
    else:
        result = ImportResult(alert, "cancelled", announcement_id=live[0].pk)
        result.notes += [f"announcement {a.pk} of the same incident cancelled" for a in live[1:]]
    if dry_run:
        return result
    with transaction.atomic():
        row = _record(organisation, alert, xml)
        if row is None:
            return ImportResult(alert, "duplicate")
        if live:
            row.announcement = live[0]
            row.save(update_fields=["announcement"])
        for announcement in live:  # every announcement of the incident the partner withdrew
            publishing.cancel(announcement)
    return result


def _publish_now(announcement, alert: Alert, severities, result: ImportResult) -> None:
    """The feed's rule: alerts of these severities go out at once, approved by the rule."""
    from gateway import publishing
    from renderers.errors import RenderError

    if not any(info.severity in severities for info in alert.infos):
        return
    try:
        with transaction.atomic():
            publishing._move(
                announcement, None, "approved", (Status.DRAFT,), Status.APPROVED,
                audit={"rule": "CAP feed: published at once"},
            )  # fmt: skip
            publishing.publish(announcement)
    except (RenderError, publishing.WorkflowError) as exc:
        result.notes.append(f"left as a draft: {exc}")
        return
    result.action = "published"
