"""Questions by SMS: answered from the current announcements with the announcement's own words
and link (by SMS, through the organisation's channel), or passed to the town hall; the agent's
answer goes back on the same channel; moderation of every free text."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from gateway.conversation import questions
from gateway.conversation.models import Question, Reply, Review, SenderBlock
from gateway.models import Announcement, AuditEvent, InboundMessage
from gateway.publishing import publish
from tests.factories import create_announcement, create_citizen, create_user
from tests.gateway.conversation.factories import reply_of, text

pytestmark = pytest.mark.django_db(transaction=True)

POOL = {
    "title": "Piscine municipale fermée du 1er au 15 juillet",
    "summary": "La piscine municipale est fermée du 1er au 15 juillet pour sa vidange annuelle.",
    "body": "La piscine ferme du 1er au 15 juillet pour la vidange. Elle rouvre le 16 juillet.",
    "translations": {
        "en": {
            "title": "Swimming pool closed from 1 to 15 July",
            "summary": "The municipal swimming pool is closed from 1 to 15 July for draining.",
            "body": "The pool closes from 1 to 15 July for draining. It reopens on 16 July.",
        }
    },
}


def published(org, **fields):
    announcement = create_announcement(org, **fields)
    with transaction.atomic():
        publish(announcement)
    announcement.refresh_from_db()
    return announcement


def sent_sms(settings) -> list[str]:
    folder = settings.OUTBOX_DIR / "sms"
    found = []
    for meta in sorted(folder.glob("*.meta.json")):
        data = json.loads(meta.read_text())
        if data["recipient"].startswith("question-"):
            found.append((folder / data["file"]).read_text())
    return found


def test_a_question_is_answered_with_the_announcements_summary_and_link(org, settings):
    citizen = create_citizen(org, topics=("eau",))  # not a recipient: anyone may ask
    water = published(org)
    published(org, **POOL)
    assert reply_of(text("Quand est-ce que l'eau revient rue des Lilas ?", citizen.phone)) is None
    question = Question.objects.get()
    assert (question.status, question.announcement_id) == ("answered", water.pk)
    assert question.reply_to == ""  # answered: the phone is forgotten
    [answer] = sent_sms(settings)
    assert answer.startswith("Coupure d'eau mardi de 8 h à 12 h rue des Lilas pour travaux.")
    assert answer.endswith(f"Détails : https://crieur.example.org/v/{water.verification_code}")
    assert Review.objects.get().verdict == "ok"


def test_the_answer_is_in_the_language_of_the_question(org, settings):
    citizen = create_citizen(org)
    published(org)
    pool = published(org, **POOL)
    reply_of(text("Is the swimming pool open in July?", citizen.phone))
    assert Question.objects.get().announcement_id == pool.pk
    [answer] = sent_sms(settings)
    assert answer.startswith("The municipal swimming pool is closed from 1 to 15 July")


def test_not_confident_passes_it_to_the_town_hall_then_the_agent_answers_by_sms(org, settings):
    citizen = create_citizen(org)
    published(org)
    published(org, **POOL)
    reply_of(text("Comment refaire ma carte d'identité ?", citizen.phone))
    question = Question.objects.get()
    assert question.status == "open" and question.reply_to == citizen.phone
    [passed] = sent_sms(settings)
    assert "transmise à la mairie" in passed
    agent = create_user(org)
    questions.answer_by_agent(
        question, "Prenez rendez-vous en mairie, service état civil.", actor=agent
    )
    question.refresh_from_db()
    assert (question.status, question.reply_to) == ("answered", "")
    assert sent_sms(settings)[-1] == "Prenez rendez-vous en mairie, service état civil."
    assert AuditEvent.objects.filter(action="question.answered", actor=agent).exists()
    assert Reply.objects.filter(question=question, status="sent").count() == 2


def test_only_current_announcements_answer(org, settings):
    citizen = create_citizen(org)
    old = published(org, **POOL)
    Announcement.objects.filter(pk=old.pk).update(published_at=timezone.now() - timedelta(days=400))
    expired = published(org)
    Announcement.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    reply_of(text("La piscine est-elle ouverte en juillet ?", citizen.phone))
    assert Question.objects.get().status == "open"


def test_spam_and_blocked_senders_get_no_reply_and_no_question(org):
    citizen = create_citizen(org)
    assert reply_of(text("Vous avez gagné ! Cliquez ici http://x.top/a", citizen.phone)) is None
    assert Review.objects.get().verdict == "spam"
    assert not Question.objects.exists()
    review = Review.objects.get()
    SenderBlock.objects.create(organisation=org, sender=review.sender)
    assert reply_of(text("Quand revient l'eau ?", citizen.phone)) is None
    assert Review.objects.latest("pk").decision == "blocked"
    assert not Question.objects.exists()
    assert InboundMessage.objects.count() == 2  # kept all the same


def test_an_insult_is_kept_for_review_with_its_reason(org):
    citizen = create_citizen(org)
    reply_of(text("Bande de connards, quand revient l'eau ?", citizen.phone))
    review = Review.objects.get()
    assert (review.verdict, review.reason) == ("to_review", "insult: connard (fr)")


def test_a_replayed_question_is_answered_once(org, settings):
    citizen = create_citizen(org)
    published(org)
    for _ in range(2):
        reply_of(text("Quand revient l'eau ?", citizen.phone, sid="SM" + "7" * 32))
    assert Question.objects.count() == 1
    assert len(sent_sms(settings)) == 1


def test_free_text_that_asks_nothing_gets_the_short_help(org):
    citizen = create_citizen(org)
    assert "non compris" in reply_of(text("bonjour", citizen.phone))
    assert "non compris" in reply_of(text("Merci, bien reçu", citizen.phone))
    assert not Question.objects.exists()
    assert Review.objects.count() == 2  # kept and classified all the same
