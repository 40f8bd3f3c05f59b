"""Answering a poll by phone: the announcement's call reads the question and answers and takes
one digit (`*` hears it again, 0 still stops calls); a citizen can also call the voice number."""

from __future__ import annotations

import pytest
from lxml import etree

from gateway.conversation.models import PollAnswer
from gateway.models import Consent
from tests.factories import create_citizen
from tests.gateway.conversation.factories import create_poll, new_sid, signed_post

pytestmark = pytest.mark.django_db(transaction=True)


def said(response) -> str:
    assert response.status_code == 200, response.content
    root = etree.fromstring(response.content)
    return " ".join(s.text for s in root.iter("Say"))


def gather_action(response) -> str:
    return etree.fromstring(response.content).find("Gather").get("action")


@pytest.fixture
def caller(org):
    return create_citizen(org, channels=("voice",), is_mobile=False, phone="+33141000002")


def test_the_call_reads_the_question_and_answers_and_counts_one_digit(org, caller):
    poll = create_poll(org)
    delivery = poll.announcement.deliveries.get(citizen=caller)
    call = signed_post(f"/hooks/twilio/voice/{delivery.pk}", {"CallSid": new_sid("CA")})
    words = said(call)
    assert "Consultation : Faut-il ouvrir le square le dimanche ?" in words
    assert "Pour « Oui », tapez 1. Pour « Non », tapez 2. Pour « Sans avis », tapez 3." in words
    assert "Pour réentendre la question, tapez étoile." in words
    assert gather_action(call).endswith(f"/hooks/twilio/voice/{delivery.pk}/menu")
    sid = new_sid("CA")
    menu = f"/hooks/twilio/voice/{delivery.pk}/menu"
    again = signed_post(menu, {"Digits": "*", "CallSid": sid})
    assert "Pour « Oui », tapez 1." in said(again)
    answered = signed_post(menu, {"Digits": "2", "CallSid": sid})
    assert said(answered).startswith("Merci, votre réponse « Non » est enregistrée.")
    signed_post(menu, {"Digits": "2", "CallSid": sid})  # Twilio replays the request
    [answer] = PollAnswer.objects.filter(poll=poll)
    assert (answer.choice, answer.channel) == (2, "voice")


def test_zero_still_stops_calls_during_a_poll(org, caller):
    poll = create_poll(org)
    delivery = poll.announcement.deliveries.get(citizen=caller)
    signed_post(
        f"/hooks/twilio/voice/{delivery.pk}/menu", {"Digits": "0", "CallSid": new_sid("CA")}
    )
    assert Consent.objects.get(citizen=caller, channel="voice").granted is False
    assert not PollAnswer.objects.exists()


def test_a_citizen_calls_the_voice_number_to_answer(org):
    citizen = create_citizen(org)  # got the SMS, answers from a phone
    poll = create_poll(org)
    params = {"From": citizen.phone, "To": org.voice_sender, "CallSid": new_sid("CA")}
    call = signed_post("/hooks/twilio/voice/incoming", params)
    assert "Faut-il ouvrir le square le dimanche ?" in said(call)
    action = gather_action(call).removeprefix("https://crieur.example.org")
    assert action == f"/hooks/twilio/voice/poll/{poll.pk}"
    answered = signed_post(action, {**params, "Digits": "1"})
    assert "« Oui »" in said(answered)
    assert PollAnswer.objects.get(poll=poll).channel == "voice"


def test_a_caller_with_no_poll_to_answer_is_told_so(org):
    create_poll(org)
    call = signed_post(
        "/hooks/twilio/voice/incoming",
        {"From": "+33611223344", "To": org.voice_sender, "CallSid": new_sid("CA")},
    )
    assert "Aucune consultation n’est ouverte pour ce numéro." in said(call)
    unsigned = signed_post("/hooks/twilio/voice/incoming", {})
    assert unsigned.status_code == 200
