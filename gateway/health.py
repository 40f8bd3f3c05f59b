"""`GET /healthz` (the process answers) and `GET /readyz` (it can do its work: database,
broker, migrations applied, a worker seen recently). JSON, no authentication, nothing
sensitive: each check says `ok` or a short reason, never a host name, a URL or an error text.

They are answered by a middleware placed first, so a probe that uses the container's address
as Host, or plain HTTP behind the HTTPS redirect, still gets its answer.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)

OK = "ok"
_migrated = False  # once every migration is applied, they stay applied for this process


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return OK
    except Exception as exc:
        logger.warning("readyz: database unreachable (%s)", type(exc).__name__)
        return "unreachable"


def check_migrations() -> str:
    global _migrated
    if _migrated:
        return OK
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        logger.warning("readyz: migrations unknown (%s)", type(exc).__name__)
        return "unknown"
    if plan:
        return f"{len(plan)} not applied"
    _migrated = True
    return OK


def check_broker(timeout: float = 2.0) -> str:
    from gateway.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
        return OK
    except Exception as exc:
        logger.warning("readyz: broker unreachable (%s)", type(exc).__name__)
        return "unreachable"


def check_workers() -> str:
    from gateway.heartbeat import workers_seen

    try:
        seen = workers_seen()
    except Exception:
        return "unknown"
    if not seen:
        return f"none seen in {settings.WORKER_SEEN_SECONDS} s"
    return OK


def healthz() -> JsonResponse:
    return JsonResponse({"status": OK})


def readyz() -> JsonResponse:
    checks = {"database": check_database()}
    if checks["database"] == OK:
        checks["migrations"] = check_migrations()
        checks["workers"] = check_workers()
    checks["broker"] = check_broker()
    ready = all(value == OK for value in checks.values())
    return JsonResponse(
        {"status": OK if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


PROBES = {"/healthz": healthz, "/readyz": readyz}


class HealthMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        response = probe()
        response["Cache-Control"] = "no-store"
        return response
