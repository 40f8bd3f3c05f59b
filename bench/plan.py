"""Planning benchmark: route 100,000 citizens of one town into Delivery rows, on SQLite and on
PostgreSQL in the same run, against a naive per-citizen ORM plan (5,000 citizens, scaled).

    .venv/bin/python bench/plan.py [--citizens 100000] [--naive 5000]
        [--postgres postgres://postgres@127.0.0.1:5432/crieur_i6bench]

Each database runs in a fresh child process (its own Django settings). The town is built with
bulk_create (channels, consents with 3 % SMS opt-outs, topics, areas, shared household phones,
quiet hours for a tenth). The planner is timed once (wall time, and the CPU time of the
planning process: the database server and the machine's load make the rest); a second plan of
another announcement runs under tracemalloc for the peak of Python memory. Goals: <= 5 s each,
memory flat.
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
    started, cpu = time.perf_counter(), time.process_time()
    planned = plan_deliveries(timed, now=NOW)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    deferred = Delivery.objects.filter(announcement=timed, status="deferred").count()

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
    queue.put((built, planned, deferred, elapsed, cpu, peak, urgent, naive_count, naive_elapsed))


def reset_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


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
            built, planned, deferred, elapsed, cpu, peak, urgent, n_count, n_elapsed = queue.get()
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
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
