"""WhatsApp texts take the SMS road, through the signed webhook and the local Cloud API fake:
poll answers counted once, questions answered from the current announcements by WhatsApp,
free text kept for moderation, STOP first; each answered by WhatsApp exactly once per wamid
(Meta's retries change nothing and send nothing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from gateway.conversation.models import Ballot, PollAnswer, Question, Review
from gateway.messaging.whatsapp import sync_templates
from gateway.models import Consent, InboundMessage
from gateway.publishing import publish
from tests.factories import create_announcement, create_citizen
from tests.fakes.whatsapp import FakeWhatsApp
from tests.gateway.conversation.factories import create_poll
from tests.gateway.messaging import TEMPLATES, post_webhook, whatsapp_account

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fake(org):
    with FakeWhatsApp(templates=list(TEMPLATES), pair_interval=0) as fake:
        sync_templates(whatsapp_account(org, fake))
        yield fake


def chatting(org, phone: str, **fields):
    """A citizen on WhatsApp whose window is open (free text reaches them)."""
    return create_citizen(
        org,
        channels=("whatsapp",),
        phone=phone,
        whatsapp_window_until=timezone.now() + timedelta(hours=3),
        **fields,
    )


def write(fake, phone: str, body: str, *, times: int = 1) -> str:
    """The citizen's text through the signed webhook (`times` > 1: Meta retries); its wamid."""
    payload = fake.inbound_payload(phone, body)
    client = Client()
    for _ in range(times):
        assert post_webhook(client, fake, payload).status_code == 200
    return payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"]


def texts_to(fake, phone: str) -> list[str]:
    return [m["text"]["body"] for m in fake.messages if m["to"] == phone and m["type"] == "text"]


def test_a_poll_answer_by_whatsapp_is_counted_once_and_thanked_once_by_whatsapp(org, fake):
    citizen = chatting(org, "+33612345001")
    poll = create_poll(org)  # the announcement reached the citizen by WhatsApp
    fake.messages.clear()
    wamid = write(fake, citizen.phone, "2", times=2)
    assert PollAnswer.objects.get(poll=poll).choice == 2
    ballot = Ballot.objects.get(poll=poll)
    assert (ballot.channel, ballot.provider_ref) == ("whatsapp", wamid)
    kept = InboundMessage.objects.get(channel="whatsapp", provider_ref=wamid)
    assert kept.keyword == "poll" and kept.announcement_id == poll.announcement_id
    # Answered once, by WhatsApp, in typographic French (no SMS character swapping).
    assert texts_to(fake, citizen.phone) == ["Merci, votre réponse « Non » est enregistrée."]


def test_a_question_by_whatsapp_is_answered_from_the_current_announcements_by_whatsapp(
    org, fake, settings
):
    citizen = chatting(org, "+33612345002")
    water = create_announcement(org)
    with transaction.atomic():
        publish(water)
    water.refresh_from_db()
    fake.messages.clear()
    write(fake, citizen.phone, "Quand est-ce que l'eau revient rue des Lilas ?", times=2)
    question = Question.objects.get()
    assert (question.status, question.announcement_id) == ("answered", water.pk)
    assert question.inbound.channel == "whatsapp" and question.reply_to == ""
    [answer] = texts_to(fake, citizen.phone)
    assert answer.startswith("Coupure d'eau mardi de 8 h à 12 h rue des Lilas pour travaux.")
    assert answer.endswith(f"Détails : https://crieur.example.org/v/{water.verification_code}")
    assert not list((settings.OUTBOX_DIR / "sms").glob("*question*"))  # not by SMS


def test_free_text_by_whatsapp_is_kept_for_moderation_and_gets_the_help_once(org, fake):
    citizen = chatting(org, "+33612345003")
    wamid = write(fake, citizen.phone, "Merci, bien reçu", times=3)
    kept = InboundMessage.objects.get(channel="whatsapp", provider_ref=wamid)
    assert kept.citizen_id == citizen.pk and kept.keyword == ""
    assert Review.objects.filter(inbound=kept).count() == 1
    assert texts_to(fake, citizen.phone) == [
        "Message non compris. Envoyez AIDE pour l'aide, STOP pour arrêter."
    ]


def test_stop_by_whatsapp_wins_over_an_open_poll(org, fake):
    citizen = chatting(org, "+33612345004")
    poll = create_poll(org)
    fake.messages.clear()
    write(fake, citizen.phone, "STOP")
    assert not PollAnswer.objects.filter(poll=poll).exists()
    assert not Consent.objects.get(citizen=citizen, channel="whatsapp").granted
    [reply] = texts_to(fake, citizen.phone)
    assert reply.startswith("Vous ne recevrez plus nos messages WhatsApp")


def test_an_agents_answer_goes_by_whatsapp_inside_the_window_and_by_sms_after_it(
    org, fake, settings
):
    from gateway.conversation import questions
    from gateway.models import Citizen
    from tests.factories import create_user

    citizen = create_citizen(org, channels=("whatsapp", "sms"), phone="+33612345005")
    agent = create_user(org)
    write(fake, citizen.phone, "Comment refaire ma carte d'identité ?")
    first = Question.objects.get()
    assert first.status == "open"
    [passed] = texts_to(fake, citizen.phone)
    assert "transmise à la mairie" in passed
    questions.answer_by_agent(first, "Prenez rendez-vous en mairie.", actor=agent)
    assert texts_to(fake, citizen.phone)[-1] == "Prenez rendez-vous en mairie."

    write(fake, citizen.phone, "Et pour un passeport ?")
    second = Question.objects.exclude(pk=first.pk).get()
    # A day later the window is closed: free text cannot go by WhatsApp, the SMS can.
    InboundMessage.objects.filter(pk=second.inbound_id).update(
        received_at=timezone.now() - timedelta(hours=25)
    )
    Citizen.objects.filter(pk=citizen.pk).update(whatsapp_window_until=timezone.now())
    before = len(fake.messages)
    questions.answer_by_agent(second, "Même démarche, en mairie.", actor=agent)
    assert len(fake.messages) == before
    sms = sorted((settings.OUTBOX_DIR / "sms").glob("*.txt"))
    assert any(path.read_text() == "Même démarche, en mairie." for path in sms)


@pytest.fixture
def eager_retries():
    """Eager tasks that retry run the retry inline (instead of raising `Retry`)."""
    from gateway.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


def test_the_reply_task_sends_once_even_when_run_again_and_retries_a_refused_attempt(
    org, fake, eager_retries
):
    from gateway.messaging.tasks import send_reply
    from gateway.models import ProviderAccount
    from tests.fakes.whatsapp import error

    citizen = chatting(org, "+33612345006")
    fake.fail_next(error(131000))  # Meta's 500: nothing sent, tried again
    wamid = write(fake, citizen.phone, "Bonjour")
    assert len(texts_to(fake, citizen.phone)) == 1
    account = ProviderAccount.objects.get(organisation=org, kind="whatsapp")
    assert send_reply.apply((account.pk, wamid)).get() is False  # a worker ran it again
    assert len(texts_to(fake, citizen.phone)) == 1
    assert InboundMessage.objects.get(provider_ref=wamid).replied_at is not None
