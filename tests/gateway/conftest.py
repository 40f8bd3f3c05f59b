"""Gateway fixtures: isolated outbox, Celery eager unless a test needs a real worker."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_gateway(request, tmp_path, settings):
    from gateway.celery import app
    from gateway.registry import channels

    settings.OUTBOX_DIR = tmp_path / "outbox"
    # The tests may use the data folder's development key, on any database (CLI commands run
    # in this process would otherwise refuse it on PostgreSQL).
    settings.SECRET_KEY_PROBLEM = ""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = request.node.get_closest_marker("worker") is None
    channels.cache_clear()
    _forget_shared_state(settings)
    yield
    channels.cache_clear()
    app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _every_cap_export_is_valid():
    """Every CAP alert Crieur emits in any test is checked against cap12.xsd as it is stored."""
    from django.db.models.signals import post_save

    from gateway.alerts.models import CapAlert

    def check(sender, instance, created, **kwargs):
        if created and instance.direction == "out":
            from tests.gateway.alerts.xsd import assert_valid

            assert_valid(instance.xml)

    post_save.connect(check, sender=CapAlert, dispatch_uid="cap-export-valid")
    yield
    post_save.disconnect(sender=CapAlert, dispatch_uid="cap-export-valid")


@pytest.fixture
def fresh_buckets(monkeypatch):
    """Empty in-process token buckets for this test, whatever backend the settings choose."""
    from gateway import ratelimit

    buckets = ratelimit.MemoryBackend()
    monkeypatch.setattr(ratelimit, "backend", lambda: buckets)


def _forget_shared_state(settings) -> None:
    """Redis and the cache outlive each test: start every test with full token buckets (one
    test's 24 sign-in guesses from 127.0.0.1 must not refuse the next one's) and no kept reach
    estimate (test databases give the next test's rows the same ids)."""
    from django.core.cache import cache

    for url, pattern in (
        (getattr(settings, "RATELIMIT_REDIS_URL", ""), "crieur:bucket:*"),
        (settings.CACHES["default"]["LOCATION"], "*crieur:*"),
    ):
        if url.startswith(("redis://", "rediss://")):
            import redis

            client = redis.Redis.from_url(url)
            keys = list(client.scan_iter(pattern, count=1000))
            if keys:
                client.delete(*keys)
    if "filebased" in settings.CACHES["default"]["BACKEND"]:
        cache.clear()
