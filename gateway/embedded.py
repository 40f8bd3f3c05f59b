"""The newcomer default's worker: a real Celery worker in a thread of this process.

It consumes the embedded filesystem broker (or any broker), so `crieur demo` and `crieur serve`
need no server, and runs the periodic tasks too (Celery beat in another thread), while
`crieur worker` runs the same tasks on as many machines as needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from gateway.celery import QUEUES, app


@contextmanager
def embedded_worker(concurrency: int = 2) -> Iterator[None]:
    from celery.beat import EmbeddedService
    from celery.contrib.testing.worker import start_worker

    beat = EmbeddedService(app, thread=True)  # the periodic tasks (gateway/tasks/periodic.py)
    with start_worker(
        app,
        pool="threads",
        concurrency=concurrency,
        perform_ping_check=False,
        loglevel="WARNING",
        queues=list(QUEUES),
        shutdown_timeout=30.0,
    ):
        beat.start()
        try:
            yield
        finally:
            beat.stop()
