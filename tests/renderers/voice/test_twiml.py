"""The call flow TwiML, read back as XML element by element."""

from __future__ import annotations

import subprocess
import sys

import pytest

from renderers.errors import RenderError, RenderErrorCode
from renderers.voice import (
    DEFAULT_VOICES,
    SAY_LIMIT,
    MenuChoice,
    VoiceChoice,
    VoiceConfig,
    is_machine,
    menu_choice,
    render_voice,
    split_for_say,
    spoken_script,
    voice_for,
)
from tests.renderers.voice.factories import GATHER_URL, create_message, parse, steps

WITH_MENU = VoiceConfig(gather_action_url=GATHER_URL)

# The words of the call per locale: greeting, urgent notice, "I repeat", goodbye.
WORDS = {
    "fr": ("Mairie de Saint-Crieur vous informe.", "Message urgent.", "Je répète.", "Au revoir."),
    "en": (
        "Mairie de Saint-Crieur has a message for you.",
        "Urgent message.",
        "I repeat.",
        "Goodbye.",
    ),
}
MENUS = {
    "fr": "Pour réécouter ce message, tapez 1. Pour confirmer que vous l’avez bien reçu, "
    "tapez 2. Pour ne plus recevoir d’appels, tapez 0.",
    "en": "To hear this message again, press 1. To confirm that you have received it, "
    "press 2. To stop receiving calls, press 0.",
}
BODIES = {
    "fr": ("Coupure d’eau", "L’eau sera coupée mardi 24 novembre de 8 h à 12 h."),
    "en": ("Water cut", "Water will be cut on Tuesday 24 November from 8 am to noon."),
}
VOICES = {"fr": ("fr-FR", "Polly.Lea"), "en": ("en-GB", "Polly.Amy")}


def urgent_message(locale: str):
    title, body = BODIES[locale]
    return create_message(locale=locale, title=title, body=body, urgency="urgent")


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_a_person_hears_greeting_urgent_notice_message_twice_then_the_menu(locale):
    message = urgent_message(locale)
    greeting, urgent, repeat, goodbye = WORDS[locale]
    script = spoken_script(message)

    assert steps(render_voice(message, WITH_MENU).text) == [
        ("Say", greeting),
        ("Say", urgent),
        ("Say", script),
        ("Pause", ""),
        ("Say", repeat),
        ("Say", script),
        ("Gather", MENUS[locale]),
        ("Say", goodbye),
        ("Hangup", ""),
    ]


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_every_say_carries_the_language_and_voice_of_the_locale(locale):
    root = parse(render_voice(urgent_message(locale), WITH_MENU).text)
    says = list(root.iter("Say"))
    assert len(says) == 7
    assert {(s.get("language"), s.get("voice")) for s in says} == {VOICES[locale]}


def test_the_script_is_in_meta_with_language_and_voice():
    rendition = render_voice(create_message(), WITH_MENU)
    assert rendition.form == "voice"
    assert rendition.media_type == "application/xml"
    assert rendition.locale == "fr"
    assert rendition.meta["language"] == "fr-FR"
    assert rendition.meta["voice"] == "Polly.Lea"
    assert rendition.meta["script"] == (
        "Coupure d’eau rue des Lilas. L’eau sera coupée mardi 24 novembre de 8 heures à 12 heures."
    )


def test_the_menu_is_a_one_key_dtmf_gather_posting_to_the_action_url():
    root = parse(render_voice(create_message(), WITH_MENU).text)
    (gather,) = root.findall("Gather")
    assert dict(gather.attrib) == {
        "input": "dtmf",
        "numDigits": "1",
        "action": GATHER_URL,
        "method": "POST",
    }
    (prompt,) = gather
    assert prompt.tag == "Say" and "tapez 2" in prompt.text


def test_a_non_urgent_message_has_no_urgent_notice():
    said = [text for tag, text in steps(render_voice(create_message(), WITH_MENU).text)]
    assert "Message urgent." not in said
    assert said[0] == "Mairie de Saint-Crieur vous informe."


def test_without_an_action_url_there_is_no_menu():
    tags = [tag for tag, _ in steps(render_voice(create_message()).text)]
    assert tags == ["Say", "Say", "Pause", "Say", "Say", "Say", "Hangup"]


@pytest.mark.parametrize("repeat, expected_times", [(1, 1), (2, 2), (3, 3)])
def test_the_message_is_said_as_many_times_as_configured(repeat, expected_times):
    message = create_message()
    config = VoiceConfig(gather_action_url=GATHER_URL, repeat=repeat)
    said = [text for tag, text in steps(render_voice(message, config).text) if tag == "Say"]
    assert said.count(spoken_script(message)) == expected_times
    assert said.count("Je répète.") == expected_times - 1


@pytest.mark.parametrize("answered_by", ["machine_end_beep", "machine_end_silence"])
def test_an_answering_machine_gets_the_message_once_and_no_menu(answered_by):
    message = create_message(urgency="urgent")
    rendition = render_voice(message, WITH_MENU, machine=is_machine(answered_by))
    assert steps(rendition.text) == [
        ("Say", "Mairie de Saint-Crieur vous informe."),
        ("Say", "Message urgent."),
        ("Say", spoken_script(message)),
        ("Say", "Au revoir."),
        ("Hangup", ""),
    ]
    assert rendition.meta["machine"] is True


@pytest.mark.parametrize(
    "answered_by, machine",
    [("human", False), ("unknown", False), ("", False), ("machine_end_beep", True)],
)
def test_is_machine(answered_by, machine):
    assert is_machine(answered_by) is machine


def test_a_long_script_becomes_several_says_cut_between_sentences():
    sentence = "La distribution d’eau potable reprendra progressivement dans tout le quartier. "
    message = create_message(body=sentence * 120)  # about 9,500 characters
    root = parse(render_voice(message).text)
    says = [s.text for s in root.iter("Say")]
    chunks = says[1 : says.index("Je répète.")]
    assert len(chunks) >= 3
    assert all(len(chunk) <= SAY_LIMIT for chunk in chunks)
    assert all(chunk.endswith(".") for chunk in chunks)
    assert " ".join(chunks) == spoken_script(message)


def test_a_sentence_longer_than_a_say_is_cut_between_words():
    chunks = split_for_say("mot " * 30, limit=20)
    assert all(len(c) <= 20 for c in chunks)
    assert " ".join(chunks) == ("mot " * 30).strip()


def test_a_word_longer_than_a_say_is_refused_not_cut():
    with pytest.raises(RenderError) as error:
        split_for_say("x" * 21, limit=20)
    assert error.value.code == RenderErrorCode.TOO_LONG


@pytest.mark.parametrize("locale", ["de", "br", "xx"])
def test_a_locale_without_a_voice_is_unsupported(locale):
    with pytest.raises(RenderError) as error:
        render_voice(create_message(locale=locale))
    assert error.value.code == RenderErrorCode.UNSUPPORTED_LOCALE


def test_a_voice_without_translated_call_words_is_refused_rather_than_mixing_languages():
    # de has a voice here but no catalog: French words read by a German voice help no one.
    config = VoiceConfig(voices={**DEFAULT_VOICES, "de": VoiceChoice("de-DE", "Polly.Vicki")})
    with pytest.raises(RenderError) as error:
        render_voice(create_message(locale="de", body="Das Wasser wird abgestellt."), config)
    assert error.value.code == RenderErrorCode.UNSUPPORTED_LOCALE
    assert "not translated" in error.value.detail


def test_a_message_with_nothing_to_say_is_refused():
    with pytest.raises(RenderError) as error:
        render_voice(create_message(title="", summary="", body="  "))
    assert error.value.code == RenderErrorCode.MISSING_FIELD


def test_the_summary_is_said_when_there_is_no_body():
    message = create_message(body="", summary="Coupure mardi.")
    assert spoken_script(message) == "Coupure d’eau rue des Lilas. Coupure mardi."


def test_the_contact_is_said_last_with_its_phone_number_spoken():
    message = create_message(contact="Services techniques, 01 23 45 67 89")
    assert spoken_script(message).endswith(
        "Pour tout renseignement : Services techniques, zéro un, vingt-trois, "
        "quarante-cinq, soixante-sept, quatre-vingt-neuf."
    )


@pytest.mark.parametrize(
    "locale, tag, voice",
    [
        ("fr", "fr-FR", "Polly.Lea"),
        ("fr_FR", "fr-FR", "Polly.Lea"),
        ("en", "en-GB", "Polly.Amy"),
        ("es", "es-ES", "Polly.Lucia"),
        ("pt", "pt-PT", "Polly.Ines"),
        ("ar", "arb", "Polly.Zeina"),
    ],
)
def test_default_voice_table(locale, tag, voice):
    assert voice_for(locale, VoiceConfig().voices) == VoiceChoice(tag, voice)


def test_an_exact_locale_entry_wins_over_its_language():
    voices = {"fr": VoiceChoice("fr-FR", "Polly.Lea"), "fr-CA": VoiceChoice("fr-CA", "Polly.Liam")}
    assert voice_for("fr_CA", voices).voice == "Polly.Liam"
    assert voice_for("fr_BE", voices).voice == "Polly.Lea"


def test_a_configured_voice_is_used():
    config = VoiceConfig(voices={"fr": VoiceChoice("fr-FR", "Polly.Mathieu")})
    root = parse(render_voice(create_message(), config).text)
    assert {s.get("voice") for s in root.iter("Say")} == {"Polly.Mathieu"}


@pytest.mark.parametrize(
    "tag, voice",
    [
        ("fr_fr", "Polly.Lea"),  # Twilio does not fix underscores
        ("fr_FR", "Polly.Lea"),
        ("fr-fr", "Polly.Lea"),
        ("en-US", "Polly.Amy"),  # Amy is British
        ("fr-FR", "Polly.Amy-Neural"),
    ],
)
def test_a_wrong_tag_or_a_voice_of_another_language_is_refused(tag, voice):
    with pytest.raises(ValueError):
        VoiceChoice(tag, voice)


def test_repeat_must_be_positive():
    with pytest.raises(ValueError):
        VoiceConfig(repeat=0)


@pytest.mark.parametrize(
    "digits, choice",
    [
        ("1", MenuChoice.REPEAT),
        ("2", MenuChoice.CONFIRM),
        ("0", MenuChoice.STOP),
        (" 2 ", MenuChoice.CONFIRM),
        ("3", MenuChoice.UNKNOWN),
        ("#", MenuChoice.UNKNOWN),
        ("", MenuChoice.UNKNOWN),
        ("12", MenuChoice.UNKNOWN),
    ],
)
def test_menu_choice(digits, choice):
    assert menu_choice(digits) is choice


def test_renderers_voice_does_not_load_django_or_gateway():
    code = (
        "import sys, renderers.voice; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'gateway')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
