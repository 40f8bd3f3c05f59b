"""`crieur moderate` and `crieur ask` as a user runs them: real processes, no database (the
environment points the database at a folder that does not exist), one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BENCH = ROOT / "bench" / "ask" / "announcements"


def crieur(*args):
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
        check=False,
    )


def test_moderate_prints_the_verdict_and_reason():
    result = crieur("moderate", "Espèce de c0nnnnard, rappelle au 06 12 34 56 78")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "to_review (insult: connard (fr))\n"
    assert crieur("moderate", "Merci !").stdout == "ok\n"


def test_moderate_json_with_one_locale():
    result = crieur("moderate", "--json", "--locale", "en", "click here to win bitcoin")
    data = json.loads(result.stdout)
    assert data["verdict"] == "spam" and data["reason"] == "spam: click here (en)"
    assert crieur("moderate", "--json", "--locale", "fr", "click here").stdout.startswith(
        '{"verdict": "ok"'
    )


def test_moderate_refuses_an_unknown_list_in_one_line():
    result = crieur("moderate", "--locale", "xx", "bonjour")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "no word list for locale 'xx'" in result.stderr


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    target = tmp_path_factory.mktemp("announcements")
    for name in ("coupure-eau", "piscine", "elections", "don-sang"):
        shutil.copy(BENCH / f"{name}.yaml", target)
    return target


def test_ask_prints_the_file_the_margin_and_the_reply(folder):
    result = crieur("ask", "--announcements", folder, "Quand revient l'eau rue des Lilas ?")
    assert result.returncode == 0, result.stderr
    first, *reply = result.stdout.splitlines()
    assert first.startswith("coupure-eau (margin 0.") and first.endswith("locale fr)")
    assert reply[-1] == "https://saint-crieur.example/v/K7QM-2XPA"


def test_ask_json_in_the_locale_asked(folder):
    result = crieur(
        "ask",
        "--json",
        "--locale",
        "es",
        "--announcements",
        folder,
        "Is the swimming pool open in July?",
    )
    data = json.loads(result.stdout)
    assert data["answer"] == "piscine" and data["locale"] == "es"
    assert data["reply"].startswith("La piscina municipal Jean-Bouin cierra")
    assert data["margin"] > 0 and data["runner_up"]["key"] != "piscine"


def test_ask_says_none_when_not_confident(folder):
    result = crieur("ask", "--announcements", folder, "Comment refaire mon passeport ?")
    assert result.returncode == 0
    assert result.stdout.startswith("none (margin 0.")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--announcements", "/nonexistent", "q"], "/nonexistent: no such folder"),
        (["--announcements", ROOT / "locales", "q"], "no announcement file"),
        (["--announcements", BENCH, ""], "QUESTION is empty"),
    ],
)
def test_ask_errors_are_one_line(args, message):
    result = crieur("ask", *args)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr
