"""The one mapper from Django rows to the framework-free `Message` renderers read."""

from __future__ import annotations

from django.conf import settings

from gateway.models import Announcement
from renderers.message import Message


def public_url(announcement: Announcement) -> str:
    return f"{settings.PUBLIC_URL}/v/{announcement.verification_code}"


def to_message(announcement: Announcement, locale: str | None = None) -> Message:
    """The announcement in `locale` (its own locale when that translation does not exist),
    with its poll while the poll is not closed."""
    from gateway.conversation.polls import poll_value

    text = announcement.text(locale)
    organisation = announcement.organisation
    return Message(
        organisation=organisation.name,
        locale=text.locale,
        title=text.title,
        summary=text.summary,
        body=text.body,
        urgency=announcement.urgency,
        topics=tuple(t.name for t in announcement.topics.all()),
        areas=tuple(a.name for a in announcement.areas.all()),
        links=tuple(announcement.links),
        contact=announcement.contact,
        published_at=announcement.published_at,
        timezone=organisation.timezone,
        verification_code=announcement.verification_code,
        public_url=public_url(announcement),
        poll=poll_value(announcement, text.locale),
        organisation_address=tuple(line for line in organisation.address_lines or () if line),
    )
