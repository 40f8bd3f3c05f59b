"""At publication: which cards to archive now and which videos to start, from the posts
planned and the accounts they go through."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from gateway.media.jobs import start_video, video_problem
from gateway.media.needs import archived_forms, media_forms
from gateway.models import Announcement
from gateway.registry import for_organisation
from gateway.renditions import archive
from renderers.errors import RenderError

logger = logging.getLogger(__name__)


@dataclass
class MediaPlan:
    cards: set[tuple[str, str]] = field(default_factory=set)  # (form, locale) to archive now
    waiting: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # videos

    def held(self, announcement_id: int) -> list[int]:
        """The posts whose video is not archived yet: queued when it is."""
        return [
            pk
            for locale, pks in self.waiting.items()
            if video_problem(announcement_id, locale) is not None
            for pk in pks
        ]


def plan_media(
    announcement: Announcement, posts: Iterable[tuple[int, str, str, int | None]]
) -> MediaPlan:
    """From (delivery id, channel, locale, account id) of the planned posts."""
    registry = for_organisation(announcement.organisation_id)
    plan = MediaPlan()
    for pk, channel, locale, account_id in posts:
        forms = media_forms(registry.target(channel, account_id).channel)
        for form in archived_forms(f for f in forms if f != "video"):
            plan.cards.add((form, locale))
        if "video" in forms:
            plan.waiting[locale].append(pk)
    return plan


def archive_media(announcement: Announcement, plan: MediaPlan) -> list[int]:
    """Archive the cards, start the videos; the posts to hold until their video is there.

    A card that cannot be made is left out: the posts that need it fail saying why (publishing
    refused it up front, so only an account added since can meet this)."""
    for pair in sorted(plan.cards):
        try:
            archive(announcement, [pair])
        except RenderError as error:
            logger.warning("announcement %s: no %s in %s: %s", announcement.pk, *pair, error)
    for locale in sorted(plan.waiting):
        start_video(announcement, locale)
    return plan.held(announcement.pk)


def needed_cards(announcement: Announcement) -> list[tuple[str, str]]:
    """The (card, locale) the organisation's enabled accounts will post, for the check made
    before publishing."""
    from gateway.routing.planning import post_locale

    registry = for_organisation(announcement.organisation_id)
    needed = set()
    for post in registry.posts:
        forms = media_forms(registry.target(post.channel, post.account_id).channel)
        if "card" in forms:
            needed.add(("card", post_locale(announcement, post.locale)))
    return sorted(needed)
