"""Unsubscribe links (`/u/<token>`) and what they do: withdraw the email consent at once,
with its evidence, and keep the address on the suppression list.

A token is random (256 bits) and stored as its SHA-256, one per email sent, so a link names
nobody, the database alone cannot make one, and every email ever sent keeps a working link.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gateway.audience import suppression
from gateway.audience.consents import set_consent
from gateway.models import AuditEvent, Citizen, ConsentSource, UnsubscribeLink


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_many(pairs: list[tuple[int, int | None]]) -> list[str]:
    """A new token per (citizen id, delivery id), in one insert; the tokens, in order."""
    tokens = [secrets.token_urlsafe(32) for _ in pairs]
    UnsubscribeLink.objects.bulk_create(
        UnsubscribeLink(citizen_id=citizen, delivery_id=delivery, digest=_digest(token))
        for (citizen, delivery), token in zip(pairs, tokens, strict=True)
    )
    return tokens


def url_of(token: str) -> str:
    return settings.PUBLIC_URL + reverse("unsubscribe", args=[token])


def open_link(token: str) -> UnsubscribeLink | None:
    """The link of `token` (its citizen loaded), or None for an unknown one."""
    if not token or len(token) > 100:
        return None
    return (
        UnsubscribeLink.objects.select_related("citizen__organisation")
        .filter(digest=_digest(token))
        .first()
    )


def unsubscribe(link: UnsubscribeLink, *, how: str, at: datetime | None = None) -> bool:
    """Withdraw the citizen's email consent (and suppress the address); True when this call
    changed something. Safe to repeat: a second click changes nothing."""
    at = at or timezone.now()
    citizen: Citizen = link.citizen
    evidence = f"{how}, unsubscribe link {link.pk}"
    with transaction.atomic():
        UnsubscribeLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=at)
        if citizen.email:
            suppression.suppress(
                citizen.organisation, citizen.email, "email", source=ConsentSource.EMAIL
            )
        changed = set_consent(
            citizen, "email", False, source=ConsentSource.EMAIL, evidence=evidence, at=at
        )
        if changed and link.delivery_id:
            AuditEvent.record(
                "email.unsubscribed",
                link,
                organisation=citizen.organisation,
                citizen=citizen.reference,
                announcement=_announcement_of(link),
                how=how,
            )
    return changed


def _announcement_of(link: UnsubscribeLink) -> int | None:
    from gateway.models import Delivery

    return (
        Delivery.objects.filter(pk=link.delivery_id)
        .values_list("announcement_id", flat=True)
        .first()
    )
