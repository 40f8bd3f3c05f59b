"""Consent per channel: the one place that grants or withdraws it, with its evidence.

The `Consent` row holds the current state and its latest evidence (source, time, message id,
form reference…); every change is also written to the append-only audit log, so the history
of a citizen's consents survives later changes. Evidence never holds a phone number.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from gateway.models import AuditEvent, Citizen, Consent
from gateway.routing.audience_version import audience_changed


def set_consent(
    citizen: Citizen,
    channel: str,
    granted: bool,
    *,
    source: str,
    evidence: str,
    at: datetime | None = None,
    actor=None,
) -> bool:
    """Grant or withdraw `channel` for `citizen`; True when something changed (then audited)."""
    at = at or timezone.now()
    values = {"granted": granted, "source": source, "at": at, "evidence": evidence[:200]}
    consent, created = Consent.objects.get_or_create(
        citizen=citizen, channel=channel, defaults=values
    )
    if not created:
        changed = Consent.objects.filter(pk=consent.pk).exclude(granted=granted).update(**values)
        if not changed:
            return False
        audience_changed(citizen.organisation_id)
    AuditEvent.record(
        "consent.granted" if granted else "consent.withdrawn",
        consent,
        actor=actor,
        organisation=citizen.organisation,
        citizen=citizen.reference,
        channel=channel,
        source=source,
        evidence=evidence[:200],
    )
    return True


def opted_out(citizen: Citizen, channel: str) -> bool:
    """Has the citizen withdrawn consent for `channel` (an opt-out that imports never undo)?"""
    return Consent.objects.filter(citizen=citizen, channel=channel, granted=False).exists()
