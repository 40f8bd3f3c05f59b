"""Web benchmark: the API under load against `crieur web` (gunicorn) and, in the same run, the
same load against `crieur serve` (Django's development server) as the baseline.

    .venv/bin/python bench/web.py --database postgres://postgres@127.0.0.1:5432/crieur_bench_web \
        [--citizens 100000] [--clients 20] [--seconds 30]

A town of `--citizens` is built once in that database (kept for the next run). One approved
announcement is previewed and its reach estimated; a published one (every delivery planned)
has its deliveries listed and its report read. `--clients` threads of this process send
requests for `--seconds` per server, each looping over the four endpoints with keep-alive
connections; requests/s and p50/p95/p99 per endpoint are printed side by side, then where the
time of one request of each endpoint goes (SQL against the rest, in this process).
Goals: p95 <= 100 ms for preview and reach; `crieur web` >= 5x the development server.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_P95_MS = 100.0
GOAL_RATIO = 5.0
SLUG = "saint-crieur"
WARM_UP = 5.0  # seconds of load before the counting starts


def prepare(citizens: int) -> tuple[str, dict[str, str]]:
    """The town (built once), an API key, and the path of each endpoint."""
    from django.core.management import call_command
    from django.db import transaction

    from gateway.demo import build_town
    from gateway.models import (
        Announcement,
        ApiKey,
        Citizen,
        Delivery,
        Membership,
        Organisation,
        Role,
        Status,
    )
    from gateway.publishing import create_announcement
    from gateway.routing.planning import plan_deliveries
    from tests.factories import ANNOUNCEMENT

    call_command("migrate", verbosity=0)
    org = Organisation.objects.filter(slug=SLUG).first()
    if org is None or Citizen.objects.filter(organisation=org).count() != citizens:
        if org is not None:
            org.delete()
        started = time.perf_counter()
        org = build_town(citizens)
        print(f"built a town of {citizens:,} citizens in {time.perf_counter() - started:.0f} s")
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench")
    Membership.objects.get_or_create(user=user, organisation=org, defaults={"role": Role.ADMIN})
    key = ApiKey.issue(org, user, "bench")[1]
    draft = Announcement.objects.filter(organisation=org, texts__title="bench draft").first()
    if draft is None:
        draft = create_announcement(org, {**ANNOUNCEMENT, "title": "bench draft"}, author=user)
        Announcement.objects.filter(pk=draft.pk).update(status=Status.APPROVED)
    sent = Announcement.objects.filter(organisation=org, texts__title="bench published").first()
    if sent is None:
        data = {**ANNOUNCEMENT, "title": "bench published", "urgency": "urgent"}
        sent = create_announcement(org, data, author=user)
        with transaction.atomic():
            Announcement.objects.filter(pk=sent.pk).update(status=Status.SENDING)
            plan_deliveries(sent)
    planned = Delivery.objects.filter(announcement=sent).count()
    print(f"the published announcement has {planned:,} deliveries")
    base = "/api/announcements"
    return key, {
        "preview": f"{base}/{draft.pk}/preview",
        "reach": f"{base}/{draft.pk}/reach",
        "deliveries": f"{base}/{sent.pk}/deliveries?limit=50",
        "report": f"{base}/{sent.pk}/report",
    }


def free_port() -> int:
    """A port for the development server, which cannot say which one it got for port 0."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(server: str, env: dict[str, str], web: list[str]) -> tuple[subprocess.Popen, str]:
    if server == "crieur web":
        argv = ["web", "--host", "127.0.0.1", "--port", "0", *web]
    else:
        port = free_port()
        argv = ["serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", *argv],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout
    for line in process.stdout:
        if match := re.search(r"Listening at: (http://\S+)", line):
            url = match.group(1)
            break
        if "Quit the server" in line:
            url = f"http://127.0.0.1:{port}"
            break
    else:
        raise SystemExit(f"{server} did not start")
    threading.Thread(target=lambda: process.stdout.read(), daemon=True).start()  # drain
    return process, url


def load(url: str, key: str, paths: dict[str, str], clients: int, seconds: float):
    """Every client sends for `seconds`; a first round of `WARM_UP` seconds is not counted
    (each server process loads catalogs, fonts and connections on its first requests)."""
    import httpx

    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    names = list(paths)
    counting = threading.Event()

    def client(n: int, deadline: float) -> None:
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=url, headers=headers, timeout=120) as http:
            i = n
            while time.monotonic() < deadline:
                name = names[i % len(names)]
                i += 1
                started = time.perf_counter()
                status = http.get(paths[name]).status_code
                elapsed = time.perf_counter() - started
                if not counting.is_set():
                    continue
                with lock:
                    if status == 200:
                        timings[name].append(elapsed)
                    else:
                        errors[name] += 1

    started = time.monotonic()
    deadline = started + WARM_UP + seconds
    threads = [threading.Thread(target=client, args=(n, deadline)) for n in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(WARM_UP)
    counting.set()
    counted_from = time.monotonic()
    for thread in threads:
        thread.join()
    return timings, errors, time.monotonic() - counted_from


def quantile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def first_reach(key: str, path: str) -> None:
    """The first estimate routes the whole town; it is then kept (in the cache every server
    process shares) until the announcement or the audience changes: timed apart."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    started = time.perf_counter()
    assert client.get(path).status_code == 200
    first = time.perf_counter() - started
    started = time.perf_counter()
    assert client.get(path).status_code == 200
    kept = time.perf_counter() - started
    print(f"reach: first estimate {first * 1000:,.0f} ms, then kept: {kept * 1000:,.1f} ms")


def where_the_time_goes(key: str, paths: dict[str, str]) -> None:
    """One request of each endpoint in this process: time in SQL against the rest."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    print("\nWhere the time of one request goes (in this process, median of 5):")
    print(f"{'endpoint':>11} {'total ms':>9} {'SQL ms':>7} {'queries':>8} {'rest ms':>8}")
    for name, path in paths.items():
        runs = []
        for _ in range(5):
            spent = [0.0, 0]

            def timed(execute, sql, params, many, context, spent=spent):
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    spent[0] += time.perf_counter() - started
                    spent[1] += 1

            with connection.execute_wrapper(timed):
                started = time.perf_counter()
                assert client.get(path).status_code == 200
                total = time.perf_counter() - started
            runs.append((total, spent[0], spent[1]))
        total, sql, queries = sorted(runs)[2]
        rest = total - sql
        ms = [value * 1000 for value in (total, sql, rest)]
        print(f"{name:>11} {ms[0]:>9.1f} {ms[1]:>7.1f} {queries:>8} {ms[2]:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--endpoints",
        nargs="+",
        choices=("preview", "reach", "deliveries", "report"),
        help="a subset of the endpoints (default: all four)",
    )
    parser.add_argument("--workers", type=int, help="crieur web --workers (CRIEUR_WEB_WORKERS)")
    parser.add_argument("--threads", type=int, help="crieur web --threads (CRIEUR_WEB_THREADS)")
    args = parser.parse_args()
    web = [*(["--workers", str(args.workers)] if args.workers else [])]
    web += ["--threads", str(args.threads)] if args.threads else []
    if not args.database.startswith("postgres"):
        raise SystemExit("bench/web.py: give --database postgres://… (PostgreSQL is measured)")
    data = Path(tempfile.mkdtemp(prefix="crieur-bench-web-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CRIEUR_", "TWILIO_"))},
        "DATABASE_URL": args.database,
        "CELERY_BROKER_URL": "",  # nobody consumes: nothing is sent during the bench
        "CRIEUR_DATA_DIR": str(data),
        "CRIEUR_SECRET_KEY": secrets.token_urlsafe(50),
        "CRIEUR_LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "gateway.settings",
    }
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings

    key, paths = prepare(args.citizens)
    first_reach(key, paths["reach"])
    if args.endpoints:
        paths = {name: path for name, path in paths.items() if name in args.endpoints}
    load_before = os.getloadavg()[0]
    results = {}
    for server in ("crieur web", "crieur serve"):
        process, url = start(server, env, web)
        try:
            results[server] = load(url, key, paths, args.clients, args.seconds)
        finally:
            process.terminate()
            process.wait(timeout=60)
    print(
        f"\n{args.citizens:,} citizens on PostgreSQL, {args.clients} clients, {args.seconds:.0f} s "
        f"per server; crieur web: {args.workers or settings.WEB_WORKERS} processes x "
        f"{args.threads or settings.WEB_THREADS} threads; {os.cpu_count()} cores, load average "
        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    columns = ("req/s", "p50 ms", "p95 ms", "p99 ms", "errors")
    print(f"{'endpoint':>11} {'server':>13} " + " ".join(f"{c:>8}" for c in columns))
    totals = {}
    for server, (timings, errors, elapsed) in results.items():
        totals[server] = sum(len(v) for v in timings.values()) / elapsed
        for name in paths:
            values = timings[name]
            p50, p95, p99 = (quantile(values, q) * 1000 for q in (50, 95, 99))
            print(
                f"{name:>11} {server:>13} {len(values) / elapsed:>8.1f} {p50:>8.0f} {p95:>8.0f} "
                f"{p99:>8.0f} {errors[name]:>8}"
            )
    ratio = totals["crieur web"] / totals["crieur serve"]
    print(
        f"\nthroughput: crieur web {totals['crieur web']:.1f} req/s, crieur serve "
        f"{totals['crieur serve']:.1f} req/s: {ratio:.2f}x (goal >= {GOAL_RATIO:.0f}x)"
    )
    web = results["crieur web"][0]
    for name in ("preview", "reach"):
        if name not in web:
            continue
        p95 = quantile(web[name], 95) * 1000
        verdict = "PASS" if p95 <= GOAL_P95_MS else "FAIL"
        print(f"p95 of {name} on crieur web: {p95:.0f} ms (goal <= {GOAL_P95_MS:.0f}): {verdict}")
    where_the_time_goes(key, paths)


if __name__ == "__main__":
    main()
