"""Planning benchmark: route 100,000 citizens of one town into Delivery rows, on SQLite and on
PostgreSQL in the same run, against a naive per-citizen ORM plan (5,000 citizens, scaled).

    .venv/bin/python bench/plan.py [--citizens 100000] [--naive 5000]
        [--postgres postgres://postgres@127.0.0.1:5432/crieur_i6bench]

Each database runs in a fresh child process (its own Django settings). The town is built with
bulk_create (channels, consents with 3 % SMS opt-outs, topics, areas, shared household phones,
quiet hours for a tenth). The planner is timed once (wall time, and the CPU time of the
planning process: the database server and the machine's load make the rest), then split: read
(every citizen profile, read again), write (the time in the planner's writer) and route (the
rest), next to the
floor: the database taking the same rows in one statement (COPY on PostgreSQL, executemany on
SQLite). A second plan of another announcement runs under tracemalloc for the peak of Python
memory. Goals: <= 5 s each, memory flat.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 5.0
NOW = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)  # 23:30 in Paris: quiet hours apply


def build(count: int, seed: int = 6):
    from gateway.models import Area, Citizen, Consent, Organisation, Topic

    rng = random.Random(seed)
    org = Organisation.objects.create(name="Bench", slug=f"bench-{count}")
    topics = Topic.objects.bulk_create(
        Topic(organisation=org, slug=s, name=s) for s in ("travaux", "eau", "ecoles")
    )
    areas = Area.objects.bulk_create(
        Area(organisation=org, slug=s, name=s) for s in ("centre", "nord", "sud")
    )
    mixes = [["sms"], ["sms", "post"], ["voice"], ["post"], ["voice", "post"], ["sms", "voice"]]
    step = 5000
    for start in range(0, count, step):
        rows = []
        for i in range(start, min(count, start + step)):
            channels = rng.choice(mixes)
            phone_n = i - 1 if i and rng.random() < 0.05 else i  # shared household phones
            rows.append(
                Citizen(
                    organisation=org,
                    reference=f"B{count}-{i}",
                    phone=f"+336{10000000 + phone_n:08d}"
                    if {"sms", "voice"} & set(channels)
                    else "",
                    address_lines=["1 rue des Lilas", "49123 SAINT CRIEUR"]
                    if "post" in channels
                    else [],
                    language="en" if i % 5 == 0 else "fr",
                    channels=channels,
                    area=areas[i % 3],
                    quiet_start=clock(22, 0) if i % 10 == 0 else None,
                    quiet_end=clock(7, 0) if i % 10 == 0 else None,
                )
            )
        Citizen.objects.bulk_create(rows, batch_size=1000)
    through = Citizen.topics.through
    last = 0
    while True:
        batch = list(
            Citizen.objects.filter(organisation=org, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "channels")[:step]
        )
        if not batch:
            break
        links, consents = [], []
        for pk, channels in batch:
            links.append(through(citizen_id=pk, topic_id=topics[pk % 3].pk))
            for channel in channels:
                granted = not (channel == "sms" and rng.random() < 0.03)
                consents.append(
                    Consent(citizen_id=pk, channel=channel, granted=granted, source="agent")
                )
        through.objects.bulk_create(links, batch_size=1000)
        Consent.objects.bulk_create(consents, batch_size=1000)
        last = batch[-1][0]
    return org


def announcement(org, urgency: str):
    from gateway.publishing import create_announcement

    return create_announcement(
        org,
        {
            "title": "Bench",
            "summary": "Bench",
            "body": "Bench",
            "urgency": urgency,
            "topics": ["travaux", "eau"],
            "translations": {"en": {"title": "B", "summary": "B", "body": "B"}},
        },
    )


def naive_plan(ann, sample: int) -> int:
    """What a straightforward ORM loop does: one citizen, its consents, topics, one insert."""
    from gateway.models import Citizen, Delivery

    target_topics = set(ann.topics.values_list("slug", flat=True))
    created = 0
    texted = set()
    for citizen in Citizen.objects.filter(organisation=ann.organisation).order_by("pk")[:sample]:
        consents = set(citizen.consents.filter(granted=True).values_list("channel", flat=True))
        if not target_topics & set(citizen.topics.values_list("slug", flat=True)):
            continue
        for channel in citizen.channels:
            if channel in consents and not (channel == "sms" and citizen.phone in texted):
                texted.add(citizen.phone)
                Delivery.objects.create(
                    announcement=ann, citizen=citizen, channel=channel, locale=citizen.language
                )
                created += 1
                break
    return created


def child(database_url: str, count: int, sample: int, queue) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "gateway.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from gateway.models import Delivery
    from gateway.routing.planning import plan_deliveries

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    org = build(count)
    built = time.perf_counter() - started

    timed = announcement(org, "important")
    writing = timed_writes()
    started, cpu = time.perf_counter(), time.process_time()
    planned = plan_deliveries(timed, now=NOW)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    write = writing[0]
    deferred = Delivery.objects.filter(announcement=timed, status="deferred").count()
    read = read_only(timed)
    floor = write_floor(timed, announcement(org, "important"))

    traced = announcement(org, "urgent")
    tracemalloc.start()
    plan_deliveries(traced, now=NOW)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    urgent = Delivery.objects.filter(announcement=traced).count()

    naive = announcement(org, "important")
    started = time.perf_counter()
    naive_count = naive_plan(naive, sample)
    naive_elapsed = time.perf_counter() - started
    queue.put(
        (built, planned, deferred, elapsed, cpu, peak, urgent, naive_count, naive_elapsed)
        + (read, write, floor)
    )


def timed_writes() -> list[float]:
    """Seconds the planner spends in its writer (COPY or INSERT), added up in the list's
    one element while the bench runs."""
    from gateway.routing import planning

    spent = [0.0]
    for cls in {planning._Inserter, planning._Copier}:
        original = cls.__call__

        def timed(self, rows, original=original):
            started = time.perf_counter()
            try:
                return original(self, rows)
            finally:
                spent[0] += time.perf_counter() - started

        cls.__call__ = timed
    return spent


def read_only(ann) -> float:
    """Seconds to read every citizen profile of `ann` once more (nothing routed nor written)."""
    from gateway.routing.planning import citizen_profiles

    started = time.perf_counter()
    for _ in citizen_profiles(ann):
        pass
    return time.perf_counter() - started


def write_floor(source, target) -> float:
    """Seconds the database alone takes to take `source`'s delivery rows again, for `target`,
    in one statement: COPY on PostgreSQL, executemany on SQLite. The rows are made first."""
    from django.db import connection, transaction

    from gateway.models import Delivery

    fields = [
        f for f in Delivery._meta.concrete_fields if not f.primary_key and f.name != "announcement"
    ]
    rows = [
        (target.pk, *values)
        for values in Delivery.objects.filter(announcement=source).values_list(
            *(f.attname for f in fields)
        )
    ]
    json_fields = [i + 1 for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    columns = ", ".join(["announcement_id", *(f.column for f in fields)])
    table = Delivery._meta.db_table
    with transaction.atomic():
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            import psycopg
            from psycopg.types.json import Jsonb

            rows = [
                tuple(Jsonb(v) if i in json_fields else v for i, v in enumerate(row))
                for row in rows
            ]
            started = time.perf_counter()
            with psycopg.Cursor(connection.connection) as cursor:
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            import json

            rows = [
                tuple(json.dumps(v) if i in json_fields else v for i, v in enumerate(row))
                for row in rows
            ]
            marks = ", ".join(["%s"] * (len(fields) + 1))
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        return time.perf_counter() - started


def reset_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def result_of(process, queue):
    """The child's result; exit if it died first (its traceback is on stderr)."""
    import queue as queues

    while True:
        try:
            return queue.get(timeout=1)
        except queues.Empty:
            if not process.is_alive():
                sys.exit(f"the benchmark's child process failed (exit {process.exitcode})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--naive", type=int, default=5_000)
    parser.add_argument(
        "--postgres", default="postgres://postgres@127.0.0.1:5432/crieur_i6bench", help="'' to skip"
    )
    args = parser.parse_args()
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"load average {load} (other processes on the machine slow the wall time)")
    with tempfile.TemporaryDirectory() as folder:
        databases = [("SQLite", f"sqlite:///{folder}/bench.sqlite3")]
        if args.postgres:
            reset_postgres(args.postgres)
            databases.append(("PostgreSQL", args.postgres))
        ok = True
        ctx = multiprocessing.get_context("spawn")
        for name, url in databases:
            queue = ctx.Queue()
            process = ctx.Process(target=child, args=(url, args.citizens, args.naive, queue))
            process.start()
            (built, planned, deferred, elapsed, cpu, peak, urgent, n_count, n_elapsed, read, write,
             floor) = result_of(process, queue)  # fmt: skip
            process.join()
            scaled = n_elapsed * args.citizens / args.naive
            passed = elapsed <= GOAL_SECONDS
            ok &= passed
            print(
                f"{name:<10} {args.citizens:,} citizens (built in {built:.1f} s): planned "
                f"{planned:,} deliveries ({deferred:,} deferred by quiet hours) in {elapsed:.2f} s "
                f"(Python CPU {cpu:.2f} s) = {args.citizens / elapsed:,.0f} citizens/s; "
                f"urgent plan {urgent:,} deliveries, "
                f"Python peak {peak / 1e6:.1f} MB; naive ORM {n_count:,} deliveries for "
                f"{args.naive:,} citizens in {n_elapsed:.2f} s (x{args.citizens // args.naive} = "
                f"{scaled:.0f} s): {scaled / elapsed:.0f}x faster "
                f"[{'PASS' if passed else 'FAIL'} <= {GOAL_SECONDS:.0f} s]"
            )
            how = "COPY" if name == "PostgreSQL" else "executemany"
            route = max(0.0, elapsed - write - read)
            print(
                f"{'':<10} split: read {read:.2f} s (measured again after), route {route:.2f} s, "
                f"write {write:.2f} s; floor: {how} of the same {planned:,} rows "
                f"{floor:.2f} s (write / floor = {write / floor if floor else 0:.1f}x)"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
