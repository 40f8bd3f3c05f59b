"""The offline espeak-ng preview: a WAV when the binary is there, a typed error when not."""

from __future__ import annotations

import shutil
import wave

import pytest

from renderers.errors import RenderError
from renderers.voice import AudioUnavailableError, audio_preview
from renderers.voice import audio as audio_module

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"
)


def seconds(path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


@needs_espeak
@pytest.mark.parametrize(
    "locale, script",
    [
        ("fr", "L’eau sera coupée mardi 24 novembre de 8 heures à 12 heures."),
        ("en", "Water will be cut on Tuesday the twenty-fourth of November."),
        ("es", "El agua será cortada el martes."),
    ],
)
def test_a_wav_is_written(tmp_path, locale, script):
    out = audio_preview(script, locale, tmp_path / "preview.wav")
    assert out == tmp_path / "preview.wav"
    assert 1.5 < seconds(out) < 15


@needs_espeak
def test_a_longer_script_gives_a_longer_preview(tmp_path):
    short = audio_preview("Coupure d’eau.", "fr", tmp_path / "short.wav")
    long = audio_preview("Coupure d’eau. " * 5, "fr", tmp_path / "long.wav")
    assert seconds(long) > 3 * seconds(short)


@needs_espeak
def test_a_script_starting_with_a_dash_is_spoken_not_taken_as_an_option(tmp_path):
    out = audio_preview("-h tirets et options", "fr", tmp_path / "dash.wav")
    assert seconds(out) > 0.5


@needs_espeak
def test_a_language_espeak_cannot_speak_is_a_typed_error(tmp_path):
    with pytest.raises(AudioUnavailableError) as error:
        audio_preview("Demat", "br", tmp_path / "br.wav")
    assert error.value.reason == "failed"
    assert not (tmp_path / "br.wav").exists()


def test_without_espeak_the_preview_says_why(tmp_path, monkeypatch):
    monkeypatch.setattr(audio_module.shutil, "which", lambda name: None)
    with pytest.raises(AudioUnavailableError) as error:
        audio_preview("Bonjour.", "fr", tmp_path / "x.wav")
    assert error.value.reason == "missing"
    assert str(error.value) == "aperçu audio indisponible : espeak-ng n’est pas installé"
    assert not (tmp_path / "x.wav").exists()


def test_an_empty_script_is_refused(tmp_path):
    with pytest.raises(RenderError):
        audio_preview("  ", "fr", tmp_path / "x.wav")


def test_a_stuck_espeak_is_a_typed_error(tmp_path, monkeypatch):
    import subprocess

    def stuck(*args, **kwargs):
        raise subprocess.TimeoutExpired(cmd="espeak-ng", timeout=kwargs["timeout"])

    monkeypatch.setattr(audio_module.shutil, "which", lambda name: "/usr/bin/espeak-ng")
    monkeypatch.setattr(audio_module.subprocess, "run", stuck)
    with pytest.raises(AudioUnavailableError) as error:
        audio_preview("Bonjour.", "fr", tmp_path / "x.wav")
    assert error.value.reason == "timeout"
