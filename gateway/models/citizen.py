"""Citizens, their preferences and their consents."""

from __future__ import annotations

import secrets

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone as tz

from gateway.models.organisation import Area, Organisation, Topic


class Channel(models.TextChoices):
    """What a citizen can ask for. Social posts are per account, not per citizen."""

    SMS = "sms"
    VOICE = "voice"
    POST = "post"
    WHATSAPP = "whatsapp"
    EMAIL = "email"


CHANNELS = tuple(Channel.values)


def normalise_phone(value: str, region: str = "FR") -> str:
    """E.164 form of a phone number, or ValidationError naming the problem."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(f"not a phone number ({exc})") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("not a valid phone number") from None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_e164(value: str) -> None:
    if value and normalise_phone(value) != value:
        raise ValidationError("phone must be in E.164 form, e.g. +33612345678")


def new_reference() -> str:
    return "C" + secrets.token_hex(6).upper()


class Citizen(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="citizens"
    )
    # Unique per organisation, not across them: another organisation's references are none of
    # this one's business (a global uniqueness would answer "already used" for them).
    reference = models.CharField(max_length=20, default=new_reference)
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=16, blank=True, validators=[validate_e164], db_index=True)
    email = models.EmailField(max_length=254, blank=True)
    email_confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the citizen confirmed the address by its link."
    )
    whatsapp_window_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Their last WhatsApp message + 24 h: free text until then, a template after.",
    )
    is_mobile = models.BooleanField(default=True, help_text="False for a landline.")
    address_lines = models.JSONField(
        default=list, blank=True, help_text="Postal lines after the name, down to the locality."
    )
    country = models.CharField(max_length=2, default="FR")
    language = models.CharField(max_length=12, default="fr")
    timezone = models.CharField(max_length=64, default="Europe/Paris")
    channels = models.JSONField(default=list, help_text="Channels in order of preference.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="citizens")
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL)
    large_print = models.BooleanField(default=False)
    prefers_voice = models.BooleanField(default=False)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=tz.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="citizen_reference_per_organisation"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "area"]),
            # the planner pages citizens in (phone, id) order: one SMS per phone, flat memory
            models.Index(fields=["organisation", "phone", "id"], name="citizen_org_phone"),
        ]

    def __str__(self) -> str:  # never the name, phone or address: this may end up in a log
        return self.reference

    def clean(self) -> None:
        unknown = set(self.channels) - set(CHANNELS)
        if unknown:
            raise ValidationError({"channels": f"unknown channel {sorted(unknown)[0]!r}"})


class ConsentSource(models.TextChoices):
    SMS = "sms"
    WEB = "web"
    PAPER = "paper"
    AGENT = "agent"
    VOICE = "voice"
    WHATSAPP = "whatsapp"
    EMAIL = "email"


class Consent(models.Model):
    """The current consent of a citizen for one channel; withdrawing keeps the row (opt-out)."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    granted = models.BooleanField(default=True)
    source = models.CharField(max_length=8, choices=ConsentSource.choices)
    at = models.DateTimeField(default=tz.now)
    evidence = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["citizen", "channel"], name="one_consent_per_channel")
        ]
