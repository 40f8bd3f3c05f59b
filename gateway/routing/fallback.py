"""Fallback: when a channel fails permanently, try the citizen's next consented channel."""

from __future__ import annotations

from collections import defaultdict

from gateway.models import Announcement, Delivery, DeliveryStatus, Status
from gateway.routing.plan import plan_routes
from gateway.routing.planning import citizen_profiles, target_of


def start_fallbacks(failed_ids: list[int]) -> int:
    """Create and queue the next delivery of each citizen whose delivery failed for good.

    A channel already tried for this announcement is never tried again, and an SMS is never
    the fallback for a phone that another citizen's delivery already texted. Safe to call
    twice (a replayed callback or task): a citizen with a delivery still pending or that went
    through gets no new one.
    """
    by_announcement: dict[int, list[int]] = defaultdict(list)
    for ann_id, citizen_id in (
        Delivery.objects.filter(pk__in=failed_ids, citizen__isnull=False)
        .exclude(announcement__status=Status.CANCELLED)
        .values_list("announcement_id", "citizen_id")
    ):
        by_announcement[ann_id].append(citizen_id)
    return sum(_fall_back(ann_id, ids) for ann_id, ids in by_announcement.items())


def _fall_back(announcement_id: int, citizen_ids: list[int]) -> int:
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
    profiles = list(citizen_profiles(announcement, citizen_ids=citizen_ids))
    phones = {p.id: p.phone for p in profiles}
    rows = []
    for route in plan_routes(target_of(announcement), profiles):
        for channel in (route.channel, *route.fallbacks):
            if channel in tried[route.citizen_id]:
                continue
            if channel == "sms" and phones[route.citizen_id] in texted:
                continue
            rows.append(
                Delivery(
                    announcement_id=announcement_id,
                    citizen_id=route.citizen_id,
                    channel=channel,
                    locale=route.locale,
                )
            )
            break
    if rows:
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        enqueue_planned(announcement, citizen_ids=[r.citizen_id for r in rows])
    return len(rows)
