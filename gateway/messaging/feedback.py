"""What mailbox providers tell back about an email: a hard bounce suspends the address (it is
kept on the suppression list, so nothing is written to it again until the citizen confirms an
address themselves), a complaint ("this is spam") withdraws the email consent as an opt-out
would. Each is audited with its announcement, so the report counts them."""

from __future__ import annotations

from django.db import transaction

from gateway.audience import suppression
from gateway.audience.consents import set_consent
from gateway.models import AuditEvent, ConsentSource, Delivery

BOUNCED, COMPLAINED = "email.bounced", "email.complained"


def _deliveries(ids: list[int]):
    return Delivery.objects.filter(
        pk__in=ids, channel="email", citizen__isnull=False
    ).select_related("citizen__organisation")


def _audit_once(action: str, delivery: Delivery, how: str) -> None:
    """One event per delivery and kind, for the report's counts (a replay adds none)."""
    done = AuditEvent.objects.filter(
        action=action, object_type="delivery", object_id=str(delivery.pk)
    )
    if not done.exists():
        AuditEvent.record(
            action,
            delivery,
            organisation=delivery.citizen.organisation,
            citizen=delivery.citizen.reference,
            announcement=delivery.announcement_id,
            how=how,
        )


def bounced(delivery_ids: list[int], *, how: str) -> int:
    """Suspend the addresses of these deliveries (hard bounces); how many were suspended."""
    done = 0
    for delivery in _deliveries(delivery_ids):
        citizen = delivery.citizen
        if not citizen.email:
            continue
        organisation = citizen.organisation
        with transaction.atomic():
            already = suppression.is_suppressed(organisation, citizen.email, "email")
            suppression.suppress(organisation, citizen.email, "email", source="bounce")
            _audit_once(BOUNCED, delivery, how)
        done += not already
    return done


def complained(delivery_ids: list[int], *, how: str) -> int:
    """The citizen reported the email as spam: an opt-out of email, with its evidence."""
    done = 0
    for delivery in _deliveries(delivery_ids):
        citizen = delivery.citizen
        organisation = citizen.organisation
        with transaction.atomic():
            if citizen.email:
                suppression.suppress(organisation, citizen.email, "email", source="complaint")
            changed = set_consent(
                citizen,
                "email",
                False,
                source=ConsentSource.EMAIL,
                evidence=f"{how}: complaint about delivery {delivery.pk}",
            )
            _audit_once(COMPLAINED, delivery, how)
        done += changed
    return done


def counts(announcement_id: int) -> dict[str, int]:
    """Bounces, complaints and unsubscriptions caused by one announcement's emails."""
    events = AuditEvent.objects.filter(data__announcement=announcement_id)
    return {
        "bounced": events.filter(action=BOUNCED).count(),
        "complained": events.filter(action=COMPLAINED).count(),
        "unsubscribed": events.filter(action="email.unsubscribed").count(),
    }
