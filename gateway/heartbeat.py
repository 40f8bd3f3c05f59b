"""Workers and beat say they are alive (a `Heartbeat` row refreshed by a thread), and log one
line when they start and one when they stop."""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger("crieur.process")

INTERVAL = 15.0  # seconds between beats; CRIEUR_WORKER_SEEN_SECONDS should be several of them
FORGET_AFTER = timedelta(days=1)


class Beating:
    """A daemon thread refreshing this process's row until `stop()`."""

    def __init__(self, role: str, queues: str = "") -> None:
        self.role, self.queues = role, queues
        self.name = f"{role}@{socket.gethostname()}:{os.getpid()}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"crieur-{role}-heartbeat")
        self._thread.daemon = True

    def start(self) -> Beating:
        logger.warning("%s started (queues: %s)", self.name, self.queues or "-")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            from gateway.models import Heartbeat

            Heartbeat.objects.filter(name=self.name).delete()
        except Exception:  # the database may be gone too; the row then just ages
            logger.warning("%s could not remove its heartbeat", self.name)
        finally:
            connection.close()
        logger.warning("%s stopped", self.name)

    def _run(self) -> None:
        from gateway.models import Heartbeat

        try:  # rows of processes killed long ago (a warm stop removes its own)
            Heartbeat.objects.filter(seen_at__lt=timezone.now() - FORGET_AFTER).delete()
        except Exception:
            pass
        while not self._stop.is_set():
            try:
                close_old_connections()
                Heartbeat.objects.update_or_create(
                    name=self.name,
                    defaults={"role": self.role, "queues": self.queues, "seen_at": timezone.now()},
                )
            except Exception as exc:  # a database restart: try again at the next beat
                logger.warning("%s heartbeat failed: %s", self.name, type(exc).__name__)
            self._stop.wait(INTERVAL)
        connection.close()


def workers_seen() -> int:
    """Workers whose heartbeat is more recent than CRIEUR_WORKER_SEEN_SECONDS."""
    from gateway.models import Heartbeat

    since = timezone.now() - timedelta(seconds=settings.WORKER_SEEN_SECONDS)
    return Heartbeat.objects.filter(role=Heartbeat.WORKER, seen_at__gte=since).count()
