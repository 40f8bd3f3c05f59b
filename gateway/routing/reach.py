"""Reach estimate before publishing: who would get what, counted per channel, language, area.

The same routing as the planner, on the same stream of citizens, without writing anything.
A route to the weekly letter counts under `weekly`; routes deferred by quiet hours are counted.

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
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from gateway.models import Announcement
from gateway.routing.audience_version import audience_version
from gateway.routing.plan import MessagedLedger, SortedPhoneLedger, plan_routes
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
        found = {**estimate_reach(announcement, now), "computed_at": now}
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
    citizens = deferred = 0
    for profile in citizen_profiles(announcement):
        routes = list(plan_routes(target, (profile,), now=now, texted=texted, messaged=messaged))
        if routes:
            citizens += 1
        for route in routes:
            counts[(route.channel, route.locale, profile.area or "")] += 1
            deferred += route.not_before is not None
    return {
        "computed_at": now,
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
