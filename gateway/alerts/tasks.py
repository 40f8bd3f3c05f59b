"""Periodic CAP work (beat, `periodic` queue): poll every enabled CAP feed."""

from __future__ import annotations

from gateway.celery import app


@app.task(name="crieur.poll_cap_feeds")
def poll_cap_feeds() -> dict[str, int]:
    """Import the new alerts of every feed (safe to overlap: each alert is imported once)."""
    from gateway.alerts.feeds import poll_all

    return poll_all()
