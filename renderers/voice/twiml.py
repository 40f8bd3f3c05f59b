"""Call flows as Twilio TwiML: the announcement said in the citizen's language, then a menu.

A person hears: greeting, "Message urgent." when urgent, the message, a pause, "Je répète.",
the message again, then the keypad menu (1 hear again, 2 confirm receipt, 0 stop calls) and a
goodbye when nothing is pressed. An answering machine (Twilio AMD, `DetectMessageEnd`) gets the
message once after the beep, without a menu nobody can answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from twilio.twiml.voice_response import VoiceResponse

from renderers.errors import RenderError, RenderErrorCode
from renderers.message import Message, Rendition, Urgency
from renderers.poll import Poll
from renderers.voice.spoken import spoken_form
from renderers.voice.voices import DEFAULT_VOICES, VoiceChoice, voice_for
from renderers.voice.words import CallWords, call_words, poll_words

FORM = "voice"
MEDIA_TYPE = "application/xml"
# Twilio refuses a <Say> longer than this; a long script becomes several <Say>.
SAY_LIMIT = 4096


@dataclass(frozen=True)
class VoiceConfig:
    """`gather_action_url` empty: no keypad menu (a preview without a server)."""

    voices: Mapping[str, VoiceChoice] = field(default_factory=lambda: DEFAULT_VOICES)
    gather_action_url: str = ""
    repeat: int = 2
    pause_seconds: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "voices", MappingProxyType(dict(self.voices)))
        if self.repeat < 1:
            raise ValueError("repeat must be at least 1")
        if self.pause_seconds < 0:
            raise ValueError("pause_seconds cannot be negative")


class MenuChoice(StrEnum):
    """What a key pressed in the menu means; the gateway records CONFIRM and STOP.

    A call with a poll has another menu: the digits 1–9 are the answers (the gateway counts
    them), `*` says the question again, 0 still stops calls.
    """

    REPEAT = "1"
    CONFIRM = "2"
    STOP = "0"
    QUESTION = "*"
    UNKNOWN = "?"


class PollOutcome(StrEnum):
    """What became of a poll answer pressed on the keypad, as the gateway decided."""

    COUNTED = "counted"
    ALREADY = "already"  # the first answer counts and there was one
    REFUSED = "refused"  # this phone may not answer
    CLOSED = "closed"


def menu_choice(digits: str) -> MenuChoice:
    """The choice behind Twilio's `Digits` parameter; anything else is UNKNOWN."""
    try:
        return MenuChoice((digits or "").strip())
    except ValueError:
        return MenuChoice.UNKNOWN


def is_machine(answered_by: str) -> bool:
    """Twilio's `AnsweredBy`: `machine_end_beep`, `machine_end_silence`… are machines."""
    return (answered_by or "").startswith("machine")


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?…:" else text + "."


def spoken_script(message: Message) -> str:
    """Title, body (the summary when there is no body) and contact, as a voice should say them."""
    body = message.body.strip() or message.summary.strip()
    if not body:
        raise RenderError(RenderErrorCode.MISSING_FIELD, "the message has no body", form=FORM)
    paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    parts = [message.title, *paragraphs]
    if message.contact.strip():
        contact = call_words(message.locale).contact
        parts.append(contact.format(contact=message.contact.strip().rstrip(".")))
    script = spoken_form(" ".join(_sentence(p) for p in parts if p.strip()), message.locale)
    if not script:
        raise RenderError(RenderErrorCode.MISSING_FIELD, "nothing to say", form=FORM)
    return script


def split_for_say(script: str, limit: int = SAY_LIMIT) -> list[str]:
    """Chunks of at most `limit` characters, cut between sentences, else between words."""
    chunks: list[str] = []
    current = ""
    for sentence in re.split(r"(?<=[.!?…])\s+", script):
        pieces = [sentence] if len(sentence) <= limit else sentence.split()
        for piece in pieces:
            if len(piece) > limit:
                raise RenderError(
                    RenderErrorCode.TOO_LONG,
                    f"a word of {len(piece)} characters cannot be said (limit {limit})",
                    form=FORM,
                )
            candidate = f"{current} {piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks


class _Call:
    """A VoiceResponse where every <Say> carries the same language and voice."""

    def __init__(self, message: Message, config: VoiceConfig) -> None:
        self.message = message
        self.config = config
        self.choice = voice_for(message.locale, config.voices)
        self.words: CallWords = call_words(message.locale)
        self.script = spoken_script(message)
        self.response = VoiceResponse()
        self.said: list[str] = []

    def say(self, text: str, parent: VoiceResponse | None = None) -> None:
        target = parent if parent is not None else self.response
        for chunk in split_for_say(text):
            target.say(chunk, language=self.choice.language_tag, voice=self.choice.voice)
            self.said.append(chunk)

    def greeting(self) -> None:
        organisation = spoken_form(self.message.organisation, self.message.locale)
        self.say(self.words.greeting.format(organisation=organisation))
        if self.message.urgency == Urgency.URGENT:
            self.say(self.words.urgent)

    def announcement(self, times: int) -> None:
        for n in range(times):
            if n:
                if self.config.pause_seconds:
                    self.response.pause(length=self.config.pause_seconds)
                self.say(self.words.repeat)
            self.say(self.script)

    def menu(self) -> None:
        if not self.config.gather_action_url:
            return
        gather = self.response.gather(
            input="dtmf",
            num_digits=1,
            action=self.config.gather_action_url,
            method="POST",
        )
        if self.message.poll is None:
            self.say(self.words.menu, parent=gather)
        else:
            self.say(poll_menu(self.message.poll, self.message.locale), parent=gather)

    def goodbye(self) -> None:
        self.say(self.words.goodbye)
        self.response.hangup()

    def twiml(self) -> str:
        return str(self.response)


def render_voice(
    message: Message, config: VoiceConfig = VoiceConfig(), *, machine: bool = False
) -> Rendition:
    """The TwiML of the whole call; `machine`: once after the beep, no menu."""
    call = _Call(message, config)
    call.greeting()
    if machine:
        call.announcement(1)
    else:
        call.announcement(config.repeat)
        call.menu()
    call.goodbye()
    return Rendition(
        form=FORM,
        locale=message.locale,
        media_type=MEDIA_TYPE,
        body=call.twiml(),
        meta={
            "script": call.script,
            "language": call.choice.language_tag,
            "voice": call.choice.voice,
            "machine": machine,
            "transcript": "\n".join(call.said),
        },
    )


def poll_menu(poll: Poll, locale: str) -> str:
    """The question, each answer with its key, how to hear it again, how to stop calls."""
    words = poll_words(locale)
    parts = [_sentence(words.question.format(question=poll.question.strip()))]
    parts += [
        words.choice.format(answer=answer.strip(), number=number)
        for number, answer in enumerate(poll.answers, start=1)
    ]
    parts += [words.hear_again, words.stop]
    return spoken_form(" ".join(parts), locale)


def render_poll_call(message: Message, config: VoiceConfig) -> str:
    """A citizen calling in to answer: greeting, the question and its keypad menu."""
    if message.poll is None:
        raise RenderError(RenderErrorCode.MISSING_FIELD, "the message has no poll", form=FORM)
    call = _Call(message, config)
    call.greeting()
    call.menu()
    call.goodbye()
    return call.twiml()


def render_no_poll(locale: str, voices=DEFAULT_VOICES) -> str:
    """A call in when no consultation is open for the caller."""
    choice = voice_for(locale, voices)
    response = VoiceResponse()
    for text in (poll_words(locale).none_open, call_words(locale).goodbye):
        response.say(text, language=choice.language_tag, voice=choice.voice)
    response.hangup()
    return str(response)


def render_poll_response(
    outcome: PollOutcome, choice: int, message: Message, config: VoiceConfig = VoiceConfig()
) -> str:
    """The TwiML after an answer was pressed: what became of it, then goodbye."""
    if message.poll is None:
        raise RenderError(RenderErrorCode.MISSING_FIELD, "the message has no poll", form=FORM)
    call = _Call(message, config)
    words = poll_words(message.locale)
    said = {
        PollOutcome.COUNTED: words.counted.format(answer=message.poll.answers[choice - 1]),
        PollOutcome.ALREADY: words.already,
        PollOutcome.REFUSED: words.refused,
        PollOutcome.CLOSED: words.closed,
    }[outcome]
    call.say(spoken_form(said, message.locale))
    call.goodbye()
    return call.twiml()


def render_menu_response(digit: str, message: Message, config: VoiceConfig = VoiceConfig()) -> str:
    """The TwiML answering the menu's action request (Twilio's `Digits`)."""
    call = _Call(message, config)
    choice = menu_choice(digit)
    if message.poll is not None and choice in (MenuChoice.QUESTION, MenuChoice.REPEAT):
        call.menu()  # with a poll, 1 is an answer (counted by the gateway); * asks again
    elif choice is MenuChoice.REPEAT:
        call.announcement(1)
        call.menu()
    elif choice is MenuChoice.CONFIRM:
        call.say(call.words.confirmed)
    elif choice is MenuChoice.STOP:
        call.say(call.words.stopped)
    else:
        call.say(call.words.unknown_choice)
        call.menu()
    call.goodbye()
    return call.twiml()
