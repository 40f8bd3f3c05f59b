"""Moderation: every free-text message gets the classifier's verdict; an agent decides
(mark as fine, block the sender from replies, hide the comment where the network allows it).
Nothing is hidden or deleted automatically; every decision is audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from gateway.conversation.models import Decision, Review, SenderBlock, Verdict, WordEntry
from gateway.models import AuditEvent, InboundMessage
from inbound.moderation import CATEGORIES, WordListError, WordLists, classify, load_lists


class ModerationError(ValueError):
    """A decision refused; `conflict` when the message does not allow it (409)."""

    def __init__(self, detail: str, *, conflict: bool = False) -> None:
        super().__init__(detail)
        self.conflict = conflict


def lists_of(organisation) -> WordLists:
    """The shipped lists, the organisation's own terms, minus the words it allows."""
    entries = list(WordEntry.objects.filter(organisation=organisation))
    return load_lists(
        extra=[(e.category, e.term) for e in entries if not e.allowed],
        allowed=[e.term for e in entries if e.allowed],
    )


def add_word(organisation, term: str, *, category: str = "", allowed: bool = False, actor=None):
    term = " ".join(term.split())
    if not term or len(term) > 100:
        raise ModerationError("term: 1 to 100 characters")
    if not allowed and category not in CATEGORIES:
        raise ModerationError(f"category: one of {', '.join(CATEGORIES)}")
    try:
        load_lists([], extra=[] if allowed else [(category, term)], allowed=[term])
    except WordListError as exc:
        raise ModerationError(f"term: {exc}") from None
    entry, created = WordEntry.objects.get_or_create(
        organisation=organisation,
        term=term,
        allowed=allowed,
        defaults={"category": "" if allowed else category},
    )
    if created:
        AuditEvent.record(
            "moderation.word_added", entry, actor=actor, organisation=organisation, allowed=allowed
        )
    return entry


def remove_word(entry: WordEntry, *, actor=None) -> None:
    AuditEvent.record(
        "moderation.word_removed",
        entry,
        actor=actor,
        organisation=entry.organisation,
        allowed=entry.allowed,
    )
    entry.delete()


def is_blocked(organisation, sender: str) -> bool:
    return (
        bool(sender)
        and SenderBlock.objects.filter(organisation=organisation, sender=sender).exists()
    )


def review_message(inbound: InboundMessage, *, sender: str, **social) -> Review:
    """Classify a stored free-text message; a blocked sender's goes straight to `blocked`."""
    result = classify(inbound.body, lists_of(inbound.organisation))
    blocked = is_blocked(inbound.organisation, sender)
    return Review.objects.create(
        inbound=inbound,
        verdict=result.verdict.value,
        reason=result.reason[:200],
        sender=sender,
        decision=Decision.BLOCKED if blocked else Decision.PENDING,
        **social,
    )


def queue(organisation):
    """What an agent should read: flagged messages not decided yet, oldest first."""
    return (
        Review.objects.filter(
            inbound__organisation=organisation,
            decision=Decision.PENDING,
            verdict__in=(Verdict.TO_REVIEW, Verdict.SPAM),
        )
        .select_related("inbound__citizen")
        .order_by("inbound__received_at", "pk")
    )


def decide(review: Review, decision: str, *, actor=None, hide=None) -> Review:
    """Record an agent's decision. `hide(review)` performs the network call for HIDDEN (it
    raises `ModerationError` with the network's one-line cause)."""
    if decision not in (Decision.FINE, Decision.BLOCKED, Decision.HIDDEN):
        raise ModerationError("decision: one of fine, blocked, hidden")
    organisation = review.inbound.organisation
    before = review.decision
    if decision == Decision.HIDDEN:
        if not review.comment_ref or hide is None:
            raise ModerationError(
                "decision: only a comment on a network that allows it can be hidden",
                conflict=True,
            )
        hide(review)
    with transaction.atomic():
        if decision == Decision.BLOCKED:
            if not review.sender:
                raise ModerationError("decision: this sender cannot be told apart", conflict=True)
            SenderBlock.objects.get_or_create(
                organisation=organisation, sender=review.sender, defaults={"created_by": actor}
            )
        Review.objects.filter(pk=review.pk).update(
            decision=decision,
            decided_by=actor if getattr(actor, "is_authenticated", False) else None,
            decided_at=timezone.now(),
        )
        AuditEvent.record(
            f"moderation.{decision}",
            review,
            actor=actor,
            organisation=organisation,
            before=before,
            verdict=review.verdict,
            reason=review.reason,
        )
    review.refresh_from_db()
    return review


def counts(organisation) -> dict[str, int]:
    """For the dashboard: the queue by verdict, and blocked senders."""
    pending = queue(organisation)
    return {
        "to_review": pending.filter(verdict=Verdict.TO_REVIEW).count(),
        "spam": pending.filter(verdict=Verdict.SPAM).count(),
        "blocked": SenderBlock.objects.filter(organisation=organisation).count(),
    }
