"""Who is asking: the agent's membership in their organisation."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from gateway.models import Announcement, Membership, Role
from gateway.publishing import APPROVERS


def member(request) -> Membership:
    """The agent's membership (their first organisation); 403 for a user without one."""
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=request.user)
        .order_by("pk")
        .first()
    )
    if membership is None:
        raise PermissionDenied("no organisation")
    return membership


def is_approver(membership: Membership) -> bool:
    return membership.role in APPROVERS


def is_admin(membership: Membership) -> bool:
    return membership.role == Role.ADMIN


def own_announcement(membership: Membership, announcement_id: int) -> Announcement:
    """The organisation's announcement; another organisation's answers 404 like a missing one."""
    return get_object_or_404(
        Announcement.objects.select_related("organisation", "author", "approver").prefetch_related(
            "texts", "topics", "areas"
        ),
        pk=announcement_id,
        organisation=membership.organisation,
    )
