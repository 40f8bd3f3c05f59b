"""From the database to Delivery rows: stream citizens in batches through `plan_routes`.

Three queries per batch of citizens (citizens, consents, topics) and one bulk insert per batch
of deliveries; nothing per citizen is kept for the whole run but the phones already texted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from gateway.models import Announcement, Citizen, Consent, Delivery
from gateway.routing.plan import AnnouncementTarget, CitizenProfile, Route, plan_routes

BATCH = 2000


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
    """Citizens of the organisation (in the target areas), in id order, batch by batch."""
    citizens = Citizen.objects.filter(
        organisation_id=announcement.organisation_id, erased_at__isnull=True
    )
    area_ids = list(announcement.areas.values_list("id", flat=True))
    if area_ids:
        citizens = citizens.filter(area_id__in=area_ids)
    if citizen_ids is not None:
        citizens = citizens.filter(id__in=citizen_ids)
    fields = ("id", "language", "channels", "phone", "is_mobile", "address_lines", "area__slug")
    last_id = 0
    while True:
        rows = list(citizens.filter(id__gt=last_id).order_by("id").values_list(*fields)[:BATCH])
        if not rows:
            return
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
        for cid, language, channels, phone, is_mobile, address, area in rows:
            yield CitizenProfile(
                id=cid,
                language=language,
                channels=tuple(channels),
                consents=frozenset(consents[cid]),
                phone=phone,
                is_mobile=is_mobile,
                has_address=bool(address),
                topics=frozenset(topics[cid]),
                area=area,
            )
        last_id = ids[-1]


def routes_for(announcement: Announcement) -> Iterator[Route]:
    return plan_routes(target_of(announcement), citizen_profiles(announcement))


def plan_deliveries(announcement: Announcement, social_accounts: tuple[str, ...] = ()) -> int:
    """Create the Delivery rows of an announcement (idempotent: existing rows are kept)."""
    default_locale = announcement.locale
    rows: list[Delivery] = [
        Delivery(announcement=announcement, channel=account, locale=default_locale)
        for account in social_accounts
    ]
    created = 0
    for route in routes_for(announcement):
        rows.append(
            Delivery(
                announcement_id=announcement.pk,
                citizen_id=route.citizen_id,
                channel=route.channel,
                locale=route.locale,
            )
        )
        if len(rows) >= BATCH:
            created += _insert(rows)
            rows = []
    return created + _insert(rows)


def _insert(rows: list[Delivery]) -> int:
    if rows:
        Delivery.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)
