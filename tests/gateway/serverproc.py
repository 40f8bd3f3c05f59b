"""A real `crieur serve` process for the tests, on the test database, bound to 127.0.0.1 on a
free port: for what only real parallel requests show (races between requests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

from tests.gateway.workerproc import ROOT, database_url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerProcess:
    """`crieur serve --no-worker` on the test database; its own broker and token buckets
    (a filesystem broker under `data_dir`), SMS to the outbox `outbox`."""

    def __init__(self, data_dir: Path, outbox: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "CRIEUR_"))}
        self.env = {
            **clean,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": "",  # the filesystem default: buckets in the process
            "CRIEUR_DATA_DIR": str(data_dir),
            "CRIEUR_OUTBOX_DIR": str(outbox),
            "CRIEUR_SECRET_KEY": settings.SECRET_KEY,
            "CRIEUR_PUBLIC_URL": self.url,
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> ServerProcess:
        argv = [sys.executable, "-m", "gateway.cli", "serve", "--no-worker"]
        self.process = subprocess.Popen(
            [*argv, "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"crieur serve ended: {self.stop()}")
            try:
                urllib.request.urlopen(self.url + "/api/openapi.json", timeout=2)
                return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError(f"crieur serve did not answer within {timeout} s: {self.stop()}")

    def stop(self) -> str:
        """Stop it; what it printed."""
        if self.process is None:
            return ""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            return self.process.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.communicate()[0]
