"""Compose preview benchmark: agents typing in the console, against `crieur web` (gunicorn,
production settings, PostgreSQL), this tree against a baseline tree in the same run.

    .venv/bin/python bench/compose_preview.py \
        [--database postgres://postgres@127.0.0.1:5432/crieur_cona] \
        [--clients 20] [--seconds 15] [--baseline main]

Each of `--clients` threads is an agent typing: it posts the compose form to
`/console/preview/` (the htmx request the page sends once the agent pauses 300 ms), one more
character each time, then types on for `--pause` seconds (0: back to back, a saturating load
no agent makes), for `--seconds` after a warm-up. The baseline is the same load on the
code of `--baseline` (a git ref, extracted with `git archive`). Printed: requests/s, p50/p95/p99
of the text forms, the bytes each answer ships, and the page images loaded by URL.
Goal: p95 <= 100 ms for the text forms at 20 agents.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.web import WARM_UP, quantile  # noqa: E402

GOAL_P95_MS = 100.0
BODY = (
    "L’eau sera coupée mardi de 8 h à 12 h rue des Lilas pour des travaux sur le réseau.\n\n"
    "Pensez à faire des réserves. Contact : services techniques, 01 23 45 67 89."
)


def prepare() -> tuple[str, str]:
    """An organisation with a few subscribers and an agent; (session cookie, csrf secret)."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.middleware.csrf import _get_new_csrf_string

    from gateway.demo import build_town
    from gateway.models import Membership, Organisation, Role

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.filter(slug="saint-crieur").first() or build_town(200)
    user, _ = get_user_model().objects.get_or_create(username="bench-agent")
    Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": Role.AUTHOR}
    )
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key, _get_new_csrf_string()


def start(cwd: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "web", "--host", "127.0.0.1", "--port", "0"],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(cwd)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout
    for line in process.stdout:
        if match := re.search(r"Listening at: (http://\S+)", line):
            threading.Thread(target=process.stdout.read, daemon=True).start()  # drain
            return process, match.group(1)
    raise SystemExit(f"crieur web did not start in {cwd}")


def load(url: str, cookie: str, csrf: str, clients: int, seconds: float, pause: float):
    import httpx

    timings: list[float] = []
    sizes: list[int] = []
    pages: list[float] = []
    errors: dict[int, int] = defaultdict(int)
    lock = threading.Lock()
    counting = threading.Event()
    headers = {
        "Cookie": f"sessionid={cookie}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "HX-Request": "true",
    }

    def agent(n: int, deadline: float) -> None:
        summary = f"Coupure d’eau mardi de 8 h à 12 h rue des Lilas (agent {n}) "
        with httpx.Client(base_url=url, headers=headers, timeout=120) as http:
            typed = 0
            while time.monotonic() < deadline:
                typed += 1
                data = {
                    "locale": "fr",
                    "title": f"Coupure d’eau rue des Lilas {n}",
                    "summary": summary + "x" * (typed % 40),
                    "body": BODY,
                    "urgency": "info",
                    "preview_locale": "fr",
                }
                started = time.perf_counter()
                response = http.post("/console/preview/", data=data)
                elapsed = time.perf_counter() - started
                images = re.findall(r'src="(/console/preview/page/[^"]+)"', response.text)
                if counting.is_set() and typed % 10 == 0 and images:
                    began = time.perf_counter()  # a browser loads the page images lazily
                    http.get(images[0].replace("&amp;", "&"))
                    with lock:
                        pages.append(time.perf_counter() - began)
                if counting.is_set():
                    with lock:
                        if response.status_code == 200:
                            timings.append(elapsed)
                            sizes.append(len(response.content))
                        else:
                            errors[response.status_code] += 1
                time.sleep(pause)

    deadline = time.monotonic() + WARM_UP + seconds
    threads = [threading.Thread(target=agent, args=(n, deadline)) for n in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(WARM_UP)
    counting.set()
    counted_from = time.monotonic()
    for thread in threads:
        thread.join()
    return timings, sizes, pages, dict(errors), time.monotonic() - counted_from


def baseline_tree(ref: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="crieur-bench-preview-base-"))
    archive = subprocess.run(
        ["git", "archive", ref], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    subprocess.run(  # the compiled catalogs are not in git
        [
            Path(sys.executable).with_name("pybabel"),
            "-q",
            "compile",
            "-D",
            "crieur",
            "-d",
            str(folder / "locales"),
        ],
        check=True,
    )
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/crieur_cona")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between previews")
    parser.add_argument("--baseline", default="main", help="git ref of the baseline code")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="crieur-bench-preview-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CRIEUR_", "TWILIO_"))},
        "DATABASE_URL": args.database,
        "CELERY_BROKER_URL": "",
        "CRIEUR_DATA_DIR": str(data),
        "CRIEUR_SECRET_KEY": secrets.token_urlsafe(50),
        "CRIEUR_LOG_LEVEL": "ERROR",
        "CRIEUR_SSL_REDIRECT": "0",  # plain HTTP on the loopback
        "DJANGO_SETTINGS_MODULE": "gateway.settings",
    }
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    cookie, csrf = prepare()
    trees = {"this tree": ROOT, f"baseline {args.baseline}": baseline_tree(args.baseline)}
    results = {}
    for name, tree in trees.items():
        process, url = start(tree, env)
        try:
            results[name] = load(url, cookie, csrf, args.clients, args.seconds, args.pause)
        finally:
            process.terminate()
            process.wait(timeout=60)
    print(
        f"\n{args.clients} agents typing (a preview, then {args.pause:g} s of typing), "
        f"{args.seconds:.0f} s per tree, crieur web on PostgreSQL;"
        f" {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    columns = ("req/s", "p50 ms", "p95 ms", "p99 ms", "KB/answer", "errors")
    print(f"{'tree':>16} " + " ".join(f"{c:>9}" for c in columns))
    for name, (timings, sizes, _pages, errors, elapsed) in results.items():
        p50, p95, p99 = (quantile(timings, q) * 1000 for q in (50, 95, 99))
        size = sum(sizes) / len(sizes) / 1024 if sizes else float("nan")
        print(
            f"{name:>16} {len(timings) / elapsed:>9.1f} {p50:>9.0f} {p95:>9.0f} {p99:>9.0f} "
            f"{size:>9.1f} {sum(errors.values()):>9}"
        )
    pages = results["this tree"][2]
    if pages:
        print(
            f"page images by URL (this tree, 1 in 10 keystrokes): p50 "
            f"{quantile(pages, 50) * 1000:.0f} ms, p95 {quantile(pages, 95) * 1000:.0f} ms"
        )
    p95 = quantile(results["this tree"][0], 95) * 1000
    verdict = "PASS" if p95 <= GOAL_P95_MS else "FAIL"
    print(f"p95 of the text forms: {p95:.0f} ms (goal <= {GOAL_P95_MS:.0f} ms): {verdict}")


if __name__ == "__main__":
    main()
