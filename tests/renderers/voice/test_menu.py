"""The TwiML answering the keypad menu, per digit pressed."""

from __future__ import annotations

import pytest

from renderers.voice import VoiceConfig, render_menu_response, spoken_script
from tests.renderers.voice.factories import GATHER_URL, create_message, parse, steps

CONFIG = VoiceConfig(gather_action_url=GATHER_URL)
MENU_FR = (
    "Pour réécouter ce message, tapez 1. Pour confirmer que vous l’avez bien reçu, tapez 2. "
    "Pour ne plus recevoir d’appels, tapez 0."
)


def test_1_says_the_message_again_then_the_menu():
    message = create_message()
    assert steps(render_menu_response("1", message, CONFIG)) == [
        ("Say", spoken_script(message)),
        ("Gather", MENU_FR),
        ("Say", "Au revoir."),
        ("Hangup", ""),
    ]


def test_2_thanks_for_the_receipt_and_hangs_up():
    assert steps(render_menu_response("2", create_message(), CONFIG)) == [
        ("Say", "Merci, votre accusé de réception est enregistré."),
        ("Say", "Au revoir."),
        ("Hangup", ""),
    ]


def test_0_confirms_no_more_calls_and_hangs_up():
    assert steps(render_menu_response("0", create_message(), CONFIG)) == [
        ("Say", "C’est noté : vous ne recevrez plus d’appels de notre part."),
        ("Say", "Au revoir."),
        ("Hangup", ""),
    ]


@pytest.mark.parametrize("digit", ["3", "9", "*", "#", ""])
def test_another_key_is_not_recognised_and_the_menu_comes_again(digit):
    assert steps(render_menu_response(digit, create_message(), CONFIG)) == [
        ("Say", "Choix non reconnu."),
        ("Gather", MENU_FR),
        ("Say", "Au revoir."),
        ("Hangup", ""),
    ]


@pytest.mark.parametrize(
    "digit, first_words",
    [
        ("2", "Thank you, your acknowledgement has been recorded."),
        ("0", "Noted: you will no longer receive calls from us."),
        ("7", "Choice not recognised."),
    ],
)
def test_menu_answers_speak_the_message_language(digit, first_words):
    message = create_message(locale="en", title="Water cut", body="Water is cut.")
    root = parse(render_menu_response(digit, message, CONFIG))
    says = list(root.iter("Say"))
    assert says[0].text == first_words
    assert {(s.get("language"), s.get("voice")) for s in says} == {("en-GB", "Polly.Amy")}


def test_the_repeated_menu_posts_to_the_same_action():
    root = parse(render_menu_response("1", create_message(), CONFIG))
    (gather,) = root.findall("Gather")
    assert gather.get("action") == GATHER_URL
    assert gather.get("numDigits") == "1"
