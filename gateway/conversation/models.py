"""Polls and their answers, moderation reviews and blocks, questions and the answers sent."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as tz

from gateway.models.announcement import Announcement
from gateway.models.citizen import Citizen
from gateway.models.inbound import InboundMessage
from gateway.models.organisation import Area, Organisation


class Counts(models.TextChoices):
    FIRST = "first", "the first answer counts"
    LAST = "last", "the last answer counts"


class Voters(models.TextChoices):
    RECIPIENTS = "recipients", "anyone who received the announcement"
    SUBSCRIBERS = "subscribers", "subscribers of the announcement's areas"


class Poll(models.Model):
    """A consultation attached to one announcement: a question and 2–9 numbered answers."""

    announcement = models.OneToOneField(Announcement, on_delete=models.CASCADE, related_name="poll")
    opens_at = models.DateTimeField(null=True, blank=True, help_text="Empty: at publication.")
    closes_at = models.DateTimeField()
    counts = models.CharField(max_length=8, choices=Counts.choices, default=Counts.LAST)
    voters = models.CharField(max_length=12, choices=Voters.choices, default=Voters.RECIPIENTS)
    public_results = models.BooleanField(default=False, help_text="Results public once closed.")
    created_at = models.DateTimeField(default=tz.now)

    class Meta:
        app_label = "gateway"

    def __str__(self) -> str:
        return f"poll {self.pk}"

    @property
    def organisation(self) -> Organisation:
        return self.announcement.organisation

    def opened(self, now=None):
        """When it opens: its own time, else the publication (None: not published yet)."""
        return self.opens_at or self.announcement.published_at

    def is_open(self, now=None) -> bool:
        now = now or tz.now()
        opened = self.opened()
        return opened is not None and opened <= now < self.closes_at

    def is_closed(self, now=None) -> bool:
        return (now or tz.now()) >= self.closes_at


class PollText(models.Model):
    """The question and answers in one language (like the announcement's translations)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="texts")
    locale = models.CharField(max_length=12)
    question = models.CharField(max_length=300)
    answers = models.JSONField(help_text="2 to 9 answers, in order: answer n is typed n.")

    class Meta:
        app_label = "gateway"
        constraints = [
            models.UniqueConstraint(fields=["poll", "locale"], name="one_poll_text_per_locale")
        ]


class Ballot(models.Model):
    """Every answer message received, as said (`choice` None: not understood). The provider's
    message id is unique per poll, so a replayed webhook is recognised and never counts twice."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    voter = models.CharField(max_length=64, help_text="Keyed hash of the phone or link.")
    choice = models.PositiveSmallIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=8)
    provider_ref = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(default=tz.now)

    class Meta:
        app_label = "gateway"
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "provider_ref"],
                condition=~Q(provider_ref=""),
                name="one_ballot_per_message",
            )
        ]


class PollAnswer(models.Model):
    """The answer that counts, one per voter (a phone, or a signed link's citizen)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="answers")
    voter = models.CharField(max_length=64)
    choice = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=8)
    locale = models.CharField(max_length=12)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL)
    citizen = models.ForeignKey(
        Citizen, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(default=tz.now)
    changed = models.PositiveSmallIntegerField(default=0, help_text="Times it was changed.")

    class Meta:
        app_label = "gateway"
        constraints = [
            models.UniqueConstraint(fields=["poll", "voter"], name="one_answer_per_voter")
        ]


class Verdict(models.TextChoices):
    OK = "ok"
    TO_REVIEW = "to_review"
    SPAM = "spam"


class Decision(models.TextChoices):
    PENDING = "pending"
    FINE = "fine"
    BLOCKED = "blocked"
    HIDDEN = "hidden"


class Review(models.Model):
    """The moderation of one free-text message: the classifier's verdict, then an agent's
    decision. Social comments are also kept here with their network id (unique)."""

    inbound = models.OneToOneField(InboundMessage, on_delete=models.CASCADE, related_name="review")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    reason = models.CharField(max_length=200, blank=True)
    decision = models.CharField(max_length=8, choices=Decision.choices, default=Decision.PENDING)
    sender = models.CharField(max_length=64, blank=True, help_text="Keyed hash of the sender.")
    author = models.CharField(max_length=200, blank=True, help_text="Public handle (social).")
    network = models.CharField(max_length=20, blank=True)
    comment_ref = models.CharField(max_length=100, blank=True)
    comment_url = models.URLField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "gateway"
        constraints = [
            models.UniqueConstraint(
                fields=["network", "comment_ref"],
                condition=~Q(comment_ref=""),
                name="one_review_per_comment",
            )
        ]
        indexes = [models.Index(fields=["decision", "verdict"])]

    @property
    def organisation(self) -> Organisation:
        return self.inbound.organisation


class SenderBlock(models.Model):
    """A sender whose free text no longer reaches the agents (keywords and votes still work)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    sender = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=tz.now)

    class Meta:
        app_label = "gateway"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "sender"], name="one_block_per_sender")
        ]


class WordEntry(models.Model):
    """An organisation's own moderation term (`category`), or a word it allows (`allowed`)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=100)
    category = models.CharField(max_length=10, blank=True, help_text="Empty for an allowed word.")
    allowed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=tz.now)

    class Meta:
        app_label = "gateway"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "term", "allowed"], name="one_word_entry"
            )
        ]


class QuestionStatus(models.TextChoices):
    NEW = "new"  # received, not looked at yet
    ANSWERED = "answered"  # answered (automatically or by an agent)
    OPEN = "open"  # passed to the town hall: an agent should answer
    CLOSED = "closed"  # closed without an answer


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Question(models.Model):
    """A citizen's question: matched to an announcement when confident, else for an agent."""

    inbound = models.OneToOneField(
        InboundMessage, on_delete=models.CASCADE, related_name="question"
    )
    status = models.CharField(
        max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.NEW
    )
    locale = models.CharField(max_length=12)
    announcement = models.ForeignKey(
        Announcement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    margin = models.FloatField(null=True, blank=True)
    reply_to = models.CharField(
        max_length=32, blank=True, help_text="Where an answer goes (a phone); cleared when done."
    )
    token = models.CharField(max_length=32, unique=True, default=new_token)
    created_at = models.DateTimeField(default=tz.now)

    class Meta:
        app_label = "gateway"
        indexes = [models.Index(fields=["status", "created_at"])]

    @property
    def organisation(self) -> Organisation:
        return self.inbound.organisation


class ReplyStatus(models.TextChoices):
    PLANNED = "planned"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Reply(models.Model):
    """An answer going back to the citizen on the question's channel (guarded like a delivery:
    planned → sending is the claim, so a task run twice sends once)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField()
    automatic = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=8, choices=ReplyStatus.choices, default=ReplyStatus.PLANNED
    )
    provider_ref = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=tz.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "gateway"


class CommentCursor(models.Model):
    """How far the comments of one social account were read (the last id seen)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    account = models.CharField(max_length=50)
    last_id = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "gateway"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "account"], name="one_cursor_per_account"
            )
        ]


class Embedding(models.Model):
    """A passage's sentence vector, by the SHA-256 of its text: computed once, shared by every
    worker, so a question only embeds itself."""

    digest = models.CharField(max_length=64, unique=True)
    vector = models.BinaryField()
    created_at = models.DateTimeField(default=tz.now)

    class Meta:
        app_label = "gateway"
