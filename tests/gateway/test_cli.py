"""The `crieur` CLI as a user runs it: real processes, real files, one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "coupure-eau.yaml"


def crieur(*args, cwd=ROOT, env=None):
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )


def test_render_sms_prints_the_text_to_send():
    result = crieur("render", "--channel", "sms", EXAMPLE)
    assert result.returncode == 0, result.stderr
    assert "Coupure d'eau mardi 24 novembre" in result.stdout
    assert "STOP" in result.stdout


def test_render_voice_prints_twiml_in_the_requested_locale():
    result = crieur("render", "--channel", "voice", "--locale", "en", EXAMPLE)
    assert result.returncode == 0, result.stderr
    says = etree.fromstring(result.stdout.encode()).findall(".//Say")
    assert says and {s.get("language") for s in says} == {"en-GB"}


def test_render_mastodon_prints_the_post():
    result = crieur("render", "--channel", "mastodon", EXAMPLE)
    assert result.returncode == 0, result.stderr
    assert "#Travaux" in result.stdout


def test_render_notice_writes_a_pdf(tmp_path):
    out = tmp_path / "notice.pdf"
    result = crieur("render", "--channel", "notice", "-o", out, EXAMPLE)
    assert result.returncode == 0, result.stderr
    text = " ".join(PdfReader(out).pages[0].extract_text().split())  # titles wrap
    assert "Coupure d’eau rue des Lilas mardi" in text and "Mairie de Saint-Crieur" in text


@pytest.mark.parametrize(
    ("args", "content", "expected"),
    [
        (["render", "--channel", "sms", "missing.yaml"], None, "no such file"),
        (["render", "--channel", "sms", "{file}"], "title: [unclosed", "invalid YAML at line 1"),
        (["render", "--channel", "fax", "{file}"], "title: x", "invalid choice: 'fax'"),
        (
            ["render", "--channel", "sms", "{file}"],
            "organisation: M\nsummary: s\nbody: b",
            "missing field 'title'",
        ),
        (
            ["render", "--channel", "sms", "--locale", "de", str(EXAMPLE)],
            None,
            "no translation for locale 'de'",
        ),
        (["render", "--channel", "notice", str(EXAMPLE)], None, "give an output file"),
        (["demo", "--citizens", "0"], None, "--citizens must be between"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, content, expected):
    path = tmp_path / "a.yaml"
    if content is not None:
        path.write_text(content)
    result = crieur(*[a.replace("{file}", str(path)) for a in args], cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr


def test_demo_builds_a_town_and_delivers_everywhere(tmp_path):
    out = tmp_path / "demo"
    result = crieur("demo", "--citizens", "60", "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Deliveries of announcement 1 (sent)" in result.stdout
    for family in ("sms", "voice", "social", "print"):
        assert any((out / "outbox" / family).rglob("*.*")), family
    letters = list((out / "outbox" / "print").rglob("*.pdf"))
    assert letters and PdfReader(letters[0]).pages
    assert (out / "notice-fr.pdf").exists() and (out / "notice-en.pdf").exists()
    assert "+336" not in result.stdout and "+336" not in result.stderr


def test_demo_again_keeps_work_done_since_unless_reset(tmp_path):
    import sqlite3

    out = tmp_path / "demo"
    assert crieur("demo", "--citizens", "5", "--out", out, cwd=tmp_path).returncode == 0
    again = crieur("demo", "--citizens", "5", "--out", out, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert f"Deleting the previous demo in {out} (2 users, 1 announcements)" in again.stdout
    with sqlite3.connect(out / "crieur.sqlite3") as db:  # an agent made an account since
        db.execute(
            "INSERT INTO auth_user (username, password, is_superuser, first_name, last_name, "
            "email, is_staff, is_active, date_joined) "
            "VALUES ('marie', '', 0, '', '', '', 0, 1, '2026-12-01')"
        )
    kept = crieur("demo", "--citizens", "5", "--out", out, cwd=tmp_path)
    assert kept.returncode == 2
    assert "holds 3 console users and 1 announcements" in kept.stderr
    assert "--reset" in kept.stderr and "Traceback" not in kept.stderr
    with sqlite3.connect(out / "crieur.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM auth_user").fetchone()[0] == 3
    reset = crieur("demo", "--citizens", "5", "--out", out, "--reset", cwd=tmp_path)
    assert reset.returncode == 0, reset.stderr
