"""Issue 16 item 3: `/healthz` and `/readyz` (JSON, no authentication, nothing sensitive), and
workers that say when they start, beat while alive, and stop."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gateway.models import Heartbeat
from tests.gateway.webproc import Process

pytestmark = pytest.mark.django_db


def beat(seconds_ago: float = 0, role: str = Heartbeat.WORKER) -> None:
    seen = timezone.now() - timedelta(seconds=seconds_ago)
    Heartbeat.objects.create(name=f"{role}@host:{time.time_ns()}", role=role, seen_at=seen)


def wait_for_heartbeat(role: str, process: Process, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not Heartbeat.objects.filter(role=role).exists():
        assert time.monotonic() < deadline, process.output
        time.sleep(0.2)


def test_healthz_answers_any_host_over_plain_http(settings):
    settings.ALLOWED_HOSTS = ["crieur.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    response = Client(HTTP_HOST="10.0.0.7:8000").get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_needs_a_worker_seen_recently(settings):
    settings.WORKER_SEEN_SECONDS = 90
    beat(seconds_ago=300)  # killed long ago: it stopped beating
    beat(seconds_ago=120, role=Heartbeat.BEAT)  # beat is not a worker
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "workers": "none seen in 90 s",
            "broker": "ok",
        },
    }
    beat(seconds_ago=10)
    ready = Client().get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ok"


def test_readyz_says_nothing_sensitive_when_the_broker_is_down(monkeypatch):
    from gateway.celery import app

    beat()
    down = "redis://:s3cret@127.0.0.1:1/0"
    monkeypatch.setenv("CELERY_BROKER_URL", down)  # Celery reads it before its own setting
    monkeypatch.setitem(app.conf, "broker_url", down)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "unreachable"
    text = response.content.decode()
    assert "s3cret" not in text and "127.0.0.1" not in text and "Error" not in text


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_logs_its_start_and_stop_and_beats_in_between(tmp_path):
    worker = Process("worker", "--queues", "sms,voice", "--concurrency", "1").start()
    try:
        worker.wait_for(re.compile(r"worker@\S+ started \(queues: sms,voice\)"))
        wait_for_heartbeat(Heartbeat.WORKER, worker)
        ready = Client().get("/readyz")
        assert json.loads(ready.content)["checks"]["workers"] == "ok"
    finally:
        output = worker.stop()
    assert re.search(r"worker@\S+ stopped", output), output
    assert not Heartbeat.objects.exists()  # a warm stop removes its row
    assert "Traceback" not in output


@pytest.mark.django_db(transaction=True)
def test_beat_beats_too_and_the_queues_are_checked(tmp_path):
    scheduler = Process("beat", "--loglevel", "WARNING").start()
    try:
        scheduler.wait_for(re.compile(r"beat@\S+ started"))
        wait_for_heartbeat(Heartbeat.BEAT, scheduler)
    finally:
        output = scheduler.stop()
    assert re.search(r"beat@\S+ stopped", output), output
    bad = Process("worker", "--queues", "sms,fax").start()
    bad.process.wait(timeout=60)
    assert bad.process.returncode == 2
    assert bad.stop().strip().endswith("--queues: unknown fax (queues: publish,sms,voice,"
                                       "social,print,retry,callbacks,periodic,messaging,"
                                       "email)")  # fmt: skip
