"""Which worker and beat processes are alive: each one refreshes its row every few seconds.

`/readyz` counts the workers seen recently; a worker killed with SIGKILL simply stops being
seen. A row names a process (host and pid), never anything about citizens.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone as tz


class Heartbeat(models.Model):
    WORKER, BEAT = "worker", "beat"

    name = models.CharField(max_length=200, unique=True)  # "worker@host:pid", "beat@host:pid"
    role = models.CharField(max_length=10, choices=[(WORKER, WORKER), (BEAT, BEAT)])
    queues = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(default=tz.now)
    seen_at = models.DateTimeField(default=tz.now, db_index=True)

    def __str__(self) -> str:
        return self.name
