"""The workflow history of announcements, read from the audit log, in the agent's words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from gateway.models import Announcement, AuditEvent, Status
from renderers.i18n import gettext

STEPS = ("submitted", "rejected")  # the last of these tells whether a draft was sent back


@dataclass(frozen=True)
class Step:
    at: datetime
    who: str  # the actor's user name, or "" for the system (a scheduler, the API without user)
    what: str
    reason: str = ""


def action_word(action: str, ui: str) -> str:
    words = {  # plain gettext calls, so extraction finds them
        "created": gettext(ui, "Créée"),
        "edited": gettext(ui, "Modifiée"),
        "submitted": gettext(ui, "Envoyée pour approbation"),
        "approved": gettext(ui, "Approuvée"),
        "rejected": gettext(ui, "Renvoyée à l’auteur"),
        "scheduled": gettext(ui, "Programmée"),
        "unscheduled": gettext(ui, "Retirée du programme"),
        "published": gettext(ui, "Publiée"),
        "cancelled": gettext(ui, "Annulée"),
        "cap_imported": gettext(ui, "Importée d’une alerte CAP"),
    }
    # An action without words (a new one) is shown as a neutral word, never as its code.
    return words.get(action) or gettext(ui, "Autre changement")


def history(announcement: Announcement, ui: str) -> list[Step]:
    """Every workflow step of the announcement, oldest first."""
    events = (
        AuditEvent.objects.filter(
            object_type="announcement",
            object_id=str(announcement.pk),
            action__startswith="announcement.",
        )
        .select_related("actor")
        .order_by("at", "pk")
    )
    return [
        Step(
            at=event.at,
            who=event.actor.username if event.actor else "",
            what=action_word(event.action.removeprefix("announcement."), ui),
            reason=str((event.data or {}).get("reason", "")),
        )
        for event in events
    ]


def sent_back(announcements: Iterable[Announcement]) -> dict[int, str]:
    """{announcement id: the approver's reason} for the drafts whose last step was a send-back
    (a send-back without a reason maps to "")."""
    drafts = {str(a.pk): a.pk for a in announcements if a.status == Status.DRAFT}
    if not drafts:
        return {}
    last: dict[int, AuditEvent] = {}
    events = AuditEvent.objects.filter(
        object_type="announcement",
        object_id__in=list(drafts),
        action__in=[f"announcement.{step}" for step in STEPS],
    ).order_by("at", "pk")
    for event in events:
        last[drafts[event.object_id]] = event
    return {
        pk: str((event.data or {}).get("reason", ""))
        for pk, event in last.items()
        if event.action == "announcement.rejected"
    }
