"""From the database to Delivery rows: stream citizens through `plan_routes`.

Citizens come in (phone, id) order from one query read by chunks, with their consents and topics,
so one SMS per phone needs to remember only the last phone texted; deliveries are written by
batches (COPY on PostgreSQL). Memory stays flat and time linear whatever the size of the town
(bench/plan.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import psycopg
from django.db import connections, router, transaction
from django.db.models import Aggregate, CharField, F, OuterRef, QuerySet, Subquery
from django.db.models.constants import OnConflict
from django.db.models.functions import Cast
from django.utils import timezone
from psycopg.adapt import PyFormat, Transformer

from gateway.audience.suppression import SuppressedPhones
from gateway.models import (
    Announcement,
    Area,
    Citizen,
    Consent,
    Delivery,
    DeliveryStatus,
    Topic,
)
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
    "area_id",
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
    granted consents and its topics' ids: the database sorts once, whatever the size of the
    town. Each subquery is a lookup by citizen id in its unique index, a plan that needs no
    statistics (the tables of a town just imported have none); areas and topics are named
    from the organisation's few, in Python, not joined per citizen.
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
            granted=_joined(Consent.objects.filter(granted=True), F("channel")),
            topic_ids=_joined(Citizen.topics.through.objects.all(), Cast("topic_id", CharField())),
        )
        .order_by("phone", "id")
        .values_list(*FIELDS, "granted", "topic_ids")
    )
    organisation = announcement.organisation_id
    areas = dict(Area.objects.filter(organisation_id=organisation).values_list("id", "slug"))
    topics = {
        str(pk): slug
        for pk, slug in Topic.objects.filter(organisation_id=organisation).values_list("id", "slug")
    }
    # A town has few distinct sets of consents and of topics: each is parsed once.
    consent_sets: dict[str | None, frozenset[str]] = {None: frozenset(), "": frozenset()}
    topic_sets: dict[str | None, frozenset[str]] = {None: frozenset(), "": frozenset()}
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
        topic_ids,
    ) in rows.iterator(chunk_size=BATCH):
        consents = consent_sets.get(granted)
        if consents is None:
            consents = consent_sets[granted] = frozenset(granted.split(","))
        slugs = topic_sets.get(topic_ids)
        if slugs is None:
            slugs = topic_sets[topic_ids] = frozenset(
                topics[t] for t in topic_ids.split(",") if t in topics
            )
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
            topics=slugs,
            area=areas.get(area),
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


def _joined(rows: QuerySet, value) -> Subquery:
    """The `value`s of a citizen's `rows` (consents, topic links), joined by commas."""
    per_citizen = rows.filter(citizen_id=OuterRef("pk")).values("citizen_id")
    return Subquery(per_citizen.annotate(joined=_Joined(value)).values("joined"))


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
    PostgreSQL: the first plan of an announcement is written with COPY, a replay inserts with
    ON CONFLICT DO NOTHING; SQLite: a prepared INSERT OR IGNORE per batch.
    """
    posts = [(None, account, announcement.locale, None) for account in social_accounts]
    routes = (
        (route.citizen_id, route.channel, route.locale, route.not_before)
        for route in routes_for(announcement, now)
        if route.channel != WEEKLY_LETTER
    )
    rows = itertools.chain(posts, routes)
    connection = connections[router.db_for_write(Delivery)]
    if connection.vendor != "postgresql":
        return _written(_Inserter(announcement.pk), rows)
    # One transaction, the announcement locked: a second planner (a replayed task) waits, then
    # finds the rows and keeps them. The first plan of an announcement is a COPY.
    with transaction.atomic(using=connection.alias):
        locked = Announcement.objects.using(connection.alias).select_for_update()
        list(locked.filter(pk=announcement.pk).values_list("pk"))
        with connection.cursor() as cursor:  # the citizens sorted in memory, not on disk
            cursor.execute(f"SET LOCAL work_mem = '{PLAN_WORK_MEM}'")
        if Delivery.objects.using(connection.alias).filter(announcement=announcement).exists():
            return _written(_Inserter(announcement.pk), rows)
        return _written(_Copier(announcement.pk), rows, COPY_BATCH)


PLAN_WORK_MEM = "64MB"  # the sort of 100,000 citizens takes about 18 MB
# Rows per COPY: the citizens' cursor and COPY share the connection, so each batch is read
# whole, then copied; large enough that a statement per batch costs nothing.
COPY_BATCH = 10_000


def _written(write: _Inserter, rows: Iterable[tuple], size: int = BATCH) -> int:
    created = 0
    for batch in _batched(rows, size):
        created += write(list(batch))
    return created


def _batched(rows: Iterable[tuple], size: int) -> Iterator[tuple]:
    iterator = iter(rows)
    while batch := tuple(itertools.islice(iterator, size)):
        yield batch


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

    def params(self, rows: list[tuple]) -> list[tuple]:
        """Each row with every column, as the database takes it."""
        connection = self.connection
        constants = tuple(
            f.get_db_prep_save(f.pre_save(self.template, True), connection)
            for f in self.fields[len(self.VARYING) :]
        )
        prepare = self.fields[len(self.VARYING) - 1].get_db_prep_save  # not_before
        return [
            (cid, channel, locale, status_of(when).value, prepare(when, connection), *constants)
            for cid, channel, locale, when in rows
        ]

    def __call__(self, rows: list[tuple]) -> int:
        if not rows:
            return 0
        connection = self.connection
        params = self.params(rows)
        with transaction.atomic(using=connection.alias):
            if self.unnest:
                with psycopg.Cursor(connection.connection) as cursor:
                    cursor.execute(self.sql, [list(column) for column in zip(*params, strict=True)])
            else:
                with connection.cursor() as cursor:
                    cursor.executemany(self.sql, params)
        return len(rows)


class _Copier(_Inserter):
    """The same rows through PostgreSQL's COPY (psycopg's `copy`): the fastest way in, for the
    first plan of an announcement, in `plan_deliveries`' transaction (COPY has no ON CONFLICT:
    nothing may be there yet).

    Each line is written as COPY's text format: the columns that vary are formatted here (ids,
    codes, a UTC time), those that are the same for every row are dumped by psycopg once per
    batch; adapting every value of every row through psycopg cost twice the COPY itself."""

    def __init__(self, announcement_id: int) -> None:
        super().__init__(announcement_id)
        ops = self.connection.ops
        self.copy_sql = "COPY {} ({}) FROM STDIN".format(
            ops.quote_name(Delivery._meta.db_table),
            ", ".join(ops.quote_name(f.column) for f in self.fields),
        )

    def __call__(self, rows: list[tuple]) -> int:
        if not rows:
            return 0
        with psycopg.Cursor(self.connection.connection) as cursor:
            constants = self.params(rows[:1])[0][len(self.VARYING) :]
            dumped = Transformer(cursor).dump_sequence(constants, [PyFormat.TEXT] * len(constants))
            suffix = "\t".join(_copy_text(value) for value in dumped)
            planned, deferred = DeliveryStatus.PLANNED.value, DeliveryStatus.DEFERRED.value
            lines = []
            codes: dict[str, str] = {}  # channels and locales, escaped once each
            for cid, channel, locale, when in rows:
                head = codes.get(channel + "\0" + locale)
                if head is None:
                    head = codes[channel + "\0" + locale] = (
                        f"{channel.translate(_COPY_ESCAPES)}\t{locale.translate(_COPY_ESCAPES)}"
                    )
                who = "\\N" if cid is None else int(cid)
                if when is None:
                    lines.append(f"{who}\t{head}\t{planned}\t\\N\t{suffix}\n")
                else:
                    at = when.astimezone(UTC).isoformat()
                    lines.append(f"{who}\t{head}\t{deferred}\t{at}\t{suffix}\n")
            with cursor.copy(self.copy_sql) as copy:
                copy.write("".join(lines))
        return len(rows)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: bytes | None) -> str:
    """One value as COPY's text format takes it: `\\N` for NULL, the rest escaped."""
    return "\\N" if value is None else bytes(value).decode().translate(_COPY_ESCAPES)
