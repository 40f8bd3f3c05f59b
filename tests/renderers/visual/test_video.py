"""The short video probed without trusting its own meta: boxes of the MP4, the decoded
soundtrack against the captions, frames pulled out of the file, in every shipped locale."""

from __future__ import annotations

import math
import re
import shutil
import struct
import subprocess
import wave
from pathlib import Path

import pytest

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import shipped_locales
from renderers.visual.captions import webvtt
from renderers.visual.encoder import ffmpeg_path
from renderers.visual.speech import Spoken, speak_captions
from renderers.visual.textlayout import Typesetter
from renderers.visual.video import VIDEO, Frames, render_video, timed_cues
from renderers.voice.audio import AudioUnavailableError
from tests.renderers.print.factories import create_message
from tests.renderers.test_locales import message_in
from tests.renderers.visual.images import ink, open_image, overlap
from tests.renderers.visual.mp4 import decoded_audio, onsets, read_mp4, voiced_windows

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"
)
SPOKEN = [locale for locale in shipped_locales() if locale != "br"]
CAPTION_BOX = (VIDEO.margin, VIDEO.caption_top, VIDEO.width - VIDEO.margin, VIDEO.caption_bottom)
_made: dict[str, tuple[Path, object, list]] = {}


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    """One render per locale for the whole module: encoding is the slow part."""

    def get(locale: str):
        if locale not in _made:
            steps: list[tuple[float, str]] = []
            rendition = render_video(
                message_in(locale), progress=lambda done, stage: steps.append((done, stage))
            )
            path = tmp_path_factory.mktemp("video") / f"{locale}.mp4"
            path.write_bytes(rendition.body)
            _made[locale] = (path, rendition, steps)
        return _made[locale]

    yield get
    _made.clear()


def frame_at(path: Path, seconds: float):
    png = subprocess.run(
        [ffmpeg_path(), "-v", "error", "-ss", f"{seconds:.3f}", "-i", str(path)]
        + ["-frames:v", "1", "-f", "image2pipe", "-vcodec", "png", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return open_image(png)


@needs_espeak
@pytest.mark.parametrize("locale", SPOKEN)
def test_a_vertical_h264_aac_mp4_of_15_to_60_seconds(video, locale):
    path, rendition, _ = video(locale)
    movie = read_mp4(path.read_bytes())
    assert movie.top_level.index("moov") < movie.top_level.index("mdat")  # +faststart
    picture, sound = movie.track("vide"), movie.track("soun")
    assert (picture.codec, picture.width, picture.height) == ("avc1", 1080, 1920)
    assert sound.codec == "mp4a" and sound.sample_rate == 48000 and sound.channels == 2
    assert 15 <= movie.duration <= 60
    assert movie.duration == pytest.approx(rendition.meta["duration"], abs=0.1)
    assert sound.duration == pytest.approx(movie.duration, abs=0.1)
    assert rendition.media_type == "video/mp4" and rendition.form == "video"


@needs_espeak
@pytest.mark.parametrize("locale", SPOKEN)
def test_captions_follow_the_speech_within_half_a_second(video, locale):
    path, rendition, _ = video(locale)
    cues = parse_vtt(rendition.meta["vtt"])
    assert [text for _, _, text in cues] == [c[2] for c in rendition.meta["cues"]]
    voiced = voiced_windows(decoded_audio(str(path)))
    starts = onsets(voiced)
    for start, _, text in cues:
        assert any(abs(start - onset) <= 0.5 for onset in starts), (text, start, starts)
    # Every sound falls inside a caption: nothing is said that is not captioned.
    last_end = cues[-1][1]
    for index, on in enumerate(voiced):
        if on:
            moment = index * 0.02
            assert any(s - 0.5 <= moment <= e + 0.5 for s, e, _ in cues), moment
    assert last_end < rendition.meta["duration"]  # the closing frame is silent


@needs_espeak
@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_each_caption_is_burned_in_while_it_is_said(video, locale):
    path, rendition, _ = video(locale)
    setter = Typesetter(locale)
    frames = Frames(message_in(locale), setter, VIDEO, None)
    cues = rendition.meta["cues"]
    for index, (start, end, text) in enumerate(cues):
        frame = frame_at(path, (start + end) / 2)
        shown = ink(frame, CAPTION_BOX, dark=False)
        expected = ink(frames.caption_frame(text), CAPTION_BOX, dark=False)
        assert overlap(shown, expected) > 0.8, (index, text)
        if index:
            previous = ink(frames.caption_frame(cues[index - 1][2]), CAPTION_BOX, dark=False)
            assert overlap(shown, previous) < overlap(shown, expected)


@needs_espeak
def test_the_vtt_and_the_transcript_carry_every_word(video):
    _, rendition, _ = video("fr")
    transcript = rendition.meta["transcript"]
    for _, _, text in rendition.meta["cues"]:
        assert text in transcript
    message = message_in("fr")
    assert message.title in transcript and message.public_url in transcript
    assert rendition.meta["vtt"].startswith("WEBVTT\n\n1\n00:00:00.000 --> ")
    assert message.summary in rendition.meta["alt"]


@needs_espeak
def test_progress_goes_forward_to_the_end(video):
    _, _, steps = video("fr")
    values = [done for done, _ in steps]
    assert values == sorted(values) and values[-1] == 1.0
    stages = list(dict.fromkeys(stage for _, stage in steps))
    assert stages == ["speech", "frames", "encoding", "done"]


@needs_espeak
def test_the_arabic_video_shows_right_to_left_captions(video):
    _, rendition, _ = video("ar")
    assert rendition.meta["vtt"].count("\u200f") == len(rendition.meta["cues"])


@needs_espeak
def test_breton_has_no_voice_so_no_video():
    with pytest.raises(RenderError) as error:
        render_video(message_in("br"))
    assert error.value.code is RenderErrorCode.UNSUPPORTED_LOCALE


def test_without_espeak_the_error_is_typed(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(AudioUnavailableError) as error:
        render_video(create_message())
    assert error.value.reason == "missing" and "espeak-ng" in str(error.value)


@needs_espeak
def test_a_text_too_long_even_as_summary_is_refused():
    long = "L’eau sera coupée dans tout le quartier du centre pendant les travaux. " * 20
    with pytest.raises(RenderError) as error:
        render_video(create_message(body=long, summary=long))
    assert error.value.code is RenderErrorCode.TOO_LONG and "60" in str(error.value)


class ToneSpeaker:
    """A stand-in voice: a 440 Hz tone of 60 ms per character, so timings are exact."""

    name = "tone"
    rate = 16000

    def check(self, locale: str) -> None:
        pass

    def speak(self, text: str, locale: str, out: Path) -> None:
        frames = round(0.06 * len(text) * self.rate)
        with wave.open(str(out), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(self.rate)
            wav.writeframes(
                b"".join(
                    struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / self.rate)))
                    for i in range(frames)
                )
            )


def test_the_voice_is_behind_an_interface_and_cues_take_its_timings(tmp_path):
    spoken = speak_captions(ToneSpeaker(), ["Un.", "Deux trois."], "fr", tmp_path)
    assert isinstance(spoken, Spoken)
    first, second = spoken.segments
    assert first[0] == 0 and first[1] == pytest.approx(0.06 * len("Un."), abs=0.01)
    assert second[0] == pytest.approx(first[1] + 0.35, abs=0.01)
    cues = timed_cues(["Un.", "Deux trois."], spoken)
    assert (cues[0].end, cues[1].start) == (cues[1].start, round(second[0], 3))


def test_a_short_message_is_padded_to_15_seconds_with_a_silent_closing_frame(tmp_path):
    message = create_message(title="Eau", body="", summary="Coupure.", contact="")
    rendition = render_video(message, speaker=ToneSpeaker())
    movie = read_mp4(rendition.body)
    assert movie.duration == pytest.approx(15, abs=0.1) and rendition.meta["duration"] == 15
    assert rendition.meta["cues"][-1][1] < 5  # then the closing frame, silent, until 15 s
    assert movie.track("soun").duration == pytest.approx(15, abs=0.1)


_CUE = re.compile(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})\n(.+)")


def parse_vtt(text: str) -> list[tuple[float, float, str]]:
    cues = []
    for match in _CUE.finditer(text):
        h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, match.groups()[:8])
        start = h1 * 3600 + m1 * 60 + s1 + ms1 / 1000
        end = h2 * 3600 + m2 * 60 + s2 + ms2 / 1000
        cues.append((start, end, match.group(9).lstrip("\u200f")))
    return cues


def test_webvtt_escapes_markup():
    from renderers.visual.captions import Cue

    vtt = webvtt([Cue(0, 1.5, "a < b & c --> d")], "fr")
    assert "a &lt; b &amp; c --&gt; d" in vtt and "00:00:00.000 --> 00:00:01.500" in vtt


@pytest.mark.parametrize("locale", shipped_locales())
def test_the_frames_keep_text_inside_the_networks_safe_zone(locale):
    frames = Frames(message_in(locale), Typesetter(locale), VIDEO, None)
    # TikTok and Reels cover the top status bar, the right-hand buttons and the bottom caption.
    zone = (VIDEO.margin, VIDEO.top, VIDEO.width - VIDEO.margin, VIDEO.height - 420)
    for line in frames.painter.lines:
        left, top, right, bottom = line.box
        assert zone[0] <= left and right <= zone[2] and zone[1] <= top and bottom <= zone[3], line
