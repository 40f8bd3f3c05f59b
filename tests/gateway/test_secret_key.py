"""Issue 14 item 1, the server's part: no server runs on a known or shared secret key.

Any server with a real database, broker or provider, or in production, refuses to start without
its own CRIEUR_SECRET_KEY (one line, exit 2, no traceback), CRIEUR_DEBUG=1 included; the
development key is generated per data folder, readable by its owner only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import signing

from gateway import conf
from tests.gateway.workerproc import ROOT

SERVERS = [
    ["web"],
    ["worker"],
    ["beat"],
    ["serve", "--no-worker"],
    ["manage", "runserver"],
    ["manage", "migrate"],
]
NEEDS_OWN_KEY = {
    "production": {"CRIEUR_ENV": "production"},
    "production with debug": {"CRIEUR_ENV": "production", "CRIEUR_DEBUG": "1"},
    "postgresql": {"DATABASE_URL": "postgres://crieur@127.0.0.1:1/crieur"},
    "redis": {"CELERY_BROKER_URL": "redis://127.0.0.1:1/0"},
    "twilio": {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t"},
}


def run(argv: list[str], tmp_path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(conf.FAMILIES)}
    base.pop("DATABASE_URL", None)
    base.pop("CELERY_BROKER_URL", None)
    return subprocess.run(
        argv,
        cwd=ROOT,
        env={**base, "CRIEUR_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("command", SERVERS, ids=" ".join)
@pytest.mark.parametrize("case", ["production with debug", "postgresql"])
def test_every_server_refuses_to_start_without_its_own_key(command, case, tmp_path):
    result = run([sys.executable, "-m", "gateway.cli", *command], tmp_path, **NEEDS_OWN_KEY[case])
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "CRIEUR_SECRET_KEY is not set" in lines[0], result.stderr
    assert not (tmp_path / conf.DEV_KEY_FILE).exists()  # never fell back to a development key


@pytest.mark.parametrize("case", NEEDS_OWN_KEY)
def test_loading_the_wsgi_application_refuses_too(case, tmp_path):
    result = run([sys.executable, "-c", "import gateway.wsgi"], tmp_path, **NEEDS_OWN_KEY[case])
    assert result.returncode == 2
    assert result.stderr.startswith("crieur: error: CRIEUR_SECRET_KEY is not set: ")
    assert "Traceback" not in result.stderr


def test_gunicorn_loading_the_module_directly_stops_with_one_line(tmp_path):
    gunicorn = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "gateway.wsgi"]
    result = run(gunicorn, tmp_path, CRIEUR_ENV="production")
    assert result.returncode != 0
    assert "CRIEUR_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_malformed_variable_is_named_in_one_line(tmp_path):
    result = run([sys.executable, "-m", "gateway.cli", "web"], tmp_path, CRIEUR_BATCH_SIZE="lots")
    assert result.returncode == 2
    assert result.stderr == "crieur: error: CRIEUR_BATCH_SIZE: 'lots' is not a whole number\n"


def test_the_development_key_is_per_data_folder_private_and_stable(tmp_path):
    first = conf.development_key(tmp_path / "a")
    assert conf.development_key(tmp_path / "a") == first
    assert conf.development_key(tmp_path / "b") != first
    assert len(first) >= 50
    mode = stat.S_IMODE(os.stat(tmp_path / "a" / conf.DEV_KEY_FILE).st_mode)
    assert mode == 0o600
    source = (ROOT / "gateway" / "settings.py").read_text() + (ROOT / "gateway/conf.py").read_text()
    assert "dev-only-insecure-key" not in source


def test_the_old_constant_key_opens_nothing():
    assert settings.SECRET_KEY != "dev-only-insecure-key"
    forged = signing.dumps("REF-1", key="dev-only-insecure-key", salt="crieur.preferences")
    with pytest.raises(signing.BadSignature):
        signing.loads(forged, salt="crieur.preferences")


def test_an_own_key_lets_the_servers_start_their_checks(tmp_path):
    key = "k" * 20 + "ey-of-this-instance-only-0123456789"
    result = run(
        [sys.executable, "-m", "gateway.cli", "manage", "check"],
        tmp_path,
        CRIEUR_ENV="production",
        CRIEUR_DEBUG="1",
        CRIEUR_SECRET_KEY=key,
    )
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / conf.DEV_KEY_FILE).exists()
