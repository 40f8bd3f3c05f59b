"""Reach estimate before publishing: who would get what, counted per channel, language, area.

The same routing as the planner, on the same stream of citizens, without writing anything.
A route to the weekly letter counts under `weekly`; routes deferred by quiet hours are counted.
With it, when everyone will have it (`gateway.routing.eta`), from the plan before publishing
and from the deliveries' progress once sending.

Routing a town of 100,000 takes seconds, and agents ask for the estimate at every keystroke and
refresh: `reach_of` keeps it (in the cache: Redis in production) until the announcement's target
or its organisation's audience changes (`audience_version`), and recomputes it at most once a
minute otherwise (the quiet hours move with the clock). One request computes at a time: the
others answer the last estimate, or wait for the first one; `computed_at` says when it was made.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import TruncMinute
from django.utils import timezone

from gateway.heartbeat import workers_seen
from gateway.models import Announcement, Delivery, DeliveryStatus, Status
from gateway.models.delivery import PENDING
from gateway.registry import for_organisation
from gateway.routing.audience_version import audience_version
from gateway.routing.eta import DEFAULT_CALL_SECONDS, ChannelWork, estimate
from gateway.routing.plan import WEEKLY_LETTER, MessagedLedger, SortedPhoneLedger, plan_routes
from gateway.routing.planning import citizen_profiles, target_of

FRESH_SECONDS = 60  # an estimate younger than this is answered as it is
KEPT_SECONDS = 600  # an older one is still answered while one request recomputes it
RECOMPUTE_LOCK_SECONDS = 120


def reach_of(announcement: Announcement) -> dict:
    """The reach estimate, kept until the announcement or the audience changes (see above)."""
    now = timezone.now()
    key = _key(announcement)
    kept = cache.get(key)
    if kept is not None and now.timestamp() - kept["at"] < FRESH_SECONDS:
        return kept["reach"]
    if not cache.add(f"{key}:lock", 1, RECOMPUTE_LOCK_SECONDS):
        if kept is not None:
            return kept["reach"]  # another request is recomputing it
        kept = _wait_for(key)  # the first estimate: one request computes, the others wait
        if kept is not None:
            return kept["reach"]
    try:
        found = estimate_reach(announcement, now)
        cache.set(key, {"at": now.timestamp(), "reach": found}, KEPT_SECONDS)
    finally:
        cache.delete(f"{key}:lock")
    return found


def _wait_for(key: str) -> dict | None:
    deadline = time.monotonic() + RECOMPUTE_LOCK_SECONDS
    while time.monotonic() < deadline and cache.get(f"{key}:lock") is not None:
        time.sleep(0.05)
        kept = cache.get(key)
        if kept is not None:
            return kept
    return cache.get(key)


def _key(announcement: Announcement) -> str:
    """What the estimate depends on: the target (urgency, topics, areas, languages), the
    audience's version, and the announcement itself."""
    target = target_of(announcement)
    words = repr(
        (target.urgency, sorted(target.topics), sorted(target.areas), sorted(target.locales),
         target.default_locale, announcement.updated_at)
    )  # fmt: skip
    digest = hashlib.sha256(words.encode()).hexdigest()[:24]
    version = audience_version(announcement.organisation_id)
    return f"crieur:reach:{announcement.pk}:{digest}:{version}"


def estimate_reach(announcement: Announcement, now: datetime | None = None) -> dict:
    """Citizens reached, and routes per (channel, locale, area), first channels only."""
    target = target_of(announcement)
    texted = SortedPhoneLedger()
    messaged = MessagedLedger()
    now = now or timezone.now()
    counts: Counter[tuple[str, str, str]] = Counter()
    deferred: Counter[str] = Counter()
    until: dict[str, datetime] = {}
    citizens = 0
    for profile in citizen_profiles(announcement):
        routes = list(plan_routes(target, (profile,), now=now, texted=texted, messaged=messaged))
        if routes:
            citizens += 1
        for route in routes:
            counts[(route.channel, route.locale, profile.area or "")] += 1
            if route.not_before is not None:
                deferred[route.channel] += 1
                until[route.channel] = max(until.get(route.channel, now), route.not_before)
    return {
        "computed_at": now,
        "citizens": citizens,
        "deliveries": sum(n for (channel, _, _), n in counts.items() if channel != "weekly"),
        "deferred": sum(deferred.values()),
        "deferred_by_channel": dict(sorted(deferred.items())),
        "deferred_until": dict(sorted(until.items())),
        "by_channel": _total(counts, 0),
        "by_locale": _total(counts, 1),
        "by_area": _total(counts, 2),
        "rows": [
            {"channel": c, "locale": loc, "area": a, "count": n}
            for (c, loc, a), n in sorted(counts.items())
        ],
    }


def reach_now(announcement: Announcement, now: datetime | None = None) -> dict:
    """`GET /api/announcements/{id}/reach`: before publishing, the estimate and how long
    sending it would take; once published, the deliveries and the time left, from progress."""
    kept = now is None  # a given moment (tests, a schedule) is estimated afresh
    now = now or timezone.now()
    if announcement.status in (Status.SENDING, Status.SENT):
        found = {**progress_counts(announcement), "computed_at": now}
        works = progress_work(announcement, now)
    else:
        found = reach_of(announcement) if kept else estimate_reach(announcement, now)
        works = plan_work(announcement, found)
    return {**found, "eta": eta_out(works, now)}


def sending_eta(announcement: Announcement, now: datetime | None = None) -> dict:
    """How long until the last delivery, from the deliveries' real progress."""
    now = now or timezone.now()
    return eta_out(progress_work(announcement, now), now)


def progress_counts(announcement: Announcement) -> dict:
    """The deliveries as planned, counted like the estimate (first channels and fallbacks)."""
    rows = (
        Delivery.objects.filter(announcement=announcement, citizen__isnull=False)
        .values_list("channel", "locale", "citizen__area__slug")
        .annotate(n=Count("id"))
    )
    counts: Counter[tuple[str, str, str]] = Counter()
    for channel, locale, area, n in rows:
        counts[(channel, locale, area or "")] += n
    deferred = dict(
        Delivery.objects.filter(announcement=announcement, status=DeliveryStatus.DEFERRED)
        .values_list("channel")
        .annotate(n=Count("id"))
        .order_by("channel")
    )
    return {
        "citizens": Delivery.objects.filter(announcement=announcement, citizen__isnull=False)
        .values("citizen_id")
        .distinct()
        .count(),
        "deliveries": sum(counts.values()),
        "deferred": sum(deferred.values()),
        "deferred_by_channel": deferred,
        "deferred_until": {},
        "by_channel": _total(counts, 0),
        "by_locale": _total(counts, 1),
        "by_area": _total(counts, 2),
        "rows": [
            {"channel": c, "locale": loc, "area": a, "count": n}
            for (c, loc, a), n in sorted(counts.items())
        ],
    }


# Not handed to a provider by workers at a pace: the letters are printed and posted.
NOT_TIMED = frozenset({WEEKLY_LETTER, "post"})


def plan_work(announcement: Announcement, found: dict) -> list[ChannelWork]:
    """What publishing now would send, per channel, with each account's limits."""
    registry = for_organisation(announcement.organisation_id)
    measured = measured_throughput()
    works = [
        ChannelWork(
            channel=channel,
            total=total,
            deferred=found["deferred_by_channel"].get(channel, 0),
            deferred_until=found["deferred_until"].get(channel),
            throughput=measured.get(channel),
            **limits_of(registry, channel, None),
        )
        for channel, total in found["by_channel"].items()
        if channel not in NOT_TIMED
    ]
    posts = Counter((p.channel, p.account_id) for p in registry.posts)
    return works + _merged(
        ChannelWork(
            channel=channel,
            total=n,
            throughput=measured.get(channel),
            **limits_of(registry, channel, account),
        )
        for (channel, account), n in posts.items()
    )


def progress_work(announcement: Announcement, now: datetime) -> list[ChannelWork]:
    """Each channel's deliveries done and left, and the pace observed since its first send."""
    registry = for_organisation(announcement.organisation_id)
    measured = measured_throughput(now)
    rows = (
        Delivery.objects.filter(announcement=announcement)
        .exclude(channel__in=NOT_TIMED)
        .values("channel", "account_id")
        .annotate(
            total=Count("id"),
            left=Count("id", filter=Q(status__in=PENDING)),
            deferred=Count("id", filter=Q(status=DeliveryStatus.DEFERRED)),
            until=Max("not_before", filter=Q(status=DeliveryStatus.DEFERRED)),
            sent=Count("id", filter=Q(sent_at__isnull=False)),
            first=Min("sent_at"),
        )
        .order_by("channel", "account_id")
    )
    works = []
    for row in rows:
        citizens = row["account_id"] is None and row["channel"] in registry.per_citizen
        elapsed = (now - row["first"]).total_seconds() if row["first"] else 0.0
        works.append(
            ChannelWork(
                channel=row["channel"],
                total=row["total"],
                done=row["total"] - row["left"],
                deferred=row["deferred"],
                deferred_until=row["until"],
                throughput=measured.get(row["channel"]),
                observed=row["sent"] / elapsed if elapsed >= 1 and row["sent"] else None,
                **limits_of(registry, row["channel"], None if citizens else row["account_id"]),
            )
        )
    return _merged(works)


def limits_of(registry, channel: str, account_id: int | None) -> dict:
    """The pace an account allows: its rate, the posts its quota lets go at once and, for
    calls, how long a call lasts (the account's `call_seconds` limit)."""
    from gateway.accounts.models import ProviderAccount
    from gateway.tasks.delivery import PACE_CHUNK, rate_of  # tasks import services, not back

    target = registry.target(channel, account_id)
    rate = rate_of(target)
    call_seconds = 0.0
    if channel == "voice":
        limits = (
            ProviderAccount.objects.filter(pk=target.account_id).values_list("limits", flat=True)
            if target.account_id
            else []
        )
        found = next(iter(limits), None) or {}
        call_seconds = float(found.get("call_seconds") or DEFAULT_CALL_SECONDS)
    # A post's quota (X: 100 a day) lets it go at once, as our token bucket does; a provider
    # queues messages and calls past its own rate (Twilio: 1 call per second), so no burst.
    burst = float(max(rate, PACE_CHUNK)) if rate and account_id is not None else 0.0
    return {"rate": rate, "burst": burst, "call_seconds": call_seconds}


def _merged(works) -> list[ChannelWork]:
    """One line per channel: several accounts of one network post side by side."""
    by_channel: dict[str, ChannelWork] = {}
    for work in works:
        seen = by_channel.get(work.channel)
        if seen is None:
            by_channel[work.channel] = work
            continue
        by_channel[work.channel] = replace(
            seen,
            total=seen.total + work.total,
            done=seen.done + work.done,
            deferred=seen.deferred + work.deferred,
            rate=(seen.rate or 0) + (work.rate or 0) or None,
            burst=seen.burst + work.burst,
            observed=(seen.observed or 0) + (work.observed or 0) or None,
        )
    return list(by_channel.values())


BUSY_MINUTE = 60  # a minute with fewer sends says nothing of what the workers can do


def measured_throughput(now: datetime | None = None) -> dict[str, float]:
    """Sends per second the workers reached, per channel: the busiest minute of the last
    hour, all organisations together (they share the workers), counts only."""
    now = now or timezone.now()
    since = now - timedelta(hours=1)
    rows = (
        Delivery.objects.filter(
            status__in=[DeliveryStatus.SENT, DeliveryStatus.DELIVERED],
            updated_at__gte=since,
            sent_at__gte=since,
        )
        .annotate(minute=TruncMinute("sent_at"))
        .values_list("channel", "minute")
        .annotate(n=Count("id"))
        .order_by()
    )
    best: dict[str, float] = {}
    for channel, _minute, n in rows:
        if n >= BUSY_MINUTE:
            best[channel] = max(best.get(channel, 0.0), n / 60)
    return best


def eta_out(works: list[ChannelWork], now: datetime) -> dict:
    etas, finishes_at = estimate(works, now)
    return {
        "now": now,
        "finishes_at": finishes_at,
        "seconds": round((finishes_at - now).total_seconds(), 1),
        "workers": workers_seen(),
        "channels": [
            {
                "channel": e.channel,
                "total": e.total,
                "done": e.done,
                "left": e.left,
                "deferred": e.deferred,
                "per_second": round(e.per_second, 4),
                "basis": e.basis,
                "seconds": round(e.seconds, 1),
                "finishes_at": e.finishes_at,
            }
            for e in etas
        ],
    }


def _total(counts: Counter, index: int) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for key, n in counts.items():
        totals[key[index]] += n
    return dict(sorted(totals.items()))
