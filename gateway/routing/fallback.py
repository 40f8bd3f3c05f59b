"""Fallback: when a channel fails permanently, try the citizen's next consented channel."""

from __future__ import annotations

import re
from collections import defaultdict

from django.utils import timezone

from gateway.models import Announcement, Delivery, DeliveryStatus, Status
from gateway.routing.plan import PHONE_CHANNELS, WEEKLY_LETTER, plan_routes, quiet_until
from gateway.routing.planning import citizen_profiles, delivery_of, target_of

# A failure that names the channel to try next, by channel and provider error code: WhatsApp's
# 131047 (the 24-hour window closed) means "send it by SMS" when the citizen consents to SMS.
PREFERRED_NEXT = {("whatsapp", "131047"): "sms"}
_CODE = re.compile(r"\(code (\w+)\)\s*$")


def preferred_next(channel: str, last_error: str) -> str | None:
    found = _CODE.search(last_error or "")
    return PREFERRED_NEXT.get((channel, found.group(1))) if found else None


def start_fallbacks(failed_ids: list[int]) -> int:
    """Create and queue the next delivery of each citizen whose delivery failed for good.

    A channel already tried for this announcement is never tried again, and an SMS is never
    the fallback for a phone that another citizen's delivery already texted. When the next
    channel is the weekly letter, nothing more is sent now. Safe to call twice (a replayed
    callback or task): a citizen with a delivery still pending or that went through gets no
    new one.
    """
    by_announcement: dict[int, list[int]] = defaultdict(list)
    preferred: dict[int, str] = {}
    for ann_id, citizen_id, channel, error in (
        Delivery.objects.filter(pk__in=failed_ids, citizen__isnull=False)
        .exclude(announcement__status=Status.CANCELLED)
        .values_list("announcement_id", "citizen_id", "channel", "last_error")
    ):
        by_announcement[ann_id].append(citizen_id)
        if preferred_next(channel, error):
            preferred[citizen_id] = preferred_next(channel, error) or ""
    return sum(_fall_back(ann_id, ids, preferred) for ann_id, ids in by_announcement.items())


def _fall_back(
    announcement_id: int, citizen_ids: list[int], preferred: dict[int, str] | None = None
) -> int:
    from gateway.tasks.publish import enqueue_planned

    announcement = Announcement.objects.get(pk=announcement_id)
    deliveries = Delivery.objects.filter(announcement_id=announcement_id)
    tried: dict[int, set[str]] = defaultdict(set)
    for cid, channel in deliveries.filter(citizen_id__in=citizen_ids).values_list(
        "citizen_id", "channel"
    ):
        tried[cid].add(channel)
    not_failed = deliveries.filter(citizen_id__in=citizen_ids).exclude(
        status__in=(DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED)
    )
    citizen_ids = sorted(set(citizen_ids) - set(not_failed.values_list("citizen_id", flat=True)))
    if not citizen_ids:
        return 0
    texted = set(
        deliveries.filter(channel="sms")
        .exclude(citizen_id__in=citizen_ids)
        .values_list("citizen__phone", flat=True)
    )
    others = deliveries.exclude(citizen_id__in=citizen_ids)
    messaged = {
        "whatsapp": set(others.filter(channel="whatsapp").values_list("citizen__phone", flat=True)),
        "email": {
            e.lower()
            for e in others.filter(channel="email").values_list("citizen__email", flat=True)
        },
    }
    now = timezone.now()
    target = target_of(announcement)
    profiles = {p.id: p for p in citizen_profiles(announcement, citizen_ids=citizen_ids)}
    rows = []
    for route in plan_routes(target, profiles.values(), now=now):
        profile = profiles[route.citizen_id]
        order = [route.channel, *route.fallbacks]
        wanted = (preferred or {}).get(route.citizen_id)
        if wanted in order:  # the failure named the channel to try next
            order.remove(wanted)
            order.insert(0, wanted)
        for channel in order:
            if channel in tried[route.citizen_id]:
                continue
            if channel == WEEKLY_LETTER:
                break
            if channel == "sms" and profile.phone in texted:
                continue
            if channel == "whatsapp" and profile.phone in messaged["whatsapp"]:
                continue
            if channel == "email" and profile.email in messaged["email"]:
                continue
            quiet = not target.urgent and channel in PHONE_CHANNELS
            not_before = quiet_until(profile, now) if quiet else None
            rows.append(
                delivery_of(announcement_id, route.citizen_id, channel, route.locale, not_before)
            )
            break
    if rows:
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        enqueue_planned(announcement, citizen_ids=[r.citizen_id for r in rows])
    return len(rows)
