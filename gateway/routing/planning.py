"""From the database to Delivery rows: stream citizens in batches through `plan_routes`.

Citizens come in (phone, id) order by keyset pages, so one SMS per phone needs to remember only
the last phone texted. Three queries per batch of citizens (citizens, consents, topics) and one
bulk insert per batch of deliveries: memory stays flat whatever the size of the town.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

from gateway.models import Announcement, Citizen, Consent, Delivery, DeliveryStatus
from gateway.routing.plan import (
    WEEKLY_LETTER,
    AnnouncementTarget,
    CitizenProfile,
    Route,
    SortedPhoneLedger,
    plan_routes,
)

BATCH = 2000
FIELDS = (
    "id",
    "language",
    "channels",
    "phone",
    "is_mobile",
    "address_lines",
    "area__slug",
    "timezone",
    "quiet_start",
    "quiet_end",
)


def target_of(announcement: Announcement) -> AnnouncementTarget:
    return AnnouncementTarget(
        urgency=announcement.urgency,
        topics=frozenset(announcement.topics.values_list("slug", flat=True)),
        areas=frozenset(announcement.areas.values_list("slug", flat=True)),
        locales=frozenset(announcement.texts.values_list("locale", flat=True)),
        default_locale=announcement.fallback_locale,
    )


def citizen_profiles(
    announcement: Announcement, *, citizen_ids: list[int] | None = None
) -> Iterator[CitizenProfile]:
    """Citizens of the organisation (in the target areas), in (phone, id) order, by batches."""
    citizens = Citizen.objects.filter(
        organisation_id=announcement.organisation_id, erased_at__isnull=True
    )
    area_ids = list(announcement.areas.values_list("id", flat=True))
    if area_ids:
        citizens = citizens.filter(area_id__in=area_ids)
    if citizen_ids is not None:
        citizens = citizens.filter(id__in=citizen_ids)
    citizens = citizens.order_by("phone", "id")
    page = citizens
    while True:
        rows = list(page.values_list(*FIELDS)[:BATCH])
        if not rows:
            return
        yield from _profiles(rows)
        # (phone, id) > (last phone, last id), written as a range on phone that both SQLite
        # and PostgreSQL walk on the (organisation, phone, id) index
        phone, last_id = rows[-1][3], rows[-1][0]
        page = citizens.filter(phone__gte=phone).exclude(phone=phone, id__lte=last_id)


def _profiles(rows: list[tuple]) -> Iterator[CitizenProfile]:
    ids = [row[0] for row in rows]
    consents: dict[int, set[str]] = defaultdict(set)
    for cid, channel in Consent.objects.filter(citizen_id__in=ids, granted=True).values_list(
        "citizen_id", "channel"
    ):
        consents[cid].add(channel)
    topics: dict[int, set[str]] = defaultdict(set)
    for cid, slug in Citizen.topics.through.objects.filter(citizen_id__in=ids).values_list(
        "citizen_id", "topic__slug"
    ):
        topics[cid].add(slug)
    for cid, language, channels, phone, mobile, address, area, tz, q_start, q_end in rows:
        yield CitizenProfile(
            id=cid,
            language=language,
            channels=tuple(channels),
            consents=frozenset(consents[cid]),
            phone=phone,
            is_mobile=mobile,
            has_address=any(str(line).strip() for line in address or ()),
            topics=frozenset(topics[cid]),
            area=area,
            timezone=tz,
            quiet_start=q_start,
            quiet_end=q_end,
        )


def routes_for(announcement: Announcement, now: datetime | None = None) -> Iterator[Route]:
    return plan_routes(
        target_of(announcement),
        citizen_profiles(announcement),
        now=now or timezone.now(),
        texted=SortedPhoneLedger(),
    )


def delivery_of(
    announcement_id: int, citizen_id: int, channel: str, locale: str, not_before: datetime | None
) -> Delivery:
    """A Delivery row, deferred until `not_before` (the end of quiet hours) when given."""
    return Delivery(
        announcement_id=announcement_id,
        citizen_id=citizen_id,
        channel=channel,
        locale=locale,
        status=DeliveryStatus.DEFERRED if not_before else DeliveryStatus.PLANNED,
        not_before=not_before,
    )


def plan_deliveries(
    announcement: Announcement, social_accounts: tuple[str, ...] = (), now: datetime | None = None
) -> int:
    """Create the Delivery rows of an announcement (idempotent: existing rows are kept).

    A route to the weekly letter creates no row: `gateway.weekly` prints it each week.
    """
    default_locale = announcement.locale
    rows: list[Delivery] = [
        Delivery(announcement=announcement, channel=account, locale=default_locale)
        for account in social_accounts
    ]
    created = 0
    for route in routes_for(announcement, now):
        if route.channel == WEEKLY_LETTER:
            continue
        rows.append(
            delivery_of(
                announcement.pk, route.citizen_id, route.channel, route.locale, route.not_before
            )
        )
        if len(rows) >= BATCH:
            created += _insert(rows)
            rows = []
    return created + _insert(rows)


def _insert(rows: list[Delivery]) -> int:
    if rows:
        Delivery.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)
