"""Dispatch benchmark: deliveries per second through Celery + Redis to the fake Twilio, per
worker process, batch size 1 against the engine's batch size in the same run.

    .venv/bin/python bench/dispatch.py --broker redis://127.0.0.1:6379/7 \
        [--database postgres://postgres@127.0.0.1:5432/crieur_bench] [--deliveries 3000] \
        [--batch 200 500]

Each run plans `--deliveries` SMS deliveries, starts one `crieur worker --concurrency 1`
(one pool process) on the `sms` queue, queues the batches and times until the last delivery
is recorded, for batch size 1 and each `--batch`. The real Twilio SDK sends over HTTP to
`python -m tests.fakes.twilio` in its own process. The provider rate limit is lifted
(CRIEUR_RATE_TWILIO_SMS=0): this measures the engine, not Twilio's 100 requests/s.
Goal: >= 1,000 sends/s per worker process at the engine's batch size.

The default batch size is run twice: through the instance's Twilio account (environment) and
through the organisation's own account (a `ProviderAccount`, secrets sealed, built by the
per-organisation registry), so the ratio shows what accounts as data cost the engine.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL = 1000
ACCOUNT = "AC" + "0" * 31 + "1"
TOKEN = "bench-token"


def start_fake() -> tuple[subprocess.Popen, str]:
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.twilio", "--port", "0", "--auth-token", TOKEN],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = fake.stdout.readline().split()  # "ready http://127.0.0.1:PORT"
    return fake, line[1]


def fake_count(base_url: str) -> int:
    with urllib.request.urlopen(f"{base_url}/_fake/count_by_to") as reply:
        return sum(json.load(reply).values())


def reset_fake(base_url: str) -> None:
    request = urllib.request.Request(f"{base_url}/_fake/reset", data=b"{}", method="POST")
    urllib.request.urlopen(request).close()


def plan(count: int, base_url: str = ""):
    """`count` planned SMS; with `base_url`, the organisation sends through its own account."""
    from django.db import transaction

    from gateway.accounts.services import add_account
    from gateway.models import Status
    from gateway.renditions import archive
    from gateway.routing.planning import plan_deliveries
    from tests.factories import create_announcement, create_citizens, create_organisation

    org = create_organisation(slug=f"bench-{uuid.uuid4().hex[:12]}")
    if base_url:
        settings = {"account_sid": ACCOUNT, "auth_token": TOKEN, "base_url": base_url}
        add_account(org, "twilio", {**settings, "from_number": "+33700000002"}, limits={"rate": 0})
    create_citizens(org, count)
    announcement = create_announcement(org, urgency="urgent")
    with transaction.atomic():
        plan_deliveries(announcement, ())
        archive(announcement, [("sms", "fr")])
        announcement.status = Status.SENDING
        announcement.save(update_fields=["status"])
    return org, announcement


def run(count: int, batch: int, env: dict[str, str], base_url: str, own: bool = False) -> float:
    """Sends per second for `count` deliveries in batches of `batch`, one worker process;
    `own`: through the organisation's own account rather than the environment's."""
    from django.conf import settings

    from gateway.celery import app
    from gateway.models import Delivery
    from gateway.models.delivery import PENDING
    from gateway.tasks.publish import enqueue_planned

    org, announcement = plan(count, base_url if own else "")
    reset_fake(base_url)
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
            "sms",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env={**env, "CRIEUR_BATCH_SIZE": str(batch)},
    )
    try:
        while not app.control.ping(timeout=0.5):
            time.sleep(0.2)
        settings.DELIVERY_BATCH_SIZE = batch
        pending = Delivery.objects.filter(announcement=announcement, status__in=PENDING)
        start = time.perf_counter()
        enqueue_planned(announcement)
        while pending.exists():
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
    finally:
        worker.terminate()
        worker.wait(30)
    sent = fake_count(base_url)
    if sent != count:
        raise SystemExit(f"the fake received {sent} messages for {count} deliveries")
    org.delete()
    return count / elapsed


def client_rates(base_url: str, count: int, threads: int) -> dict[str, float]:
    """Messages created per second through the SDK, from `threads` threads, in this process:
    the SDK's own `requests` client against the lean urllib3 one the channels use."""
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import urlsplit, urlunsplit

    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    from channels.twilio.http import LeanHttpClient

    class StockClient(TwilioHttpClient):  # the SDK's client, only aimed at the fake
        def request(self, method, url, *args, **kwargs):
            parts, base = urlsplit(url), urlsplit(base_url)
            url = urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))
            return super().request(method, url, *args, **kwargs)

    rates = {}
    for name, http in (
        ("SDK (requests)", StockClient(timeout=10)),
        ("lean (urllib3)", LeanHttpClient(timeout=10, base_url=base_url)),
    ):
        client = Client(ACCOUNT, TOKEN, http_client=http, environment={"CRIEUR": "bench"})

        def send(n: int, client: Client = client) -> None:
            client.messages.create(to=f"+3369{n:07d}", from_="+33700000001", body="Bonjour")

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(send, range(threads * 4)))  # warm the connections
            start = time.perf_counter()
            list(pool.map(send, range(count)))
            rates[name] = count / (time.perf_counter() - start)
    return rates


def measure(args: argparse.Namespace, base_url: str):
    data = Path(tempfile.mkdtemp(prefix="crieur-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database or f"sqlite:///{data / 'bench.sqlite3'}",
        "CELERY_BROKER_URL": args.broker,
        "CRIEUR_DATA_DIR": str(data),
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_FROM_NUMBER": "+33700000001",
        "TWILIO_BASE_URL": base_url,
        "CRIEUR_RATE_TWILIO_SMS": "0",
        "CRIEUR_SECRETS_KEY": "7bO3W0QbQd1r6oWm5v0tQd9nTqL1mI2jQ0s5u1Xc3Zk=",  # bench only
        "CRIEUR_SECRET_KEY": secrets.token_urlsafe(50),  # a real broker needs an own key
        "DJANGO_SETTINGS_MODULE": "gateway.settings",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    default = settings.DELIVERY_BATCH_SIZE
    batches = args.batch or [default]
    load = os.getloadavg()
    # Batch size 1 is slow (a few commits per delivery): fewer deliveries for it.
    sizes = [(1, min(args.deliveries, 500))] + [(b, args.deliveries) for b in batches]
    rows = [(size, count, run(count, size, env, base_url)) for size, count in sizes]
    own = run(args.deliveries, batches[0], env, base_url, own=True)
    clients = client_rates(base_url, args.deliveries, settings.DELIVERY_SEND_THREADS)
    return rows, own, clients, load, batches, default, settings.DELIVERY_SEND_THREADS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument(
        "--batch", type=int, nargs="+", default=[], help="batch sizes (default: CRIEUR_BATCH_SIZE)"
    )
    parser.add_argument("--broker", default=os.environ.get("CELERY_BROKER_URL", ""))
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    if not args.broker.startswith("redis://"):
        raise SystemExit("bench/dispatch.py: give --broker redis://… (Celery + Redis is measured)")
    fake, base_url = start_fake()
    try:  # the fake stops whatever fails (a missing database…)
        rows, own, clients, load, batches, default, threads = measure(args, base_url)
    finally:
        fake.terminate()
    baseline = rows[0][2]
    rates = {size: rate for size, _, rate in rows}
    print("SMS deliveries, one worker process, fake Twilio in its own process")
    after = os.getloadavg()[0]
    print(f"load average before {load[0]:.1f}, after {after:.1f} ({os.cpu_count()} cores)")
    print(f"{'batch size':>10} {'deliveries':>10} {'sends/s':>9} {'vs batch 1':>11}")
    for size, count, rate in rows:
        print(f"{size:>10} {count:>10} {rate:>9.0f} {rate / baseline:>10.1f}x")
    env_rate = rows[1][2]
    print(
        f"own account, batch {batches[0]}: {own:.0f} sends/s, "
        f"{own / env_rate:.2f}x the environment's account in the same run"
    )
    print(f"\nHTTP client under the SDK, {threads} threads, no Celery:")
    sdk = clients["SDK (requests)"]
    for name, rate in clients.items():
        print(f"{name:>16} {rate:>7.0f} requests/s {rate / sdk:>5.2f}x")
    rate = rates.get(default, rows[-1][2])  # the engine's default batch size if measured
    print(f"goal >= {GOAL} sends/s per worker process: {'PASS' if rate >= GOAL else 'FAIL'}")


if __name__ == "__main__":
    main()
