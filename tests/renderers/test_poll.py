"""A poll rendered into every form: the SMS (question and answers to text back, within the
limit), the notice (question, numbered answers, every way to answer), the call (keypad menu)."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from lxml import etree
from pypdf import PdfReader

from inbound.text import fold
from renderers.errors import RenderError, RenderErrorCode
from renderers.message import Message
from renderers.poll import Poll
from renderers.print import render_notice
from renderers.sms import SMSConfig, render_sms
from renderers.voice import (
    PollOutcome,
    VoiceConfig,
    render_menu_response,
    render_poll_response,
    render_voice,
)

TEXTS = {
    "fr": ("Ouvrir le square le dimanche ?", ("Oui", "Non")),
    "en": ("Open the park on Sundays?", ("Yes", "No")),
    "es": ("¿Abrir el parque los domingos?", ("Sí", "No")),
    "pt": ("Abrir o parque ao domingo?", ("Sim", "Não")),
    "ar": ("هل نفتح الحديقة يوم الأحد؟", ("نعم", "لا")),
    "br": ("Digeriñ al liorzh d’ar Sul ?", ("Ya", "Nann")),
}


def message(locale="fr", **poll):
    question, answers = TEXTS[locale]
    value = Poll(
        question=question,
        answers=answers,
        sms_number="+33757000000",
        phone_number="+33757000001",
        web_url="https://x.example/v/AB12-CD34/consultation",
        closes_at=datetime(2026, 12, 15, 18, tzinfo=ZoneInfo("Europe/Paris")),
        **poll,
    )
    return Message(
        "Mairie",
        locale,
        "Square",
        "Le square pourrait ouvrir le dimanche.",
        "Le square pourrait ouvrir le dimanche.",
        poll=value,
    )


@pytest.mark.parametrize("locale", sorted(TEXTS))
def test_the_sms_carries_the_question_and_the_answers_in_its_language(locale):
    text = render_sms(message(locale)).text
    question, answers = TEXTS[locale]
    assert question.rstrip("?؟ ").strip()[:10] in text
    for number, answer in enumerate(answers, start=1):
        assert fold(f"{number} {answer}") in fold(text)  # "Não" may travel as "Nao"
    if locale != "fr":
        assert "Répondez" not in text


def test_a_poll_that_does_not_fit_the_sms_limit_is_refused():
    long = Message(
        "Mairie",
        "fr",
        "Square",
        "Résumé. " * 10,
        "Corps.",
        poll=Poll("Pourquoi " * 40 + "?", ("Oui", "Non")),
    )
    with pytest.raises(RenderError) as caught:
        render_sms(long, SMSConfig(max_parts=1))
    assert caught.value.code is RenderErrorCode.TOO_LONG


def test_the_notice_prints_the_question_answers_and_how_to_answer():
    pdf = render_notice(message()).body
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert "Consultation : Ouvrir le square le dimanche ?" in text
    assert "1. Oui" in text and "2. Non" in text
    assert "Par SMS : envoyez le numéro de votre réponse au +33757000000." in text
    assert "appelez le +33757000001" in text
    assert "Sur internet : https://x.example/v/AB12-CD34/consultation" in text
    assert "15 décembre 2026" in text


@pytest.mark.parametrize("locale", ["fr", "en", "es", "pt", "ar"])
def test_the_call_ends_with_the_poll_menu_in_its_language(locale):
    config = VoiceConfig(gather_action_url="https://x.example/menu")
    root = etree.fromstring(render_voice(message(locale), config).text.encode())
    gather = root.find("Gather")
    assert gather.get("numDigits") == "1"
    said = gather.find("Say").text
    question, answers = TEXTS[locale]
    assert answers[0] in said and answers[1] in said
    again = etree.fromstring(render_menu_response("*", message(locale), config).encode())
    assert again.find("Gather") is not None


def test_breton_has_no_voice_even_with_a_poll():
    with pytest.raises(RenderError) as caught:
        render_voice(message("br"), VoiceConfig(gather_action_url="https://x/menu"))
    assert caught.value.code is RenderErrorCode.UNSUPPORTED_LOCALE


@pytest.mark.parametrize(
    ("outcome", "words"),
    [
        (PollOutcome.COUNTED, "Merci, votre réponse « Non » est enregistrée."),
        (PollOutcome.ALREADY, "Vous avez déjà répondu"),
        (PollOutcome.REFUSED, "ne peut pas répondre"),
        (PollOutcome.CLOSED, "Cette consultation est close."),
    ],
)
def test_the_answer_pressed_is_acknowledged(outcome, words):
    twiml = render_poll_response(outcome, 2, message())
    assert words in twiml and "<Hangup" in twiml


def test_a_call_without_a_poll_keeps_its_menu():
    plain = Message("Mairie", "fr", "Square", "Résumé.", "Corps.")
    said = render_voice(plain, VoiceConfig(gather_action_url="https://x/menu")).text
    assert "Pour confirmer que vous l’avez bien reçu, tapez 2." in said


@pytest.mark.parametrize("form", ["mastodon", "bluesky", "x", "facebook"])
def test_social_posts_carry_the_question_answers_and_web_address(form):
    from renderers.social import render_social

    rendition = render_social(message(), form)
    posts = rendition.meta.get("posts") or (rendition.text,)
    text = "\n".join(posts)
    assert "Consultation : Ouvrir le square le dimanche ?" in text
    assert "1 Oui, 2 Non" in text and "https://x.example/v/AB12-CD34/consultation" in text
