"""What the video says, cut into captions, and the same words as WebVTT and a transcript.

Captions show the written words (`8 h`, `01 23 45 67 89`) while the voice says their spoken
form; each caption holds at most `MAX_LINES` lines and starts with a new sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import gettext
from renderers.message import Message, Urgency
from renderers.print.bidi import is_rtl
from renderers.visual.textlayout import Typesetter
from renderers.visual.typography import typeset, units
from renderers.voice.words import call_words

MAX_LINES = 3
_SENTENCE_END = re.compile(r"[.!?…؟][\"'’»)\]]*$")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?…:؟" else text + "."


def script_paragraphs(message: Message, *, long_form: bool) -> list[str]:
    """Greeting, urgency, title, body (or summary) and contact, as written."""
    words = call_words(message.locale)
    text = message.body if long_form and message.body.strip() else message.summary
    parts = [words.greeting.format(organisation=message.organisation)]
    if message.urgency is Urgency.URGENT:
        parts.append(words.urgent)
    parts += [message.title, *re.split(r"\n\s*\n", text.strip())]
    if message.contact.strip():
        parts.append(words.contact.format(contact=message.contact.strip().rstrip(".")))
    return [typeset(sentence(part), message.locale) for part in parts if part.strip()]


def split_captions(
    paragraphs: Sequence[str], setter: Typesetter, size: int, width: float
) -> list[str]:
    """Captions of at most MAX_LINES lines; a sentence never shares a caption with the next
    one's start, and no caption is cut inside a word."""
    captions: list[str] = []
    for paragraph in paragraphs:
        current: list[str] = []
        for word in units(paragraph):
            candidate = " ".join([*current, word])
            try:
                lines = setter.wrap(candidate, size, width)
            except ValueError:
                raise RenderError(
                    RenderErrorCode.TOO_LONG,
                    f"the word {word!r} is wider than a caption line at {size} px",
                    form="video",
                ) from None
            if current and len(lines) > MAX_LINES:
                # Cut after the last comma of the caption's second half when there is one:
                # "…d’une canalisation," / "l’eau sera coupée…" reads better than a cut anywhere.
                cut = next(
                    (
                        i + 1
                        for i in range(len(current) - 1, len(current) // 2 - 1, -1)
                        if current[i].endswith((",", ";", ":"))
                    ),
                    len(current),
                )
                captions.append(" ".join(current[:cut]))
                current = [*current[cut:], word]
            else:
                current.append(word)
            if _SENTENCE_END.search(word) and len(current) > 0:
                captions.append(" ".join(current))
                current = []
        if current:
            captions.append(" ".join(current))
    return captions


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def webvtt(cues: Sequence[Cue], locale: str) -> str:
    """A WebVTT file; right-to-left cues start with RLM so players lay them out RTL."""
    mark = "\u200f" if is_rtl(locale) else ""
    blocks = ["WEBVTT"]
    for index, cue in enumerate(cues, start=1):
        text = cue.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks.append(f"{index}\n{_timestamp(cue.start)} --> {_timestamp(cue.end)}\n{mark}{text}")
    return "\n\n".join(blocks) + "\n"


def transcript(message: Message, paragraphs: Sequence[str]) -> str:
    """Everything the video says and shows, as text (RGAA 4.3): paragraphs, then the link."""
    lines = [*paragraphs]
    if message.public_url:
        lines.append(
            gettext(message.locale, "Plus d’informations : {link}").format(link=message.public_url)
        )
    return "\n\n".join(lines) + "\n"
