"""Voice renderers: Twilio TwiML call flows, spoken forms per locale, offline audio previews."""

from renderers.voice.audio import AudioUnavailableError, audio_preview
from renderers.voice.spoken import spoken_form
from renderers.voice.twiml import (
    SAY_LIMIT,
    MenuChoice,
    PollOutcome,
    VoiceConfig,
    is_machine,
    menu_choice,
    poll_menu,
    render_menu_response,
    render_no_poll,
    render_poll_call,
    render_poll_response,
    render_voice,
    split_for_say,
    spoken_script,
)
from renderers.voice.voices import DEFAULT_VOICES, VoiceChoice, voice_for

__all__ = [
    "DEFAULT_VOICES",
    "SAY_LIMIT",
    "AudioUnavailableError",
    "MenuChoice",
    "PollOutcome",
    "VoiceChoice",
    "VoiceConfig",
    "audio_preview",
    "is_machine",
    "menu_choice",
    "poll_menu",
    "render_menu_response",
    "render_no_poll",
    "render_poll_call",
    "render_poll_response",
    "render_voice",
    "spoken_form",
    "spoken_script",
    "split_for_say",
    "voice_for",
]
