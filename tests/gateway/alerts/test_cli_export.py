"""`crieur cap export ID` (the stored alert, or a preview before publication) and
`crieur cap export --file ANNOUNCEMENT_FILE` (no database at all): valid CAP 1.2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.models import CapAlert
from tests.factories import create_announcement, create_organisation
from tests.gateway.alerts.xsd import assert_valid, text, texts

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "coupure-eau.yaml"


def test_export_of_an_announcement_file_needs_no_database(tmp_path):
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    result = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "cap", "export", "--file", str(EXAMPLE)],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    doc = assert_valid(result.stdout)
    assert texts(doc, "cap:info/cap:language") == ["fr", "en"]
    assert text(doc, "cap:info/cap:web") == "https://saint-crieur.example/v/K7QM-2XPA"
    assert text(doc, "cap:sent") == "2026-11-21T09:00:00+01:00"


def test_export_of_a_bad_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("organisation: x\ntitle: t\n")
    assert main(["cap", "export", "--file", str(bad)]) == 2
    assert capsys.readouterr().err == f"crieur: error: {bad}: missing field 'summary'\n"
    assert main(["cap", "export", "--file", str(tmp_path / "none.yaml")]) == 2


@pytest.mark.django_db
def test_export_by_id_prints_the_stored_alert_or_a_preview(capsys):
    org = create_organisation()
    announcement = create_announcement(org, urgency="urgent")
    assert main(["cap", "export", str(announcement.pk)]) == 0
    captured = capsys.readouterr()
    assert "not published: a preview, not stored" in captured.err
    assert_valid(captured.out.encode())
    assert not CapAlert.objects.exists()
    from gateway import publishing

    publishing.publish(announcement)
    assert main(["cap", "export", str(announcement.pk)]) == 0
    out = capsys.readouterr().out
    assert out == CapAlert.objects.get(announcement=announcement).xml
    assert text(assert_valid(out.encode()), "cap:msgType") == "Alert"
