"""Real `crieur web` (gunicorn) and `crieur beat` processes for the tests, on the test database
and broker, each on an ephemeral port of 127.0.0.1; their output is kept for the test to read."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings

from tests.gateway.workerproc import ROOT, database_url

LISTENING = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")


def server_env(**env: str) -> dict[str, str]:
    """The test's database, broker and data folder, with the test process's secret key."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CRIEUR_DATA_DIR": str(settings.DATA_DIR),
        "CRIEUR_SECRET_KEY": settings.SECRET_KEY,
        **env,
    }


class Process:
    """A `crieur …` command in its own process group, its output read by a thread."""

    def __init__(self, *argv: str, **env: str) -> None:
        self.argv = [sys.executable, "-m", "gateway.cli", *argv]
        self.env = server_env(**env)
        self.process: subprocess.Popen | None = None
        self.lines: list[str] = []
        self._reader: threading.Thread | None = None

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def start(self) -> Process:
        self.process = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self.process and self.process.stdout
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_for(self, pattern: re.Pattern, timeout: float = 60.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if match := pattern.search(self.output):
                return match
            if self.process and self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{pattern.pattern!r} not seen; output:\n{self.output}")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> str:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self._reader:
            self._reader.join(timeout=5)
        return self.output


class WebProcess(Process):
    """`crieur web` on an ephemeral port; `url` once it listens."""

    def __init__(self, *options: str, **env: str) -> None:
        super().__init__("web", "--host", "127.0.0.1", "--port", "0", *options, **env)
        self.url = ""

    def start(self) -> WebProcess:
        super().start()
        self.url = self.wait_for(LISTENING).group(1)
        return self


def collect_static(root, **env: str) -> None:
    """`crieur manage collectstatic` into `root` under production settings."""
    result = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "manage", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=server_env(**{"CRIEUR_ENV": "production", **env, "CRIEUR_STATIC_ROOT": str(root)}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
