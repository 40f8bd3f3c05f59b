"""The processes: `crieur web` (gunicorn), `crieur worker`, `crieur beat`, `crieur serve` (the
newcomer's all-in-one) and `crieur manage`.

Production runs one `crieur beat` for the whole deployment and as many `crieur web` and
`crieur worker` as needed: the periodic tasks are safe to repeat, but a beat in every worker
would queue each of them once per worker and period, and move the daily purge with every
restart. `crieur worker --beat` embeds the scheduler for a one-machine deployment.
"""

from __future__ import annotations

import argparse
import os
import signal

from gateway.cli import CLIError, setup_django

# Gunicorn's access log: no referrer nor user agent (a referrer is a whole URL); the request
# line goes through the redaction like every other record (gateway/logging.py).
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms'


def register(subparsers) -> None:
    web = subparsers.add_parser("web", help="run the production web server (gunicorn)")
    web.add_argument("--host", default="127.0.0.1", help="address to listen on")
    web.add_argument("--port", type=int, default=8000)
    web.add_argument("--workers", type=int, help="processes (default: CRIEUR_WEB_WORKERS)")
    web.add_argument("--threads", type=int, help="threads each (default: CRIEUR_WEB_THREADS)")
    web.set_defaults(handler=web_cmd)

    serve = subparsers.add_parser("serve", help="run the web server with an embedded worker")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--no-worker", action="store_true", help="do not start the worker")
    serve.set_defaults(handler=serve_cmd)

    worker = subparsers.add_parser("worker", help="run a Celery worker (production scale-out)")
    worker.add_argument(
        "--queues", default="all", help="comma-separated queues, or all (the default)"
    )
    worker.add_argument("--concurrency", type=int, default=None)
    worker.add_argument("--loglevel", default="INFO")
    worker.add_argument(
        "--beat",
        action="store_true",
        help="also run the periodic tasks here (one machine, no `crieur beat`)",
    )
    # The default before `crieur beat` existed; still accepted so older scripts keep working.
    worker.add_argument("--no-beat", action="store_true", help=argparse.SUPPRESS)
    worker.set_defaults(handler=worker_cmd)

    beat = subparsers.add_parser("beat", help="run the periodic tasks' scheduler (one per site)")
    beat.add_argument("--loglevel", default="INFO")
    beat.set_defaults(handler=beat_cmd)

    manage = subparsers.add_parser("manage", help="run a Django management command")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=manage_cmd)


def _static_collected() -> None:
    """Production serves hashed static names from the manifest that collectstatic writes."""
    from django.conf import settings

    if settings.PRODUCTION and not (settings.STATIC_ROOT / "staticfiles.json").exists():
        raise CLIError(
            f"static files are not collected in {settings.STATIC_ROOT}: run "
            "`crieur manage collectstatic --noinput` first (see 'Running in production')"
        )


def web_cmd(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings
    from gunicorn.app.base import BaseApplication

    _static_collected()
    workers = args.workers or settings.WEB_WORKERS
    threads = args.threads or settings.WEB_THREADS
    if workers < 1 or threads < 1:
        raise CLIError("--workers and --threads must be at least 1")
    options = {
        "bind": f"{args.host}:{args.port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": settings.WEB_TIMEOUT,
        "preload_app": True,  # Django loads once, before the fork
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "loglevel": "info",
        # Only Django decides whether a request came over HTTPS (CRIEUR_PROXY_SSL_HEADER):
        # gunicorn would otherwise trust X-Forwarded-Proto from a local client.
        "secure_scheme_headers": {},
        "forwarded_allow_ips": "",
        "proc_name": "crieur-web",
        # gunicorn >= 25 opens a control socket in $HOME: one per host, shared by every
        # `crieur web` there; nothing in Crieur uses it.
        "control_socket_disable": True,
    }

    class Web(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:  # a setting older gunicorns do not have is left
                    self.cfg.set(key, value)

        def load(self):
            from gateway.wsgi import application

            return application

    Web().run()
    return 0


def serve_cmd(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    from gateway.embedded import embedded_worker
    from gateway.heartbeat import Beating
    from gateway.models import Heartbeat

    _static_collected()
    call_command("migrate", verbosity=0)
    address = f"{args.host}:{args.port}"
    if args.no_worker:
        call_command("runserver", address, use_reloader=False, insecure_serving=True)
        return 0
    with embedded_worker():
        beating = Beating(Heartbeat.WORKER, "embedded").start()
        try:
            call_command("runserver", address, use_reloader=False, insecure_serving=True)
        finally:
            beating.stop()
    return 0


def worker_cmd(args: argparse.Namespace) -> int:
    setup_django()
    from celery.signals import worker_ready, worker_shutdown

    from gateway.celery import QUEUES, app
    from gateway.heartbeat import Beating
    from gateway.models import Heartbeat
    from gateway.registry import channels

    queues = list(QUEUES) if args.queues == "all" else args.queues.split(",")
    if unknown := [q for q in queues if q not in QUEUES]:
        raise CLIError(f"--queues: unknown {','.join(unknown)} (queues: {','.join(QUEUES)})")
    channels()  # a bad credential fails now, not at the first send
    beating = Beating(Heartbeat.WORKER, ",".join(queues))
    worker_ready.connect(lambda **_: beating.start(), weak=False)
    worker_shutdown.connect(lambda **_: beating.stop(), weak=False)
    argv = ["worker", f"--loglevel={args.loglevel}", "-Q", ",".join(queues)]
    argv.append(f"--hostname=crieur-{os.getpid()}@%h")  # unique per process on one host
    if args.concurrency:
        argv.append(f"--concurrency={args.concurrency}")
    if args.beat:
        argv.append("--beat")
    app.worker_main(argv)
    return 0


def beat_cmd(args: argparse.Namespace) -> int:
    setup_django()
    from gateway.celery import app
    from gateway.heartbeat import Beating
    from gateway.models import Heartbeat

    # Stopped before Celery installs its own handler, it still removes its heartbeat.
    signal.signal(signal.SIGTERM, _exit)
    beating = Beating(Heartbeat.BEAT).start()
    try:
        app.Beat(loglevel=args.loglevel.upper(), quiet=True).run()
    finally:
        beating.stop()
    return 0


def _exit(signum, frame) -> None:
    raise SystemExit(0)


def manage_cmd(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["crieur manage", *args.args])
    return 0
