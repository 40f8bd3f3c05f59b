"""GDPR: everything stored about a citizen (access), erasure, and the retention periods.

Erasure removes the personal data and keeps a bare reference, so delivery counts stay right.
It also removes the bodies of the texts the citizen sent, their preference links, a pending
sign-up of their phone and the values of their past changes in the audit log (which keeps
who changed which field, and when). The suppression list is kept: it holds no number, and an
opt-out must outlive the data (`gateway.audience.suppression`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gateway.audience import suppression
from gateway.audience.changes import erased
from gateway.models import (
    AuditEvent,
    Citizen,
    Delivery,
    InboundMessage,
    PreferenceLink,
    SignupCode,
    UnsubscribeLink,
)
from gateway.routing.audience_version import audience_changed


def citizen_fields(citizen: Citizen) -> dict:
    """The citizen's own fields, as the API shows them and the export starts with."""
    return {
        "reference": citizen.reference,
        "name": citizen.name,
        "phone": citizen.phone,
        "email": citizen.email,
        "address_lines": citizen.address_lines,
        "country": citizen.country,
        "language": citizen.language,
        "timezone": citizen.timezone,
        "channels": citizen.channels,
        "topics": sorted(citizen.topics.values_list("slug", flat=True)),
        "area": citizen.area.slug if citizen.area else None,
    }


def _at(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export_citizen(citizen: Citizen) -> dict:
    """Everything stored about one citizen, as JSON-ready data."""
    consents = citizen.consents.order_by("channel")
    consent_ids = [str(pk) for pk in consents.values_list("pk", flat=True)]
    return {
        **citizen_fields(citizen),
        "is_mobile": citizen.is_mobile,
        "large_print": citizen.large_print,
        "quiet_hours": [
            t.isoformat() if t else None for t in (citizen.quiet_start, citizen.quiet_end)
        ],
        "email_confirmed_at": _at(citizen.email_confirmed_at),
        "whatsapp_window_until": _at(citizen.whatsapp_window_until),
        "created_at": citizen.created_at.isoformat(),
        "erased_at": _at(citizen.erased_at),
        "consents": [
            {
                "channel": c.channel,
                "granted": c.granted,
                "source": c.source,
                "at": c.at.isoformat(),
                "evidence": c.evidence,
            }
            for c in consents
        ],
        "consent_history": [
            {"action": e.action, "at": e.at.isoformat(), **e.data}
            for e in AuditEvent.objects.filter(object_type="consent", object_id__in=consent_ids)
        ],
        "changes": [
            {"action": e.action, "at": e.at.isoformat(), **e.data}
            for e in AuditEvent.objects.filter(object_type="citizen", object_id=str(citizen.pk))
        ],
        "opted_out_phone": sorted(
            channel
            for channel in suppression.PHONE_KEYED
            if suppression.is_suppressed(citizen.organisation, citizen.phone, channel)
        ),
        "opted_out_email": suppression.is_suppressed(citizen.organisation, citizen.email, "email"),
        "unsubscribe_links": UnsubscribeLink.objects.filter(citizen=citizen).count(),
        "preference_links": [
            {"created_at": _at(link.created_at), "expires_at": _at(link.expires_at)}
            for link in PreferenceLink.objects.filter(citizen=citizen).order_by("pk")
        ],
        "deliveries": [
            {
                "announcement": d.announcement_id,
                "channel": d.channel,
                "locale": d.locale,
                "status": d.status,
                "created_at": d.created_at.isoformat(),
                "sent_at": _at(d.sent_at),
                "delivered_at": _at(d.delivered_at),
                "confirmed_at": _at(d.confirmed_at),
                "provider_ref": d.provider_ref,
                "last_error": d.last_error,
            }
            for d in citizen.deliveries.order_by("pk")
        ],
        "inbound_messages": [
            {
                "channel": m.channel,
                "received_at": m.received_at.isoformat(),
                "body": m.body,
                "keyword": m.keyword,
                "announcement": m.announcement_id,
                "reply": m.reply,
            }
            for m in InboundMessage.objects.filter(citizen=citizen).order_by("received_at", "pk")
        ],
    }


def erase_citizen(citizen: Citizen, *, actor=None) -> None:
    """Remove the personal data; the row (a bare reference) keeps the delivery counts."""
    phone = citizen.phone
    with transaction.atomic():
        audience_changed(citizen.organisation_id)
        Citizen.objects.filter(pk=citizen.pk).update(
            name="",
            phone="",
            email="",
            email_confirmed_at=None,
            whatsapp_window_until=None,
            address_lines=[],
            channels=[],
            area=None,
            quiet_start=None,
            quiet_end=None,
            large_print=False,
            erased_at=timezone.now(),
        )
        citizen.topics.clear()
        citizen.consents.all().delete()
        citizen.deliveries.update(provider_ref="", last_error="")
        InboundMessage.objects.filter(citizen=citizen).update(body="", reply="")
        PreferenceLink.objects.filter(citizen=citizen).delete()
        UnsubscribeLink.objects.filter(citizen=citizen).delete()
        if phone:
            SignupCode.objects.filter(
                organisation=citizen.organisation, phone_digest=phone_digest(phone)
            ).delete()
        # The audit log is append-only, except for this: the values of the citizen's changes
        # are personal data, and the right to erasure wins (which fields changed, and when,
        # stay).
        events = AuditEvent.objects.filter(object_type="citizen", object_id=str(citizen.pk))
        for event in events:
            if event.data.get("changes"):
                data = {**event.data, "changes": erased(event.data["changes"])}
                AuditEvent.objects.filter(pk=event.pk).update(data=data)
        AuditEvent.record("citizen.erased", citizen, actor=actor, citizen=citizen.reference)
    citizen.refresh_from_db()


def phone_digest(phone: str) -> str:
    """A pending sign-up's phone, keyed like the suppression list (no number in clear)."""
    return suppression.digest(phone, settings.SECRET_KEY)


# Retention ------------------------------------------------------------------------------------


def purge_delivery_details(now: datetime | None = None) -> int:
    """Clear provider references and errors of deliveries older than the retention period."""
    days = settings.DELIVERY_RETENTION_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return (
        Delivery.objects.filter(created_at__lt=cutoff, citizen__isnull=False)
        .exclude(provider_ref="", last_error="")
        .update(provider_ref="", last_error="")
    )


def purge_inbound_bodies(now: datetime | None = None) -> int:
    """Clear the bodies of texts older than `INBOUND_RETENTION_DAYS` (the rows and keywords
    stay, for the counts)."""
    days = getattr(settings, "INBOUND_RETENTION_DAYS", settings.DELIVERY_RETENTION_DAYS)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    rows = InboundMessage.objects.filter(received_at__lt=cutoff).exclude(body="", reply="")
    return rows.update(body="", reply="")


def purge_expired(now: datetime | None = None) -> dict[str, int]:
    """Everything past its retention: delivery details, inbound bodies, sign-ups never
    verified, expired preference links. Run daily by the periodic purge."""
    now = now or timezone.now()
    return {
        "deliveries": purge_delivery_details(now),
        "inbound": purge_inbound_bodies(now),
        "signup_codes": SignupCode.objects.filter(expires_at__lt=now).delete()[0],
        "preference_links": PreferenceLink.objects.filter(expires_at__lt=now).delete()[0],
        # An email's unsubscribe link works as long as its delivery's details are kept.
        "unsubscribe_links": UnsubscribeLink.objects.filter(
            created_at__lt=now - timedelta(days=settings.DELIVERY_RETENTION_DAYS)
        ).delete()[0],
    }
