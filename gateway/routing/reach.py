"""Reach estimate before publishing: who would get what, counted per channel, language, area.

The same routing as the planner, on the same stream of citizens, without writing anything.
A route to the weekly letter counts under `weekly`; routes deferred by quiet hours are counted.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.utils import timezone

from gateway.models import Announcement
from gateway.routing.plan import MessagedLedger, SortedPhoneLedger, plan_routes
from gateway.routing.planning import citizen_profiles, target_of


def estimate_reach(announcement: Announcement, now: datetime | None = None) -> dict:
    """Citizens reached, and routes per (channel, locale, area), first channels only."""
    target = target_of(announcement)
    texted = SortedPhoneLedger()
    messaged = MessagedLedger()
    now = now or timezone.now()
    counts: Counter[tuple[str, str, str]] = Counter()
    citizens = deferred = 0
    for profile in citizen_profiles(announcement):
        routes = list(plan_routes(target, (profile,), now=now, texted=texted, messaged=messaged))
        if routes:
            citizens += 1
        for route in routes:
            counts[(route.channel, route.locale, profile.area or "")] += 1
            deferred += route.not_before is not None
    return {
        "citizens": citizens,
        "deliveries": sum(n for (channel, _, _), n in counts.items() if channel != "weekly"),
        "deferred": deferred,
        "by_channel": _total(counts, 0),
        "by_locale": _total(counts, 1),
        "by_area": _total(counts, 2),
        "rows": [
            {"channel": c, "locale": loc, "area": a, "count": n}
            for (c, loc, a), n in sorted(counts.items())
        ],
    }


def _total(counts: Counter, index: int) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for key, n in counts.items():
        totals[key[index]] += n
    return dict(sorted(totals.items()))
