"""`crieur render --channel card|card-square|video` as a user runs it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gateway.cli import main
from tests.renderers.visual.images import open_image
from tests.renderers.visual.mp4 import read_mp4

ROOT = Path(__file__).resolve().parents[3]
ANNOUNCEMENT = ROOT / "examples" / "coupure-eau.yaml"


@pytest.mark.parametrize(("form", "size"), [("card", (1080, 1350)), ("card-square", (1080, 1080))])
def test_render_a_card(tmp_path, capsys, form, size):
    out = tmp_path / "card.jpg"
    assert main(["render", "--channel", form, "-o", str(out), str(ANNOUNCEMENT)]) == 0
    assert open_image(out.read_bytes()).size == size
    printed = capsys.readouterr().out
    assert f"wrote {out} ({size[0]}×{size[1]}" in printed and "text layout:" in printed
    assert "alt: Mairie de Saint-Crieur — Important." in printed


def test_a_card_needs_an_output_file(capsys):
    assert main(["render", "--channel", "card", str(ANNOUNCEMENT)]) == 2
    error = capsys.readouterr().err
    assert error == "crieur: error: card is a file: give one with -o FILE.jpg\n"


def test_a_locale_without_translation_is_one_line(tmp_path, capsys):
    out = tmp_path / "card.jpg"
    code = main(
        ["render", "--channel", "card", "--locale", "ar", "-o", str(out), str(ANNOUNCEMENT)]
    )
    assert code == 2 and "no translation for locale 'ar'" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_render_a_video_with_its_captions_and_transcript(tmp_path, capsys):
    out = tmp_path / "clip.mp4"
    code = main(
        ["render", "--channel", "video", "--locale", "en", "-o", str(out), str(ANNOUNCEMENT)]
    )
    assert code == 0
    movie = read_mp4(out.read_bytes())
    assert 15 <= movie.duration <= 60
    assert (tmp_path / "clip.vtt").read_text(encoding="utf-8").startswith("WEBVTT")
    assert "Water cut on Rue des Lilas" in (tmp_path / "clip.txt").read_text(encoding="utf-8")
    assert f"wrote {out} (1080×1920" in capsys.readouterr().out


def test_a_video_without_espeak_is_one_line_of_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    out = tmp_path / "clip.mp4"
    assert main(["render", "--channel", "video", "-o", str(out), str(ANNOUNCEMENT)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("crieur: error: video: espeak-ng is not installed")
    assert error.count("\n") == 1 and not out.exists()
