"""Creating, approving and publishing announcements: the one place the API, CLI and console call.

The workflow, each step checked against the actor's role in the announcement's organisation and
written to the audit log with the status before and after:

    draft --submit--> pending_approval --approve--> approved --schedule--> scheduled
      ^                    |                            |                      |
      +------reject--------+          publish <---------+----------------------+
    (an urgent announcement may be published from draft by a member with the alert right)

An `edit` of an approved or scheduled announcement sends it back to pending approval: what is
published is always what was approved. Nobody approves what they wrote or edited last. An
approver (or admin) may `cancel` any step before the end. `actor=None` is the system itself
(the scheduler, tests).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone as tz

from gateway.models import (
    Announcement,
    AnnouncementText,
    Area,
    AuditEvent,
    Membership,
    Organisation,
    Role,
    Status,
    Topic,
    Urgency,
)
from gateway.renditions import preview, render_in
from renderers.errors import RenderError

logger = logging.getLogger(__name__)


class WorkflowError(Exception):
    """A workflow step refused: `code` is `forbidden` (the role does not allow it),
    `self_approval`, or `conflict` (not allowed in the announcement's current status)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


PUBLISHABLE = (Status.APPROVED, Status.SCHEDULED)
EDITABLE = (Status.DRAFT, Status.PENDING_APPROVAL, Status.APPROVED, Status.SCHEDULED)
TEXT_FIELDS = ("title", "summary", "body")
CAP_FIELDS = ("category", "event", "severity", "certainty", "response_type")
CANCELLABLE = (
    Status.DRAFT,
    Status.PENDING_APPROVAL,
    Status.APPROVED,
    Status.SCHEDULED,
    Status.SENDING,
)
APPROVERS = (Role.APPROVER, Role.ADMIN)


def membership(user, organisation: Organisation) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, organisation=organisation).first()


def create_announcement(organisation: Organisation, data: dict, *, author=None) -> Announcement:
    """Create an announcement from validated data (the API schema or an announcement file).

    Unknown topic or area slugs raise ValueError naming the slug.
    """
    topics = _by_slug(Topic, organisation, data.get("topics", []), "topic")
    areas = _by_slug(Area, organisation, data.get("areas", []), "area")
    follows = data.get("follows")
    if follows is not None and not organisation.announcements.filter(pk=follows).exists():
        raise ValueError(f"follows: no announcement {follows} in this organisation")
    with transaction.atomic():
        announcement = Announcement.objects.create(
            organisation=organisation,
            locale=data.get("locale") or organisation.default_locale,
            urgency=data.get("urgency", "info"),
            links=list(data.get("links", [])),
            contact=data.get("contact", ""),
            author=author if getattr(author, "is_authenticated", False) else None,
            follows_id=follows,
            exercise=bool(data.get("exercise", False)),
            **{name: data.get(name) or "" for name in CAP_FIELDS},
            effective_at=data.get("effective_at"),
            expires_at=data.get("expires_at"),
        )
        announcement.topics.set(topics)
        announcement.areas.set(areas)
        texts = {announcement.locale: data, **data.get("translations", {})}
        AnnouncementText.objects.bulk_create(
            AnnouncementText(
                announcement=announcement,
                locale=locale,
                title=t["title"].strip(),
                summary=t["summary"].strip(),
                body=t["body"].strip(),
                event=(t.get("event") or "").strip(),
            )
            for locale, t in texts.items()
        )
        AuditEvent.record("announcement.created", announcement, actor=author)
    return announcement


def edit(announcement: Announcement, data: dict, *, actor=None) -> dict:
    """Apply the fields given in `data` (API patch schema); return the audit `before`/`after`.

    Texts of the source locale are `title`, `summary`, `body`; `translations` replaces or adds
    whole texts per locale. Nothing changes once sending. An edit after approval needs a new
    approval: approved or scheduled goes back to pending approval (and off the schedule).
    """
    _require(announcement, actor, roles=None)
    with transaction.atomic():
        row = Announcement.objects.select_for_update().get(pk=announcement.pk)
        if row.status not in EDITABLE:
            raise WorkflowError("conflict", f"announcement is {row.status}; it cannot be edited")
        before, after = _apply(row, data)
        if not after:
            return {"before": {}, "after": {}}
        status = Status.PENDING_APPROVAL if row.status in PUBLISHABLE else row.status
        if status != row.status:
            before.update(status=row.status, scheduled_at=_iso(row.scheduled_at))
            after.update(status=str(status), scheduled_at=None)
            row.status, row.scheduled_at, row.approver = status, None, None
        row.last_editor = actor if getattr(actor, "is_authenticated", False) else None
        row.save()
        AuditEvent.record("announcement.edited", row, actor=actor, before=before, after=after)
    announcement.refresh_from_db()
    return {"before": before, "after": after}


def _apply(row: Announcement, data: dict) -> tuple[dict, dict]:
    """Set the changed fields on `row` (texts and relations saved); the changes before/after."""
    before: dict = {}
    after: dict = {}
    for name in ("urgency", "links", "contact"):
        if name in data and data[name] != getattr(row, name):
            before[name], after[name] = getattr(row, name), data[name]
            setattr(row, name, data[name])
    for name, model in (("topics", Topic), ("areas", Area)):
        if name in data:
            found = _by_slug(model, row.organisation, data[name], name[:-1])
            old = sorted(o.slug for o in getattr(row, name).all())
            if old != sorted(o.slug for o in found):
                before[name], after[name] = old, sorted(o.slug for o in found)
                getattr(row, name).set(found)
    texts = {locale: dict(t) for locale, t in (data.get("translations") or {}).items()}
    source = {k: data[k] for k in TEXT_FIELDS if data.get(k) is not None}
    if source:
        texts[row.locale] = {**texts.get(row.locale, {}), **source}
    existing = {t.locale: t for t in row.texts.all()}
    for locale, fields in sorted(texts.items()):
        text = existing.get(locale) or AnnouncementText(announcement=row, locale=locale)
        changed = False
        for name in TEXT_FIELDS:
            value = fields.get(name)
            if value is not None and value.strip() != getattr(text, name):
                key = f"texts.{locale}.{name}"
                before[key], after[key] = getattr(text, name) or None, value.strip()
                setattr(text, name, value.strip())
                changed = True
        if changed:
            text.save()
    return before, after


def follow_up(announcement: Announcement, *, actor=None) -> Announcement:
    """A new draft, a copy of a published announcement that follows it: the way to correct or
    extend what was sent (never edited). Published, its CAP alert is an Update."""
    _require(announcement, actor, roles=None)
    if announcement.status not in (Status.SENDING, Status.SENT):
        raise WorkflowError(
            "conflict",
            f"announcement is {announcement.status}; only a published announcement is followed "
            "up (edit this one instead)",
        )
    texts = {
        t.locale: {"title": t.title, "summary": t.summary, "body": t.body, "event": t.event}
        for t in announcement.texts.all()
    }
    data = {
        **texts[announcement.locale],
        "locale": announcement.locale,
        "translations": {k: v for k, v in texts.items() if k != announcement.locale},
        "urgency": announcement.urgency,
        "topics": [t.slug for t in announcement.topics.all()],
        "areas": [a.slug for a in announcement.areas.all()],
        "links": announcement.links,
        "contact": announcement.contact,
        "follows": announcement.pk,
        "exercise": announcement.exercise,
        "effective_at": announcement.effective_at,
        "expires_at": announcement.expires_at,
        **{name: getattr(announcement, name) for name in CAP_FIELDS},
    }
    return create_announcement(announcement.organisation, data, author=actor)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def submit(announcement: Announcement, *, actor=None) -> None:
    """Ask for approval (any member)."""
    _require(announcement, actor, roles=None)
    _move(announcement, actor, "submitted", (Status.DRAFT,), Status.PENDING_APPROVAL)


def approve(announcement: Announcement, *, actor=None) -> None:
    """Approve (approver or admin, never the author nor the last editor)."""
    member = _require(announcement, actor, roles=APPROVERS)
    if actor is not None and actor.pk in (announcement.author_id, announcement.last_editor_id):
        raise WorkflowError(
            "self_approval", "the author or last editor of an announcement cannot approve it"
        )
    _move(
        announcement,
        actor,
        "approved",
        (Status.PENDING_APPROVAL,),
        Status.APPROVED,
        audit={"role": member.role} if member else {},
        approver=actor if actor is not None else None,
    )


def reject(announcement: Announcement, *, actor=None, reason: str = "") -> None:
    """Send back to the author as a draft (approver or admin), with the reason."""
    _require(announcement, actor, roles=APPROVERS)
    _move(
        announcement,
        actor,
        "rejected",
        (Status.PENDING_APPROVAL,),
        Status.DRAFT,
        audit={"reason": reason} if reason else {},
    )


def schedule(announcement: Announcement, when: datetime, *, actor=None) -> None:
    """Publish an approved announcement later (`publish_due` publishes it).

    Every form is rendered now, so a text that cannot fit is refused today, not at send time.
    """
    _require(announcement, actor, roles=None)
    if announcement.exercise:
        raise WorkflowError(
            "conflict", "exercise: an exercise is not scheduled; publish it with exercise=true"
        )
    if when <= tz.now():
        raise WorkflowError("conflict", "scheduled_at: must be in the future")
    if announcement.status in (Status.APPROVED, Status.SCHEDULED):
        for locale in announcement.locales:
            preview(announcement, locale)
        check_cards(announcement)
    _move(
        announcement,
        actor,
        "scheduled",
        (Status.APPROVED, Status.SCHEDULED),
        Status.SCHEDULED,
        scheduled_at=when,
    )


def cancel(announcement: Announcement, *, actor=None) -> int:
    """Cancel (approver or admin): every delivery not yet sent is cancelled. Returns how many
    were stopped. A published announcement (sending or sent: withdrawn) also emits its CAP
    Cancel, referencing every earlier alert of the incident."""
    _require(announcement, actor, roles=APPROVERS)
    from gateway.alerts.emit import emit
    from gateway.tasks.delivery import cancel_deliveries

    _move(announcement, actor, "cancelled", (*CANCELLABLE, Status.SENT), Status.CANCELLED)
    emit(announcement, "Cancel")
    return cancel_deliveries(announcement.pk)


def publish(announcement: Announcement, *, actor=None, exercise: bool = False) -> None:
    """Check that every form renders in every locale, then queue the publication and emit its
    CAP alert (an Update when it follows an earlier announcement of the incident).

    An approved or scheduled announcement may be published by any member; an urgent one also
    from draft or pending approval by a member with the alert right. An exercise (imported from
    a CAP Test or Exercise alert) reaches citizens only with `exercise=True`, said explicitly.
    Raises `renderers.RenderError` (the agent must shorten something) or `WorkflowError`.
    """
    member = _require(announcement, actor, roles=None)
    if announcement.exercise and not exercise:
        raise WorkflowError(
            "conflict",
            "exercise: this announcement comes from a CAP Test or Exercise alert; "
            "publish it with exercise=true to send it to citizens",
        )
    allowed = PUBLISHABLE
    if announcement.urgency == Urgency.URGENT and member is not None and member.can_alert:
        allowed = (*PUBLISHABLE, Status.DRAFT, Status.PENDING_APPROVAL)
    if announcement.status not in allowed:
        raise WorkflowError(
            "conflict", f"announcement is {announcement.status}; it must be approved first"
        )
    for locale in announcement.locales:
        preview(announcement, locale)  # raises RenderError before anything changes
    check_cards(announcement)
    alert = announcement.status not in PUBLISHABLE
    _move(
        announcement,
        actor,
        "published",
        allowed,
        Status.SENDING,
        audit={"alert": True} if alert else {},
        published_at=tz.now(),
    )
    from gateway.alerts.emit import emit
    from gateway.tasks.publish import publish_announcement

    emit(announcement, "Alert")

    transaction.on_commit(lambda: publish_announcement.delay(announcement.pk))


def publish_due(now: datetime | None = None) -> int:
    """Publish every scheduled announcement whose time has come; returns how many.

    One that no longer renders goes back to approved (audited with the reason) instead of
    failing again every minute; one another scheduler took meanwhile is left to it.
    """
    due = Announcement.objects.filter(
        status=Status.SCHEDULED, scheduled_at__lte=now or tz.now()
    ).order_by("scheduled_at", "pk")
    published = 0
    for announcement in due:
        try:
            with transaction.atomic():
                publish(announcement)
            published += 1
        except WorkflowError:
            continue
        except RenderError as exc:
            logger.warning("scheduled announcement %s does not render: %s", announcement.pk, exc)
            _move(
                announcement,
                None,
                "unscheduled",
                (Status.SCHEDULED,),
                Status.APPROVED,
                audit={"reason": str(exc)},
            )
    return published


def check_cards(announcement: Announcement) -> None:
    """The card every account that posts it will carry fits (raises RenderError otherwise)."""
    from gateway.media.publication import needed_cards

    for form, locale in needed_cards(announcement):
        render_in(form, announcement, locale)


def _require(announcement: Announcement, actor, *, roles) -> Membership | None:
    """The actor's membership, checked against `roles` (None: any member). System: None."""
    if actor is None:
        return None
    member = membership(actor, announcement.organisation)
    if member is None or (roles is not None and member.role not in roles):
        raise WorkflowError("forbidden", "your role does not allow this")
    return member


def _move(announcement, actor, action: str, sources, target: Status, audit=None, **fields) -> None:
    """Compare-and-set the status, then audit who moved it from what to what (and `audit`)."""
    before = announcement.status
    if before not in sources:
        raise WorkflowError("conflict", f"announcement is {before}; it cannot be {action}")
    moved = Announcement.objects.filter(pk=announcement.pk, status=before).update(
        status=target, updated_at=tz.now(), **fields
    )
    if not moved:
        raise WorkflowError("conflict", "announcement changed meanwhile; reload and try again")
    announcement.status = target
    for name, value in fields.items():
        setattr(announcement, name, value)
    data = {"before": before, "after": str(target), **(audit or {})}
    AuditEvent.record(f"announcement.{action}", announcement, actor=actor, **data)


def _by_slug(model, organisation: Organisation, slugs: list[str], what: str):
    found = {o.slug: o for o in model.objects.filter(organisation=organisation, slug__in=slugs)}
    for slug in slugs:
        if slug not in found:
            raise ValueError(f"{what}s: unknown {what} {slug!r}")
    return list(found.values())
