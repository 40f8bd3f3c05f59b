"""`crieur sms inspect` prints what will be sent, without Django."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from gateway.cli import main


def run_json(capsys, *args: str) -> dict:
    assert main(["sms", "inspect", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_report_of_a_french_text(capsys):
    text = "Coupure d’eau à 8\u00a0h rue de l’Église, prévoyez des réserves d’eau potable."
    report = run_json(capsys, "--price", "0.0725", text)
    assert report["encoding"] == "GSM-7" and report["segments"] == 1
    assert report["text"].startswith("Coupure d'eau à 8 h rue de l'Église")
    assert report["cost"] == "0.0725" and report["policy"] == "full"
    assert report["parts"] == [report["text"]]


def test_raw_counts_the_text_as_given(capsys):
    report = run_json(capsys, "--raw", "--signature", "Mairie", "Coupure d’eau")
    assert report["text"] == "Coupure d’eau"
    assert (report["encoding"], report["policy"]) == ("UCS-2", "off")


@pytest.mark.parametrize(("policy", "encoding"), [("punctuation", "UCS-2"), ("full", "GSM-7")])
def test_policy_option(capsys, policy, encoding):
    text = "Fête de l’été au théâtre samedi soir, entrée libre pour les enfants et leurs parents."
    assert run_json(capsys, "--policy", policy, text)["encoding"] == encoding


def test_human_output(capsys):
    assert main(["sms", "inspect", "--price", "0.05", "a" * 161]) == 0
    out = capsys.readouterr().out
    assert "GSM-7" in out and "segments:   2" in out and "0.10 EUR" in out
    assert "--- part 2/2 ---" in out


def test_bad_price_is_one_line_and_exit_2(capsys):
    assert main(["sms", "inspect", "--price", "abc", "x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--price" in err


def test_runs_without_django():
    code = (
        "import sys; from gateway.cli import main; rc = main(['sms','inspect','--json','ok']);"
        "assert 'django' not in sys.modules, 'django was imported'; sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["segments"] == 1
