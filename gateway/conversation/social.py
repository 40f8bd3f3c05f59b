"""Social comments into the moderation queue: read each account's new comments (a periodic
task), keep each once, classify it; hide one on its network when an agent decides so."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from channels.base import Channel
from channels.comments import Comment, comment_reader
from channels.errors import ChannelError
from gateway.conversation.models import CommentCursor, Review
from gateway.conversation.moderation import ModerationError, review_message
from gateway.conversation.voters import sender_of_account
from gateway.models import Delivery, InboundMessage, Organisation

logger = logging.getLogger(__name__)


def social_channels(organisation: Organisation) -> dict[str, Channel]:
    """The organisation's social accounts (`mastodon:12`; the instance's default: `mastodon`),
    enabled and working: the other place this domain reaches the registry."""
    from gateway.registry import for_organisation

    found = {}
    for (name, account_id), target in for_organisation(organisation.pk).broadcast.items():
        found[name if account_id is None else f"{name}:{account_id}"] = target.channel
    return found


def store(organisation: Organisation, comment: Comment) -> Review | None:
    """Keep one comment and classify it; None when it was kept before (unique per network)."""
    if Review.objects.filter(network=comment.network, comment_ref=comment.id).exists():
        return None
    answered = (
        Delivery.objects.filter(
            announcement__organisation=organisation,
            channel=comment.network,
            provider_ref=comment.in_reply_to,
        )
        .values_list("announcement_id", flat=True)
        .first()
        if comment.in_reply_to
        else None
    )
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(
                organisation=organisation,
                announcement_id=answered,
                channel=comment.network[:8],
                body=comment.text[:5000],
                provider_ref=comment.id[:64],
            )
            return review_message(
                inbound,
                sender=sender_of_account(comment.network, comment.author_id),
                author=comment.author[:200],
                network=comment.network,
                comment_ref=comment.id[:100],
                comment_url=comment.url[:200],
            )
    except IntegrityError:  # another worker stored it at the same moment
        return None


def fetch_account(organisation: Organisation, name: str, channel: Channel) -> int:
    reader = comment_reader(channel)
    if reader is None:
        return 0
    cursor, _ = CommentCursor.objects.get_or_create(organisation=organisation, account=name)
    page = reader.fetch(cursor.last_id)
    stored = sum(store(organisation, c) is not None for c in page.comments)
    CommentCursor.objects.filter(pk=cursor.pk).update(last_id=page.cursor[:100])
    return stored


def fetch_all() -> int:
    """Every organisation's accounts; a failing account is logged and skipped, never another's."""
    stored = 0
    for organisation in Organisation.objects.all():
        for name, channel in social_channels(organisation).items():
            try:
                stored += fetch_account(organisation, name, channel)
            except ChannelError as exc:
                logger.warning("comments of %s not read: %s", name, exc)
    return stored


def hide_comment(review: Review) -> None:
    """Hide the comment on its network (raises ModerationError with the network's cause)."""
    channels = social_channels(review.inbound.organisation)
    channel = next(
        (c for c in channels.values() if (r := comment_reader(c)) and r.network == review.network),
        None,
    )
    reader = comment_reader(channel) if channel else None
    if reader is None or not reader.can_hide:
        raise ModerationError(
            f"decision: {review.network or 'this channel'} does not let us hide a comment",
            conflict=True,
        )
    try:
        reader.hide(review.comment_ref)
    except ChannelError as exc:
        raise ModerationError(f"decision: {exc}", conflict=True) from None
