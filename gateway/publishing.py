"""Creating and publishing announcements: the one place the API, the CLI and the console call."""

from __future__ import annotations

from django.db import transaction

from gateway.models import (
    Announcement,
    AnnouncementText,
    Area,
    AuditEvent,
    Organisation,
    Status,
    Topic,
)
from gateway.renditions import preview


class PublishError(Exception):
    """The announcement cannot be published in its current state."""


PUBLISHABLE = (Status.DRAFT, Status.APPROVED, Status.SCHEDULED)


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


def publish(announcement: Announcement, *, actor=None) -> None:
    """Check that every form renders in every locale, then queue the publication.

    Raises `renderers.RenderError` (the agent must shorten something) or `PublishError`.
    """
    if announcement.status not in PUBLISHABLE:
        raise PublishError(f"announcement is {announcement.status}; it cannot be published")
    for locale in announcement.locales:
        preview(announcement, locale)  # raises RenderError before anything changes
    moved = Announcement.objects.filter(pk=announcement.pk, status__in=PUBLISHABLE).update(
        status=Status.APPROVED if announcement.status == Status.DRAFT else announcement.status
    )
    if not moved:
        raise PublishError("announcement changed while publishing; try again")
    AuditEvent.record("announcement.published", announcement, actor=actor)
    from gateway.tasks.publish import publish_announcement

    transaction.on_commit(lambda: publish_announcement.delay(announcement.pk))


def _by_slug(model, organisation: Organisation, slugs: list[str], what: str):
    found = {o.slug: o for o in model.objects.filter(organisation=organisation, slug__in=slugs)}
    for slug in slugs:
        if slug not in found:
            raise ValueError(f"{what}s: unknown {what} {slug!r}")
    return list(found.values())
