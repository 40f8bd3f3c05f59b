"""The processes of the production end-to-end tests: a web server, a `crieur worker`, the CLI,
all on the test database and broker, sharing one environment (secrets key, public URL).

The web server is `crieur web` (gunicorn), as in production.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

from cryptography.fernet import Fernet
from django.conf import settings

from tests.gateway.workerproc import ROOT, WorkerProcess, database_url


def web_command(port: int) -> list[str]:
    return [sys.executable, "-m", "gateway.cli", "web", "--host", "127.0.0.1", "--port", str(port)]


def free_port() -> int:
    """A port the system has just given out (bound on 127.0.0.1 port 0, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(outbox: Path, public_url: str) -> dict[str, str]:
    """What every process of the deployment reads: the test database and broker, one secrets
    key (accounts are sealed by one process and opened by another), an own secret key."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CRIEUR_DATA_DIR": str(settings.DATA_DIR),
        "CRIEUR_OUTBOX_DIR": str(outbox),
        "CRIEUR_PUBLIC_URL": public_url,
        "CRIEUR_SECRET_KEY": Fernet.generate_key().decode(),
        "CRIEUR_SECRETS_KEY": Fernet.generate_key().decode(),
        # No instance-wide provider: every organisation speaks through its own accounts.
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_AUTH_TOKEN": "",
        "MASTODON_API_BASE_URL": "",
        "CRIEUR_PERIODIC_SECONDS": "2",
    }


class WebServer:
    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.port = env, port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None
        self.output = ""

    def start(self, timeout: float = 90.0) -> WebServer:
        self.process = subprocess.Popen(
            web_command(self.port),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"web server exited: {self.stop()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/openapi.json", timeout=2):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise RuntimeError(f"web server not ready after {timeout} s: {self.stop()}")

    def stop(self) -> str:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.output += self.process.communicate(timeout=20)[0]
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.output += self.process.communicate()[0]
        elif self.process is not None and self.process.stdout:
            self.output += self.process.stdout.read()
        return self.output


def worker(env: dict[str, str], outbox: Path) -> WorkerProcess:
    """A `crieur worker` with this deployment's environment (no instance-wide Twilio)."""
    nothing = SimpleNamespace(account_sid="", auth_token="", base_url="")
    process = WorkerProcess(nothing, outbox)
    process.env = {**process.env, **env, "TWILIO_FROM_NUMBER": ""}
    return process


def crieur(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """The CLI as an administrator runs it on the deployment."""
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
