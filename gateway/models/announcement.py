"""The one announcement, its per-locale texts, and its archived renditions."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone as tz

from gateway.models.organisation import Area, Organisation, Topic

# No 0/O or 1/I: the code is read from paper and typed on a phone.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_verification_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


class Urgency(models.TextChoices):
    INFO = "info"
    IMPORTANT = "important"
    URGENT = "urgent"


class Status(models.TextChoices):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"


class Announcement(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="announcements"
    )
    locale = models.CharField(max_length=12, default="fr", help_text="Locale of the source text.")
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.INFO)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    topics = models.ManyToManyField(Topic, blank=True)
    areas = models.ManyToManyField(Area, blank=True)
    links = models.JSONField(default=list, blank=True)
    contact = models.CharField(max_length=200, blank=True)
    # CAP 1.2 compatible fields (optional until the CAP export exists).
    category = models.CharField(max_length=20, blank=True)
    severity = models.CharField(max_length=20, blank=True)
    certainty = models.CharField(max_length=20, blank=True)
    event = models.CharField(max_length=100, blank=True)
    response_type = models.CharField(max_length=20, blank=True)
    effective_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    exercise = models.BooleanField(
        default=False,
        help_text="From a CAP Test or Exercise alert: sent to citizens only when chosen.",
    )
    follows = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_by",
        help_text="The earlier announcement of the same incident: its CAP export is an Update.",
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    verification_code = models.CharField(max_length=9, unique=True, default=new_verification_code)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who changed the text last: like the author, they cannot approve it.",
    )
    created_at = models.DateTimeField(default=tz.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"announcement {self.pk} ({self.status})"

    def text(self, locale: str | None = None) -> AnnouncementText:
        """The text in `locale`; without that translation, in the `fallback_locale`."""
        texts = {t.locale: t for t in self.texts.all()}
        return texts.get(locale or self.locale) or texts[self.fallback_locale]

    @property
    def fallback_locale(self) -> str:
        """What a citizen whose language has no translation gets: the organisation's default
        language when the announcement has it, else the announcement's own."""
        default = self.organisation.default_locale
        return default if default in self.locales else self.locale

    @property
    def locales(self) -> list[str]:
        return [t.locale for t in self.texts.all()]


class AnnouncementText(models.Model):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="texts")
    locale = models.CharField(max_length=12)
    title = models.CharField(max_length=200)
    summary = models.TextField(help_text="Short form for SMS and social posts.")
    body = models.TextField(help_text="Long form for print and voice.")
    event = models.CharField(
        max_length=100,
        blank=True,
        help_text="CAP event in this language (else the announcement's).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "locale"], name="one_text_per_locale")
        ]


class Rendition(models.Model):
    """A rendition made at publication, archived immutably with its content hash.

    Rendered once per (form, locale); every delivery of that form and locale sends this body.
    """

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="renditions"
    )
    form = models.CharField(max_length=20)
    locale = models.CharField(max_length=12)
    media_type = models.CharField(max_length=50)
    text = models.TextField(blank=True)
    data = models.BinaryField(blank=True, null=True)
    meta = models.JSONField(default=dict)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=tz.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "form", "locale"], name="one_rendition_per_form_locale"
            )
        ]

    @staticmethod
    def digest(body: str | bytes) -> str:
        return hashlib.sha256(body.encode() if isinstance(body, str) else body).hexdigest()

    @property
    def body(self) -> str | bytes:
        return bytes(self.data) if self.data is not None else self.text

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("renditions are archived: they are never changed")
        return super().save(*args, **kwargs)
