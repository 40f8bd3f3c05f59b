"""The one list of environment variables (gateway/conf.py) and `crieur config check`."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

import pytest

from gateway import conf
from gateway.cli.config import markdown_table
from tests.gateway.workerproc import ROOT

SETTINGS = ROOT / "gateway" / "settings.py"


def names_read(path) -> set[str]:
    """Every environment variable name `path` reads, however it reads it."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            if func in ("read", "os.environ.get", "os.getenv", "env", "matching") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant):
                    names.add(first.value)
                elif isinstance(first, ast.JoinedStr):  # f"CRIEUR_MAX_AGE_{…}"
                    names.add(ast.unparse(first))
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            names.add(ast.unparse(node.slice))
    return names


def test_every_variable_settings_read_is_in_the_one_list():
    read = names_read(SETTINGS)
    assert "CRIEUR_SECRET_KEY" in read and "DATABASE_URL" in read
    for name in read:
        if name.startswith("f'"):  # an f-string: each of its values is declared
            for urgency in ("URGENT", "IMPORTANT", "INFO"):
                conf.variable(name[2:].split("{")[0] + urgency)
        elif name.endswith("_"):
            conf.variable(name + "X")
        else:
            conf.variable(name)  # KeyError: declare it in gateway/conf.py VARIABLES


def test_settings_read_the_environment_only_through_the_list():
    source = SETTINGS.read_text()
    assert "os.environ" not in source and "getenv" not in source


def test_the_readme_table_is_the_list():
    readme = (ROOT / "README.md").read_text()
    assert markdown_table() in readme, "README is stale: paste `crieur config docs` into it"


def test_every_variable_is_documented_with_a_default_and_says_if_it_is_secret():
    assert len({v.name for v in conf.VARIABLES}) == len(conf.VARIABLES)
    for var in conf.VARIABLES:
        assert var.description and var.documented_default(), var.name
        assert var.group in conf.GROUPS, var.name
    secrets = {v.name for v in conf.VARIABLES if v.secret}
    assert {"CRIEUR_SECRET_KEY", "TWILIO_AUTH_TOKEN", "DATABASE_URL"} <= secrets


def config_check(tmp_path, *options: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(conf.FAMILIES)}
    for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
        base.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", "config", "check", *options],
        cwd=ROOT,
        env={**base, "CRIEUR_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_config_check_prints_the_configuration_with_secrets_masked(tmp_path):
    key = "s3cr3t-" * 8
    result = config_check(
        tmp_path,
        CRIEUR_SECRET_KEY=key,
        TWILIO_AUTH_TOKEN="tok-123456",
        CRIEUR_BATCH_SIZE="50",
        CELERY_BROKER_URL="redis://:hunter2pass@127.0.0.1:1/0",
        CRIEUR_RATE_TWILIO_SMS="20",
    )
    out = result.stdout
    assert key not in out and "tok-123456" not in out and "hunter2pass" not in out
    assert "CRIEUR_SECRET_KEY" in out and conf.MASK in out
    assert "redis://:" + conf.MASK + "@127.0.0.1:1/0" in out
    assert "CRIEUR_BATCH_SIZE" in out and "50  [environment]" in out
    assert re.search(r"CRIEUR_RATE_TWILIO_SMS +20  \[environment\]", out)
    assert "problem: broker: unreachable" in out
    assert result.returncode == 1


def test_config_check_passes_on_the_embedded_default(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "gateway.cli", "manage", "migrate", "-v0"],
        cwd=ROOT, env={**os.environ, "CRIEUR_DATA_DIR": str(tmp_path), "DATABASE_URL": "",
                       "CELERY_BROKER_URL": ""}, check=True, timeout=120,
    )  # fmt: skip
    result = config_check(tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout.rstrip().endswith("configuration ok")


@pytest.mark.parametrize(
    "env, problem",
    [
        ({"CRIEUR_SECERT_KEY": "x"}, "unknown variable CRIEUR_SECERT_KEY: did you mean "
         "CRIEUR_SECRET_KEY?"),
        ({"CRIEUR_PRODUCTION": "1"}, "CRIEUR_PRODUCTION is no longer read: set "
         "CRIEUR_ENV=production"),
        ({"CRIEUR_ENV": "production"}, "CRIEUR_SECRET_KEY is not set: CRIEUR_ENV=production "
         "needs its own secret key"),
        ({"CRIEUR_ENV": "prod"}, "CRIEUR_ENV: 'prod' is not one of development, production"),
        ({"CRIEUR_SECRET_KEY": "short"}, "CRIEUR_SECRET_KEY: too short"),
        ({"CRIEUR_SEND_THREADS": "eight"}, "CRIEUR_SEND_THREADS: 'eight' is not a whole number"),
        ({"CRIEUR_SECRET_KEY": "an-own-key-" * 6, "DATABASE_URL": "postgres://u:pw@127.0.0.1:1/x"},
         "database: unreachable"),
    ],
)  # fmt: skip
def test_config_check_names_each_problem_and_exits_1(tmp_path, env, problem):
    result = config_check(tmp_path, **env)
    assert result.returncode == 1, result.stdout
    assert f"problem: {problem}" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
