"""Organisations, their members, API keys, topics and areas."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone as tz


def default_countries() -> list[str]:
    # The organisation's own country: a French town hall texts French numbers.
    return ["FR"]


def default_sms_prices() -> dict[str, str]:
    # Twilio's public price for France, per segment; organisations set their own.
    return {"FR": "0.0725"}


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    default_locale = models.CharField(max_length=12, default="fr")
    timezone = models.CharField(max_length=64, default="Europe/Paris")
    city = models.CharField(max_length=100, blank=True, help_text="Place printed on letters.")
    address_lines = models.JSONField(default=list, blank=True)
    sms_sender = models.CharField(max_length=32, blank=True, help_text="Sender id or number.")
    voice_sender = models.CharField(max_length=32, blank=True)
    sms_signature = models.CharField(max_length=40, blank=True)
    sms_policy = models.CharField(
        max_length=12,
        default="full",
        choices=[("off", "off"), ("punctuation", "punctuation"), ("full", "full")],
    )
    sms_max_parts = models.PositiveSmallIntegerField(default=3)
    sms_prices = models.JSONField(default=default_sms_prices, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    countries = models.JSONField(
        default=default_countries,
        help_text="ISO 3166 codes of the countries whose phones the online sign-up texts.",
    )
    signup_codes_per_day = models.PositiveIntegerField(
        default=200, help_text="Sign-up codes texted per day at most (their cost is bounded)."
    )
    created_at = models.DateTimeField(default=tz.now)

    def __str__(self) -> str:
        return self.name

    def sms_price(self, country: str) -> Decimal:
        return Decimal(str(self.sms_prices.get(country, self.sms_prices.get("FR", "0"))))


class Role(models.TextChoices):
    AUTHOR = "author"
    APPROVER = "approver"
    ADMIN = "admin"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AUTHOR)
    can_alert = models.BooleanField(
        default=False, help_text="May publish an urgent announcement without approval."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership")
        ]


class Scope(models.TextChoices):
    """What an API key may do, on top of what its user's role allows."""

    READ = "read", "read: list and read, previews, reports"
    WRITE = "write", "write: create, edit and submit announcements"
    PUBLISH = "publish", "publish: approve, reject, schedule, publish, cancel"
    ADMIN = "admin", "admin: organisation settings, topics, areas, API keys"


def all_scopes() -> list[str]:
    return list(Scope.values)


class ApiKey(models.Model):
    """An API key, stored hashed; the clear key is shown once at creation."""

    PREFIX = "crieur_"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(
        default=all_scopes, help_text="Subset of read, write, publish, admin."
    )
    created_at = models.DateTimeField(default=tz.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(
        cls, organisation: Organisation, user, name: str, scopes: list[str] | None = None
    ) -> tuple[ApiKey, str]:
        """A new key; the clear key is returned here and never stored."""
        scopes = all_scopes() if scopes is None else scopes
        unknown = sorted(set(scopes) - set(Scope.values))
        if unknown or not scopes:
            raise ValueError(f"scope: unknown scope {unknown[0]!r}" if unknown else "scope: none")
        key = cls.PREFIX + secrets.token_urlsafe(32)
        ordered = [s for s in Scope.values if s in scopes]
        return cls.objects.create(
            organisation=organisation, user=user, name=name, digest=cls.hash(key), scopes=ordered
        ), key


class Topic(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="topics")
    slug = models.SlugField()
    name = models.CharField(max_length=100)
    keywords = models.JSONField(default=list, blank=True, help_text="SMS keywords, any language.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="topic_slug")]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="areas")
    slug = models.SlugField()
    name = models.CharField(max_length=100)
    # CAP <area>: geocodes as {"valueName": "INSEE", "value": "49123"} (also how imported
    # alerts are matched to the area), polygons as "lat,lon lat,lon …" closed rings.
    geocodes = models.JSONField(default=list, blank=True)
    polygons = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="area_slug")]

    def __str__(self) -> str:
        return self.name


class OrganisationLogo(models.Model):
    """The logo printed on notices and letters; its own table, so that loading an organisation
    (every request does) never loads the image."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="logo"
    )
    image = models.BinaryField()
    content_type = models.CharField(max_length=20, help_text="image/png or image/jpeg.")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    updated_at = models.DateTimeField(default=tz.now)
