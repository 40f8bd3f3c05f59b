"""Crisis benchmark: an urgent alert to a whole town, from the publish API call to the last
delivery handed to the provider, on PostgreSQL + Redis with two `crieur worker` processes.

    .venv/bin/python bench/crisis.py [--citizens 100000] [--million] \
        [--database postgres://postgres@127.0.0.1:5432/crieur_crisis] \
        [--broker redis://127.0.0.1:6379/12]

The town (built first, not timed): citizens with a mobile (SMS), a landline (calls) or both,
all consenting; an urgent alert goes to every channel each one consents to. Twilio is the fake
(`python -m tests.fakes.twilio`, its own process, real HTTP through the Twilio SDK) with
Crieur's rate limits lifted (CRIEUR_RATE_TWILIO_SMS=0, CRIEUR_RATE_TWILIO_VOICE=0): this
measures Crieur, not Twilio's 1 call per second. Each worker runs one pool process.

Phases: api (the publish call), plan, render, enqueue (as the publish task logs them), send
(the rest, until the last `sent_at`: it overlaps the enqueue). Floors measured in the same
run: plan's write against a COPY of the same delivery rows; send against the fake's own
request rate (the lean Twilio client from as many threads as both workers have, no Celery).
Peak RSS (VmHWM) of each worker process, at 10,000 citizens and at --citizens (and at
1,000,000 with --million: about 10 minutes more). Goal: <= 60 s at 100,000 citizens.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dispatch import ACCOUNT, TOKEN, client_rates, fake_count, reset_fake, start_fake  # noqa: E402
from plan import reset_postgres, write_floor  # noqa: E402

GOAL_SECONDS = 60.0
WORKERS = 2
PHASES = re.compile(
    r"announcement (\d+) published: plan ([\d.]+) s \((\d+) deliveries\), render ([\d.]+) s, "
    r"enqueue ([\d.]+) s \((\d+) batches\)"
)


@dataclass
class Run:
    citizens: int
    deliveries: int = 0
    total: float = 0.0
    api: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    batches: int = 0
    rss: list[int] = field(default_factory=list)  # kB, per worker process
    announcement_id: int = 0


def build_town(count: int, seed: int = 21):
    """`count` citizens: 70 % a mobile (SMS), 20 % a landline (calls), 10 % both."""
    from gateway.models import Area, Citizen, Consent, Organisation, Topic

    rng = random.Random(seed)
    org = Organisation.objects.create(name="Crise", slug=f"crise-{count}-{seed}")
    Topic.objects.create(organisation=org, slug="travaux", name="Travaux")
    area = Area.objects.create(organisation=org, slug="centre", name="Centre")
    mixes = [(["sms"], True)] * 7 + [(["voice"], False)] * 2 + [(["sms", "voice"], True)]
    step = 5000
    for start in range(0, count, step):
        rows = []
        for i in range(start, min(count, start + step)):
            channels, mobile = rng.choice(mixes)
            rows.append(
                Citizen(
                    organisation=org,
                    reference=f"C{seed}-{i}",
                    phone=f"+33{6 if mobile else 2}{10000000 + i:08d}",
                    is_mobile=mobile,
                    language="fr",
                    channels=channels,
                    area=area,
                )
            )
        created = Citizen.objects.bulk_create(rows, batch_size=step)
        Consent.objects.bulk_create(
            [
                Consent(citizen_id=c.pk, channel=channel, granted=True, source="agent")
                for c in created
                for channel in c.channels
            ],
            batch_size=step,
        )
    return org


def start_workers(env: dict[str, str], logs: Path) -> list[subprocess.Popen]:
    workers = []
    for n in range(WORKERS):
        log = (logs / f"worker{n}.log").open("w")
        workers.append(
            subprocess.Popen(
                [sys.executable, "-m", "gateway.cli", "worker", "--concurrency", "1"]
                + ["--loglevel", "INFO"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    from gateway.celery import app

    deadline = time.monotonic() + 60
    while len(app.control.ping(timeout=0.5)) < WORKERS:
        if time.monotonic() > deadline:
            raise SystemExit(f"the workers did not answer; see {logs}")
        time.sleep(0.2)
    return workers


def peak_rss(pid: int) -> list[int]:
    """VmHWM (peak resident set, kB) of a process and its children (the pool process)."""
    found = []
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for each in [pid, *map(int, children.read_text().split())] if children.exists() else [pid]:
        status = Path(f"/proc/{each}/status")
        if status.exists():
            match = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
            if match:
                found.append(int(match.group(1)))
    return found


def crisis(count: int, env: dict[str, str], base_url: str, logs: Path) -> Run:
    """Build a town of `count`, publish an urgent alert through the API, wait for the last
    delivery handed to the fake; the workers start fresh for each run (their own peak RSS)."""
    from django.db.models import Max
    from django.test import Client

    from gateway.celery import app
    from gateway.models import Announcement, Delivery, Role, Status
    from gateway.models.delivery import PENDING
    from tests.factories import create_announcement, create_api_key

    org = build_town(count)
    announcement = create_announcement(org, urgency="urgent", topics=[])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(org, Role.APPROVER)}")
    reset_fake(base_url)
    app.control.purge()
    workers = start_workers(env, logs)
    run = Run(citizens=count, announcement_id=announcement.pk)
    try:
        wall = datetime.now(UTC)
        started = time.perf_counter()
        response = client.post(f"/api/announcements/{announcement.pk}/publish")
        run.api = time.perf_counter() - started
        if response.status_code != 202:
            raise SystemExit(f"publish: HTTP {response.status_code} {response.content[:200]!r}")
        pending = Delivery.objects.filter(announcement=announcement, status__in=PENDING)
        while True:
            time.sleep(0.25)
            status = Announcement.objects.filter(pk=announcement.pk).values_list("status")[0][0]
            if status == Status.SENT or (
                Delivery.objects.filter(announcement=announcement).exists() and not pending.exists()
            ):
                break
            if time.perf_counter() - started > 600:
                raise SystemExit("no end after 10 minutes: see the workers' logs in " + str(logs))
        last = Delivery.objects.filter(announcement=announcement).aggregate(Max("sent_at"))
        run.total = (last["sent_at__max"] - wall).total_seconds()
        run.rss = [kb for worker in workers for kb in peak_rss(worker.pid)]
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(60)
    run.deliveries = Delivery.objects.filter(announcement=announcement).count()
    logged = "".join(path.read_text() for path in logs.glob("worker*.log"))
    found = [m for m in PHASES.finditer(logged) if int(m.group(1)) == announcement.pk]
    if found:
        m = found[-1]
        run.phases = {
            "plan": float(m.group(2)),
            "render": float(m.group(4)),
            "enqueue": float(m.group(5)),
        }
        run.batches = int(m.group(6))
        run.phases["send"] = max(0.0, run.total - run.api - sum(run.phases.values()))
    texts = Delivery.objects.filter(announcement=announcement, channel="sms").count()
    if (sent := fake_count(base_url)) != texts:
        print(f"warning: the fake counted {sent} messages for {texts} SMS deliveries")
    return run


def fake_rate(base_url: str, threads: int) -> tuple[float, int]:
    """Requests per second the fake answers, without Celery; fewer threads if it resets
    connections (its listen backlog is small)."""
    logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
    while True:
        try:
            return client_rates(base_url, 3000, threads)["lean (urllib3)"], threads
        except Exception as exc:  # ConnectionError from the fake's backlog
            if threads <= 2:
                raise
            print(f"  (the fake refused {threads} threads: {type(exc).__name__}; halving)")
            threads //= 2


def environment(args: argparse.Namespace, base_url: str, data: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": args.database,
        "CELERY_BROKER_URL": args.broker,
        "CRIEUR_DATA_DIR": str(data),
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_FROM_NUMBER": "+33700000001",
        "TWILIO_BASE_URL": base_url,
        "CRIEUR_RATE_TWILIO_SMS": "0",
        "CRIEUR_RATE_TWILIO_VOICE": "0",
        "CRIEUR_PUBLIC_URL": "http://127.0.0.1:9",
        "CRIEUR_SECRETS_KEY": "7bO3W0QbQd1r6oWm5v0tQd9nTqL1mI2jQ0s5u1Xc3Zk=",  # bench only
        "CRIEUR_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SETTINGS_MODULE": "gateway.settings",
    }


def report(run: Run, floors: dict[str, float]) -> bool:
    rss = ", ".join(f"{kb / 1024:.0f}" for kb in run.rss)
    passed = run.total <= GOAL_SECONDS
    print(
        f"{run.citizens:,} citizens, {run.deliveries:,} deliveries ({run.batches} batches): "
        f"last handed to the provider {run.total:.1f} s after the publish call "
        f"[{'PASS' if passed else 'FAIL'} <= {GOAL_SECONDS:.0f} s]; peak RSS per worker "
        f"process (MB): {rss}"
    )
    if run.phases:
        print(
            f"  api {run.api:.2f} s · "
            + " · ".join(f"{name} {seconds:.2f} s" for name, seconds in run.phases.items())
        )
    for name, seconds in floors.items():
        print(f"  floor {name}: {seconds:.2f} s")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="also 1,000,000 (peak RSS)")
    parser.add_argument(
        "--database",
        default="postgres://postgres@127.0.0.1:5432/crieur_crisis",
        help="a PostgreSQL database, dropped and made again",
    )
    parser.add_argument("--broker", default=os.environ.get("CELERY_BROKER_URL", ""))
    args = parser.parse_args()
    if not args.broker.startswith("redis://"):
        raise SystemExit("bench/crisis.py: give --broker redis://…")
    if not args.database.startswith("postgres"):
        raise SystemExit("bench/crisis.py: give --database postgres://… (it is dropped)")
    load = os.getloadavg()
    print(f"load average {load[0]:.2f}, {os.cpu_count()} cores; {WORKERS} workers, 1 process each")
    reset_postgres(args.database)
    fake, base_url = start_fake()
    data = Path(tempfile.mkdtemp(prefix="crieur-crisis-"))
    try:
        env = environment(args, base_url, data)
        os.environ.update(env)
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        sizes = [10_000, args.citizens] + ([1_000_000] if args.million else [])
        ok = True
        for count in dict.fromkeys(sizes):
            run = crisis(count, env, base_url, data)
            report(run, {})
            sys.stdout.flush()
            floors = {}
            if count == args.citizens:
                from gateway.models import Announcement
                from tests.factories import create_announcement

                source = Announcement.objects.get(pk=run.announcement_id)
                target = create_announcement(source.organisation, urgency="urgent")
                floors["plan's write (COPY of the same rows)"] = write_floor(source, target)
                rate, threads = fake_rate(base_url, WORKERS * settings.DELIVERY_SEND_THREADS)
                floors[f"send (the fake's own {rate:,.0f} requests/s, {threads} threads)"] = (
                    run.deliveries / rate
                )
            for name, seconds in floors.items():
                print(f"  floor {name}: {seconds:.2f} s")
            ok &= run.total <= GOAL_SECONDS or count != args.citizens
    finally:
        fake.terminate()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
