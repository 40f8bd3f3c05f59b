"""From the database to Delivery rows: stream citizens through `plan_routes`.

Citizens come in (phone, id) order from one query read by chunks, with their consents and topics,
so one SMS per phone needs to remember only the last phone texted; deliveries are inserted by
batches. Memory stays flat and time linear whatever the size of the town (bench/plan.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import psycopg
from django.db import connections, router, transaction
from django.db.models import Aggregate, CharField, OuterRef, QuerySet, Subquery
from django.db.models.constants import OnConflict
from django.utils import timezone

from gateway.audience.suppression import SuppressedPhones
from gateway.models import Announcement, Citizen, Consent, Delivery, DeliveryStatus
from gateway.routing.plan import (
    WEEKLY_LETTER,
    AnnouncementTarget,
    CitizenProfile,
    MessagedLedger,
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
    "email",
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
    """Citizens of the organisation (in the target areas), in (phone, id) order.

    One query streamed by chunks (a server-side cursor on PostgreSQL), each row carrying its
    granted consents and its topics: the database sorts once, whatever the size of the town.
    """
    citizens = Citizen.objects.filter(
        organisation_id=announcement.organisation_id, erased_at__isnull=True
    )
    area_ids = list(announcement.areas.values_list("id", flat=True))
    if area_ids:
        citizens = citizens.filter(area_id__in=area_ids)
    if citizen_ids is not None:
        citizens = citizens.filter(id__in=citizen_ids)
    # Opted-out phones (the suppression list) lose those consents, whatever the rows say.
    suppressed = SuppressedPhones(announcement.organisation_id)
    rows = (
        citizens.annotate(
            granted=_joined(Consent.objects.filter(granted=True), "channel"),
            topic_slugs=_joined(Citizen.topics.through.objects.all(), "topic__slug"),
        )
        .order_by("phone", "id")
        .values_list(*FIELDS, "granted", "topic_slugs")
    )
    for (
        cid,
        language,
        channels,
        phone,
        email,
        mobile,
        address,
        area,
        tz,
        q_start,
        q_end,
        granted,
        slugs,
    ) in rows.iterator(chunk_size=BATCH):
        consents = frozenset(granted.split(",")) if granted else frozenset()
        email = (email or "").lower()
        if suppressed and phone:
            consents -= suppressed.channels(phone)
        if suppressed and email and suppressed.email(email):
            consents -= {"email"}
        yield CitizenProfile(
            id=cid,
            language=language,
            channels=tuple(channels),
            consents=consents,
            phone=phone,
            email=email,
            is_mobile=mobile,
            has_address=any(str(line).strip() for line in address or ()),
            topics=frozenset(slugs.split(",")) if slugs else frozenset(),
            area=area,
            timezone=tz,
            quiet_start=q_start,
            quiet_end=q_end,
        )


class _Joined(Aggregate):
    """Values joined by commas (channels and slugs hold none): string_agg, group_concat."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def _joined(rows: QuerySet, field: str) -> Subquery:
    """The `field` values of a citizen's `rows` (consents, topic links), joined by commas."""
    per_citizen = rows.filter(citizen_id=OuterRef("pk")).values("citizen_id")
    return Subquery(per_citizen.annotate(joined=_Joined(field)).values("joined"))


def routes_for(announcement: Announcement, now: datetime | None = None) -> Iterator[Route]:
    return plan_routes(
        target_of(announcement),
        citizen_profiles(announcement),
        now=now or timezone.now(),
        texted=SortedPhoneLedger(),
        messaged=MessagedLedger(),
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
        status=status_of(not_before),
        not_before=not_before,
    )


def status_of(not_before: datetime | None) -> DeliveryStatus:
    return DeliveryStatus.DEFERRED if not_before else DeliveryStatus.PLANNED


def plan_deliveries(
    announcement: Announcement, social_accounts: tuple[str, ...] = (), now: datetime | None = None
) -> int:
    """Create the Delivery rows of an announcement (idempotent: existing rows are kept).

    A route to the weekly letter creates no row: `gateway.weekly` prints it each week.
    """
    insert = _Inserter(announcement.pk)
    rows: list[tuple] = [(None, account, announcement.locale, None) for account in social_accounts]
    created = 0
    for route in routes_for(announcement, now):
        if route.channel == WEEKLY_LETTER:
            continue
        rows.append((route.citizen_id, route.channel, route.locale, route.not_before))
        if len(rows) >= BATCH:
            created += insert(rows)
            rows = []
    return created + insert(rows)


def post_locale(announcement: Announcement, wanted: str | None) -> str:
    """The language of a post: the account's when the announcement has it, else the
    announcement's default (the instance's default post: the announcement's own language)."""
    if wanted is None:
        return announcement.locale
    return wanted if wanted in announcement.locales else announcement.fallback_locale


def plan_posts(announcement: Announcement, posts) -> int:
    """One delivery per broadcast account (`gateway.registry.Post`) in `post_locale`; existing
    rows are kept (one per announcement and account; per channel for the instance's default)."""
    rows = [
        Delivery(
            announcement_id=announcement.pk,
            channel=post.channel,
            account_id=post.account_id,
            locale=post_locale(announcement, post.locale),
        )
        for post in posts
    ]
    return len(Delivery.objects.bulk_create(rows, ignore_conflicts=True))


class _Inserter:
    """Inserts (citizen id, channel, locale, not_before) tuples as Delivery rows of one
    announcement, keeping the rows already there (ON CONFLICT DO NOTHING / INSERT OR IGNORE).

    The rows `delivery_of` + bulk_create(ignore_conflicts=True) would insert, without a model
    instance per row: preparing each field of each instance cost more than the whole plan.
    PostgreSQL gets one statement per batch, an array per column (as bulk_create does there),
    bound in binary by psycopg's own cursor (Django's binds arrays as text literals, in Python);
    SQLite one prepared statement run per row.
    """

    VARYING = ("citizen_id", "channel", "locale", "status", "not_before")

    def __init__(self, announcement_id: int) -> None:
        self.connection = connection = connections[router.db_for_write(Delivery)]
        by_name = {f.attname: f for f in Delivery._meta.concrete_fields if not f.primary_key}
        self.fields = [by_name.pop(name) for name in self.VARYING] + list(by_name.values())
        self.template = Delivery(announcement_id=announcement_id)
        self.unnest = connection.vendor == "postgresql"
        if self.unnest:
            arrays = ", ".join(f"%b::{f.cast_db_type(connection)}[]" for f in self.fields)
            values = f"SELECT * FROM UNNEST({arrays})"
        else:
            values = "VALUES ({})".format(", ".join(["%s"] * len(self.fields)))
        ops = connection.ops
        self.sql = "{} {} ({}) {} {}".format(
            ops.insert_statement(on_conflict=OnConflict.IGNORE),
            ops.quote_name(Delivery._meta.db_table),
            ", ".join(ops.quote_name(f.column) for f in self.fields),
            values,
            ops.on_conflict_suffix_sql(self.fields, OnConflict.IGNORE, None, None),
        )

    def __call__(self, rows: list[tuple]) -> int:
        if not rows:
            return 0
        connection = self.connection
        constants = tuple(
            f.get_db_prep_save(f.pre_save(self.template, True), connection)
            for f in self.fields[len(self.VARYING) :]
        )
        prepare = self.fields[len(self.VARYING) - 1].get_db_prep_save  # not_before
        params = [
            (cid, channel, locale, status_of(when).value, prepare(when, connection), *constants)
            for cid, channel, locale, when in rows
        ]
        with transaction.atomic(using=connection.alias):
            if self.unnest:
                with psycopg.Cursor(connection.connection) as cursor:
                    cursor.execute(self.sql, [list(column) for column in zip(*params, strict=True)])
            else:
                with connection.cursor() as cursor:
                    cursor.executemany(self.sql, params)
        return len(rows)
