"""One announcement's report, in aggregate queries (COUNT … GROUP BY, one ordered row per
percentile): reach against the estimate per channel, language and area, delivery times, failures
with their reasons, confirmations and replies, and the deliveries over time.

Nothing here loops over deliveries in Python: a town of 50,000 costs the same few queries.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import Trunc

from gateway.conversation.models import PollAnswer
from gateway.models import Announcement, Delivery, DeliveryStatus, InboundMessage

S = DeliveryStatus
SENT = (S.SENT, S.DELIVERED)
FAILED = (S.FAILED, S.UNDELIVERED)
WEEKLY = "weekly"
DIMENSIONS = {"channel": "channel", "locale": "locale", "area": "citizen__area__slug"}


def reach_table(announcement: Announcement, dimension: str, estimated: dict[str, int]) -> list:
    """Per key of `dimension`: estimated, planned, sent, delivered, failed, % of the estimate."""
    column = DIMENSIONS[dimension]
    rows = (
        Delivery.objects.filter(announcement=announcement)
        .values(key=F(column))
        .annotate(
            planned=Count("pk"),
            sent=Count("pk", filter=Q(status__in=SENT)),
            delivered=Count("pk", filter=Q(status=S.DELIVERED)),
            failed=Count("pk", filter=Q(status__in=FAILED)),
        )
        .order_by("key")
    )
    found = {(r["key"] or ""): r for r in rows}
    table = []
    for key in sorted(set(found) | set(estimated)):
        row = found.get(key, {"planned": 0, "sent": 0, "delivered": 0, "failed": 0})
        expected = estimated.get(key, 0)
        reached = row["sent"]  # delivered, or sent where no receipt comes (post, social)
        table.append(
            {
                "key": key,
                "estimated": expected,
                "planned": row["planned"],
                "sent": row["sent"],
                "delivered": row["delivered"],
                "failed": row["failed"],
                "percent": round(100 * reached / expected) if expected else None,
            }
        )
    return table


def delivery_times(announcement: Announcement) -> list[dict]:
    """Per channel: deliveries confirmed delivered, median and 95th percentile of the time from
    publication to delivery (seconds). One ordered row read per percentile."""
    start = announcement.published_at
    if start is None:
        return []
    delivered = Delivery.objects.filter(
        announcement=announcement, delivered_at__isnull=False, delivered_at__gte=start
    )
    counts = delivered.values("channel").annotate(n=Count("pk")).order_by("channel")
    result = []
    for row in counts:
        ordered = delivered.filter(channel=row["channel"]).order_by("delivered_at", "pk")
        n = row["n"]

        def at(rank: int, ordered=ordered) -> float:
            moment = ordered.values_list("delivered_at", flat=True)[rank]
            return (moment - start).total_seconds()

        result.append(
            {
                "channel": row["channel"],
                "count": n,
                "median": at((n - 1) // 2),
                "p95": at(max(math.ceil(0.95 * n) - 1, 0)),
            }
        )
    return result


def failure_reasons(announcement: Announcement, limit: int = 20) -> list[dict]:
    return list(
        Delivery.objects.filter(announcement=announcement, status__in=FAILED)
        .values("channel", "last_error")
        .annotate(count=Count("pk"))
        .order_by("-count", "channel", "last_error")[:limit]
    )


def replies_count(announcement: Announcement) -> dict[str, int]:
    return {
        "messages": InboundMessage.objects.filter(announcement=announcement).count(),
        "poll": PollAnswer.objects.filter(poll__announcement=announcement).count(),
        "confirmations": Delivery.objects.filter(
            announcement=announcement, confirmed_at__isnull=False
        ).count(),
    }


def bucket_of(span: timedelta) -> str:
    if span <= timedelta(hours=3):
        return "minute"
    if span <= timedelta(days=3):
        return "hour"
    return "day"


def sent_over_time(announcement: Announcement, start: datetime, end: datetime, tz) -> dict:
    """Deliveries sent per channel and time bucket (minute, hour or day by the span)."""
    kind = bucket_of(end - start)
    rows = (
        Delivery.objects.filter(announcement=announcement, sent_at__isnull=False)
        .annotate(bucket=Trunc("sent_at", kind, tzinfo=tz))
        .values("channel", "bucket")
        .annotate(n=Count("pk"))
        .order_by("bucket", "channel")
    )
    series: dict[str, list[tuple[datetime, int]]] = {}
    for row in rows:  # one row per (channel, bucket), not per delivery
        series.setdefault(row["channel"], []).append((row["bucket"], row["n"]))
    return {"kind": kind, "series": series}
