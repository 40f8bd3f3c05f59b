"""Messaging dispatch benchmark: a 10,000-citizen publication with WhatsApp and email enabled,
deliveries per second per worker process for each, next to SMS through the fake Twilio in
the same run (the baseline of the ratios).

    .venv/bin/python bench/messaging_dispatch.py --broker redis://127.0.0.1:6379/9 \
        [--database postgres://postgres@127.0.0.1:5432/crieur_bench] [--citizens 10000]

Each channel gets its own run: `--citizens` citizens consenting to it, planned, then one
`crieur worker --concurrency 1` on its queue (`sms`, `messaging`, `email`) sends them through
the organisation's own account to a fake in its own process (`tests.fakes.twilio`,
`tests.fakes.whatsapp`, `tests.fakes.smtp` over SMTP without TLS on 127.0.0.1). WhatsApp
citizens are outside their 24-hour window (the approved template, the common case); every
email gets its own unsubscribe link (one insert per part). Provider rate limits are lifted
(account `rate` 0): this measures the engine, not Meta's 80 messages/s per number.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import dispatch  # noqa: E402  (the SMS fake, the environment, measured the same way)


def start_whatsapp() -> tuple[subprocess.Popen, str]:
    fake = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fakes.whatsapp",
            "--port",
            "0",
            "--access-token",
            "bench-wa",
            "--throughput",
            "0",
            "--pair-interval",
            "0",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    return fake, fake.stdout.readline().split()[1]


def start_smtp() -> tuple[subprocess.Popen, int]:
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.smtp", "--security", "none"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    return fake, int(fake.stdout.readline().split()[2])


def smtp_count(fake: subprocess.Popen) -> int:
    fake.stdin.write("count\n")
    fake.stdin.flush()
    return int(fake.stdout.readline())


def whatsapp_count(base_url: str) -> int:
    import json

    with urllib.request.urlopen(f"{base_url}/_fake/count") as reply:
        return json.load(reply)["messages"]


def plan(channel: str, count: int, fakes: dict):
    from django.db import transaction

    from gateway.accounts.services import add_account
    from gateway.messaging.renditions import archive_messaging
    from gateway.messaging.whatsapp import sync_templates
    from gateway.models import Citizen, Status
    from gateway.renditions import archive
    from gateway.routing.planning import plan_deliveries
    from gateway.tasks.publish import publish_announcement  # noqa: F401  (tasks registered)
    from tests.factories import create_announcement, create_citizens, create_organisation

    org = create_organisation(slug=f"bench-{uuid.uuid4().hex[:12]}")
    if channel == "sms":
        add_account(
            org,
            "twilio",
            {
                "account_sid": dispatch.ACCOUNT,
                "auth_token": dispatch.TOKEN,
                "base_url": fakes["sms"],
                "from_number": "+33700000002",
            },
            limits={"rate": 0},
        )
    elif channel == "whatsapp":
        account = add_account(
            org,
            "whatsapp",
            {
                "phone_number_id": "106540352242922",
                "waba_id": "102290129340398",
                "access_token": "bench-wa",
                "app_secret": "bench-secret",
                "verify_token": "bench-verify-token-16",
                "base_url": fakes["whatsapp"],
            },
            limits={"rate": 0},
        )
        sync_templates(account)
    else:
        add_account(
            org,
            "email",
            {
                "host": "127.0.0.1",
                "port": str(fakes["email"]),
                "security": "none",
                "from_address": "Mairie <infos@bench.example>",
            },
            limits={"rate": 0},
        )
    create_citizens(org, count, channels=(channel,))
    if channel == "email":
        for citizen in Citizen.objects.filter(organisation=org).only("pk"):
            Citizen.objects.filter(pk=citizen.pk).update(email=f"c{citizen.pk}@bench.example")
    announcement = create_announcement(org, urgency="urgent")
    with transaction.atomic():
        plan_deliveries(announcement, ())
        archive(announcement, [("sms", "fr")] if channel == "sms" else [])
        archive_messaging(announcement, [(channel, "fr")])
        announcement.status = Status.SENDING
        announcement.save(update_fields=["status"])
    return org, announcement


QUEUE = {"sms": "sms", "whatsapp": "messaging", "email": "email"}


def run(channel: str, count: int, env: dict, fakes: dict, counter) -> float:
    from gateway.celery import app
    from gateway.models import Delivery
    from gateway.models.delivery import PENDING
    from gateway.tasks.publish import enqueue_planned

    org, announcement = plan(channel, count, fakes)
    before = counter()
    app.control.purge()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "worker",
            "--concurrency",
            "1",
            "--queues",
            QUEUE[channel],
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        while not app.control.ping(timeout=0.5):
            time.sleep(0.2)
        pending = Delivery.objects.filter(announcement=announcement, status__in=PENDING)
        start = time.perf_counter()
        enqueue_planned(announcement)
        while pending.exists():
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
    finally:
        worker.terminate()
        worker.wait(30)
    sent = counter() - before
    failed = Delivery.objects.filter(announcement=announcement, status="failed").count()
    if sent != count or failed:
        raise SystemExit(f"{channel}: the fake received {sent} for {count} ({failed} failed)")
    Delivery.objects.filter(announcement__organisation=org).delete()  # before the citizens
    org.delete()
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=10000)
    parser.add_argument("--broker", default=os.environ.get("CELERY_BROKER_URL", ""))
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    if not args.broker.startswith("redis://"):
        raise SystemExit("bench/messaging_dispatch.py: give --broker redis://…")
    twilio, twilio_url = dispatch.start_fake()
    whatsapp, whatsapp_url = start_whatsapp()
    smtp, smtp_port = start_smtp()
    fakes = {"sms": twilio_url, "whatsapp": whatsapp_url, "email": smtp_port}
    counters = {
        "sms": lambda: dispatch.fake_count(twilio_url),
        "whatsapp": lambda: whatsapp_count(whatsapp_url),
        "email": lambda: smtp_count(smtp),
    }
    try:
        import tempfile

        data = Path(tempfile.mkdtemp(prefix="crieur-bench-"))
        env = {
            **os.environ,
            "DATABASE_URL": args.database or f"sqlite:///{data / 'bench.sqlite3'}",
            "CELERY_BROKER_URL": args.broker,
            "CRIEUR_DATA_DIR": str(data),
            "CRIEUR_SECRETS_KEY": "7bO3W0QbQd1r6oWm5v0tQd9nTqL1mI2jQ0s5u1Xc3Zk=",  # bench only
            "CRIEUR_SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
            "CRIEUR_PUBLIC_URL": "https://crieur.bench.example",
            "DJANGO_SETTINGS_MODULE": "gateway.settings",
        }
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        load = os.getloadavg()[0]
        rates = {
            c: run(c, args.citizens, env, fakes, counters[c]) for c in ("sms", "whatsapp", "email")
        }
    finally:
        for fake in (twilio, whatsapp, smtp):
            fake.terminate()
    print(f"{args.citizens} citizens per channel, one worker process (concurrency 1)")
    print(
        f"load average before {load:.1f}, after {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)"
    )
    print(f"{'channel':>9} {'deliveries/s':>13} {'vs SMS':>7}")
    for channel, rate in rates.items():
        print(f"{channel:>9} {rate:>13.0f} {rate / rates['sms']:>6.2f}x")


if __name__ == "__main__":
    main()
