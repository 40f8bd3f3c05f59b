"""Creating, approving and publishing announcements: the one place the API, CLI and console call.

The workflow, each step checked against the actor's role in the announcement's organisation and
written to the audit log with the status before and after:

    draft --submit--> pending_approval --approve--> approved --schedule--> scheduled
      ^                    |                            |                      |
      +------reject--------+          publish <---------+----------------------+
    (an urgent announcement may be published from draft by a member with the alert right)

Any step before the end may `cancel`. `actor=None` is the system itself (the scheduler, tests).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone as tz

from gateway.models import (
    Announcement,
    AnnouncementText,
    Area,
    AuditEvent,
    Delivery,
    DeliveryStatus,
    Membership,
    Organisation,
    Role,
    Status,
    Topic,
    Urgency,
)
from gateway.renditions import preview


class WorkflowError(Exception):
    """A workflow step refused: `code` is `forbidden` (the role does not allow it),
    `self_approval`, or `conflict` (not allowed in the announcement's current status)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


PUBLISHABLE = (Status.APPROVED, Status.SCHEDULED)
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
    with transaction.atomic():
        announcement = Announcement.objects.create(
            organisation=organisation,
            locale=data.get("locale") or organisation.default_locale,
            urgency=data.get("urgency", "info"),
            links=list(data.get("links", [])),
            contact=data.get("contact", ""),
            author=author if getattr(author, "is_authenticated", False) else None,
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
            )
            for locale, t in texts.items()
        )
        AuditEvent.record("announcement.created", announcement, actor=author)
    return announcement


def submit(announcement: Announcement, *, actor=None) -> None:
    """Ask for approval (any member)."""
    _require(announcement, actor, roles=None)
    _move(announcement, actor, "submitted", (Status.DRAFT,), Status.PENDING_APPROVAL)


def approve(announcement: Announcement, *, actor=None) -> None:
    """Approve (approver or admin, never the author)."""
    _require(announcement, actor, roles=APPROVERS)
    if actor is not None and announcement.author_id == actor.pk:
        raise WorkflowError("self_approval", "the author of an announcement cannot approve it")
    _move(
        announcement,
        actor,
        "approved",
        (Status.PENDING_APPROVAL,),
        Status.APPROVED,
        approver=actor if actor is not None else None,
    )


def reject(announcement: Announcement, *, actor=None, reason: str = "") -> None:
    """Send back to the author as a draft (approver or admin), with the reason."""
    _require(announcement, actor, roles=APPROVERS)
    _move(announcement, actor, "rejected", (Status.PENDING_APPROVAL,), Status.DRAFT, reason=reason)


def schedule(announcement: Announcement, when: datetime, *, actor=None) -> None:
    """Publish an approved announcement later (the periodic scheduler publishes it)."""
    _require(announcement, actor, roles=None)
    if when <= tz.now():
        raise WorkflowError("conflict", "scheduled_at: must be in the future")
    _move(
        announcement,
        actor,
        "scheduled",
        (Status.APPROVED, Status.SCHEDULED),
        Status.SCHEDULED,
        scheduled_at=when,
    )


def cancel(announcement: Announcement, *, actor=None) -> int:
    """Cancel: every delivery not yet sent is cancelled. Returns how many were stopped."""
    _require(announcement, actor, roles=None)
    _move(announcement, actor, "cancelled", CANCELLABLE, Status.CANCELLED)
    return Delivery.objects.filter(
        announcement=announcement,
        status__in=(DeliveryStatus.PLANNED, DeliveryStatus.DEFERRED),
    ).update(status=DeliveryStatus.CANCELLED, updated_at=tz.now())


def publish(announcement: Announcement, *, actor=None) -> None:
    """Check that every form renders in every locale, then queue the publication.

    An approved or scheduled announcement may be published by any member; an urgent one also
    from draft or pending approval by a member with the alert right. Raises
    `renderers.RenderError` (the agent must shorten something) or `WorkflowError`.
    """
    member = _require(announcement, actor, roles=None)
    allowed = PUBLISHABLE
    if announcement.urgency == Urgency.URGENT and member is not None and member.can_alert:
        allowed = (*PUBLISHABLE, Status.DRAFT, Status.PENDING_APPROVAL)
    if announcement.status not in allowed:
        raise WorkflowError(
            "conflict", f"announcement is {announcement.status}; it must be approved first"
        )
    for locale in announcement.locales:
        preview(announcement, locale)  # raises RenderError before anything changes
    _move(announcement, actor, "published", allowed, Status.SENDING, published_at=tz.now())
    from gateway.tasks.publish import publish_announcement

    transaction.on_commit(lambda: publish_announcement.delay(announcement.pk))


def _require(announcement: Announcement, actor, *, roles) -> Membership | None:
    """The actor's membership, checked against `roles` (None: any member). System: None."""
    if actor is None:
        return None
    member = membership(actor, announcement.organisation)
    if member is None or (roles is not None and member.role not in roles):
        raise WorkflowError("forbidden", "your role does not allow this")
    return member


def _move(announcement, actor, action: str, sources, target: Status, **fields) -> None:
    """Compare-and-set the status, then audit who moved it from what to what."""
    before = announcement.status
    if before not in sources:
        raise WorkflowError("conflict", f"announcement is {before}; it cannot be {action}")
    reason = fields.pop("reason", None)
    moved = Announcement.objects.filter(pk=announcement.pk, status=before).update(
        status=target, updated_at=tz.now(), **fields
    )
    if not moved:
        raise WorkflowError("conflict", "announcement changed meanwhile; reload and try again")
    announcement.status = target
    for name, value in fields.items():
        setattr(announcement, name, value)
    data = {"before": before, "after": str(target)}
    if reason:
        data["reason"] = reason
    AuditEvent.record(f"announcement.{action}", announcement, actor=actor, **data)


def _by_slug(model, organisation: Organisation, slugs: list[str], what: str):
    found = {o.slug: o for o in model.objects.filter(organisation=organisation, slug__in=slugs)}
    for slug in slugs:
        if slug not in found:
            raise ValueError(f"{what}s: unknown {what} {slug!r}")
    return list(found.values())
