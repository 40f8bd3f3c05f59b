"""`crieur serve` (web and an embedded worker), `crieur worker`, `crieur manage`."""

from __future__ import annotations

import argparse

from gateway.cli import setup_django


def register(subparsers) -> None:
    serve = subparsers.add_parser("serve", help="run the web server with an embedded worker")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--no-worker", action="store_true", help="do not start the worker")
    serve.set_defaults(handler=serve_cmd)

    worker = subparsers.add_parser("worker", help="run a Celery worker (production scale-out)")
    worker.add_argument("--queues", default=None, help="comma-separated queues (default: all)")
    worker.add_argument("--concurrency", type=int, default=None)
    worker.add_argument("--loglevel", default="INFO")
    worker.add_argument(
        "--no-beat",
        action="store_true",
        help="do not run the periodic tasks here (another worker runs them)",
    )
    worker.set_defaults(handler=worker_cmd)

    manage = subparsers.add_parser("manage", help="run a Django management command")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=manage_cmd)


def serve_cmd(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    from gateway.embedded import embedded_worker

    call_command("migrate", verbosity=0)
    address = f"{args.host}:{args.port}"
    if args.no_worker:
        call_command("runserver", address, use_reloader=False, insecure_serving=True)
        return 0
    with embedded_worker():
        call_command("runserver", address, use_reloader=False, insecure_serving=True)
    return 0


def worker_cmd(args: argparse.Namespace) -> int:
    setup_django()
    from gateway.celery import QUEUES, app
    from gateway.registry import channels

    channels()  # a bad credential fails now, not at the first send
    argv = ["worker", f"--loglevel={args.loglevel}", "-Q", args.queues or ",".join(QUEUES)]
    if args.concurrency:
        argv.append(f"--concurrency={args.concurrency}")
    if not args.no_beat:
        argv.append("--beat")  # the periodic tasks are idempotent: a second beat only wastes
    app.worker_main(argv)
    return 0


def manage_cmd(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["crieur manage", *args.args])
    return 0
