"""Suppression list benchmark: what consulting it costs the planner.

    .venv/bin/python bench/suppression.py [--citizens 20000] [--opted-out 0.03]

Builds the town of `bench/plan.py` on SQLite (in a temporary folder), then plans the same
`important` announcement twice in the same run: once with an empty suppression list (the
baseline: the planner skips the hashing), once with `--opted-out` of the phones on the list
(each citizen's phone is hashed, HMAC-SHA256, and looked up). Prints both times, their ratio,
and that the suppressed phones get no SMS.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=20_000)
    parser.add_argument("--opted-out", type=float, default=0.03)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="crieur-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["CRIEUR_DATA_DIR"] = folder
    os.environ["DJANGO_SETTINGS_MODULE"] = "gateway.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from bench.plan import NOW, announcement, build
    from gateway.audience.suppression import SuppressedPhones, suppress
    from gateway.models import Citizen, Delivery, Suppression
    from gateway.routing.planning import plan_deliveries

    call_command("migrate", verbosity=0)
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"load average {load} (other processes on the machine slow the wall time)")
    org = build(args.citizens)

    def timed_plan() -> tuple[float, float, int]:
        ann = announcement(org, "important")
        started, cpu = time.perf_counter(), time.process_time()
        plan_deliveries(ann, now=NOW)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        return elapsed, cpu, Delivery.objects.filter(announcement=ann, channel="sms").count()

    phones = sorted(
        set(
            Citizen.objects.filter(organisation=org)
            .exclude(phone="")
            .values_list("phone", flat=True)
        )
    )
    chosen = random.Random(14).sample(phones, int(len(phones) * args.opted_out))
    timed_plan()  # warm the caches (Python, SQLite pages) before either measure
    runs: dict[str, list[tuple[float, float, int]]] = {"empty": [], "list": []}
    for _ in range(args.rounds):  # alternated, the best of each: the machine is shared
        Suppression.objects.all().delete()
        runs["empty"].append(timed_plan())
        for phone in chosen:
            suppress(org, phone, "sms", source="sms")
        runs["list"].append(timed_plan())
    listed = SuppressedPhones(org.pk)
    started = time.perf_counter()
    hits = sum(bool(listed.channels(phone)) for phone in phones)
    per_phone = (time.perf_counter() - started) / len(phones) * 1e6
    last = Delivery.objects.filter(channel="sms").latest("pk").announcement
    leaked = Delivery.objects.filter(announcement=last, channel="sms", citizen__phone__in=chosen)
    base, used = min(runs["empty"]), min(runs["list"])
    print(f"{args.citizens:,} citizens, {len(phones):,} phones, {len(chosen):,} on the list")
    print("                               wall      CPU   SMS planned")
    print(f"plan, empty list (baseline)  {base[0]:6.2f} s {base[1]:6.2f} s   {base[2]:,}")
    print(f"plan, list consulted         {used[0]:6.2f} s {used[1]:6.2f} s   {used[2]:,}")
    print(f"ratio (list / baseline)      {used[0] / base[0]:6.2f}   {used[1] / base[1]:6.2f}")
    print(f"one lookup: {per_phone:.1f} µs per phone ({hits:,} found)")
    print(f"suppressed phones texted: {leaked.count()}")
    return 0 if not leaked.exists() else 1


if __name__ == "__main__":
    sys.exit(main())
