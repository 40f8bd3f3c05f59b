"""Real `crieur worker` processes for the tests: on the test database and broker, aimed at a
fake Twilio; started in their own process group so a test can `kill -9` the whole worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SENDER = "+33700000001"


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def on_server_stack() -> bool:
    """PostgreSQL and Redis (CI), rather than the newcomer default (SQLite, filesystem broker)."""
    return connection.vendor == "postgresql" and settings.CELERY_BROKER_URL.startswith("redis")


class WorkerProcess:
    def __init__(self, fake, outbox: Path, concurrency: int = 2, **env: str) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CRIEUR_DATA_DIR": str(settings.DATA_DIR),
            "CRIEUR_OUTBOX_DIR": str(outbox),
            "TWILIO_ACCOUNT_SID": fake.account_sid,
            "TWILIO_AUTH_TOKEN": fake.auth_token,
            "TWILIO_FROM_NUMBER": SENDER,
            "TWILIO_BASE_URL": fake.base_url,
            "CRIEUR_SECRET_KEY": settings.SECRET_KEY,  # a real provider needs an own key
            **env,
        }
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None
        self.output = ""

    def start(self) -> WorkerProcess:
        argv = [sys.executable, "-m", "gateway.cli", "worker", "--loglevel", "WARNING", "--beat"]
        self.process = subprocess.Popen(
            [*argv, "--concurrency", str(self.concurrency)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: the pool children die with it
        )
        return self

    def kill(self) -> None:
        """`kill -9` the worker and its pool: no shutdown, no acknowledgement, nothing saved."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.output += self.process.communicate()[0]

    def stop(self) -> str:
        """Stop it warmly; the output it printed."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.output += self.process.communicate(timeout=30)[0]
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.output += self.process.communicate()[0]
        return self.output
