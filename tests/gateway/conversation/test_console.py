"""The console pages of the conversation through the test client: adding a poll to a draft,
live results with the chart and the CSV, the moderation queue, questions, counts on the home."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gateway.conversation.models import Poll, Question, Review
from gateway.models import AuditEvent, Role
from gateway.publishing import publish
from tests.factories import create_announcement, create_citizen, create_organisation, create_user
from tests.gateway.conversation.factories import reply_of, text

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def agent(org):
    return create_user(org, Role.ADMIN)


def login(client, user):
    client.force_login(user)
    return client


def form_for(announcement, **fields):
    closes = (timezone.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    return {
        "question_fr": "Faut-il ouvrir le square le dimanche ?",
        "answers_fr": "Oui\nNon",
        "question_en": "Should the park open on Sundays?",
        "answers_en": "Yes\nNo",
        "closes_at": closes,
        "counts": "last",
        "voters": "recipients",
        **fields,
    }


def test_an_agent_adds_a_poll_to_a_draft_and_sees_results_live(client, org, agent):
    login(client, agent)
    citizen = create_citizen(org)
    announcement = create_announcement(org)
    page = client.get(reverse("console:announcement", args=[announcement.pk]))
    assert "Ajouter une consultation" in page.content.decode()
    response = client.post(
        reverse("console:poll-edit", args=[announcement.pk]), form_for(announcement)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Poll.objects.get().texts.count() == 2
    with transaction.atomic():
        publish(announcement)
    reply_of(text("oui", citizen.phone))
    results = client.get(reverse("console:poll-results", args=[announcement.pk])).content.decode()
    assert 'data-testid="total">Réponses : 1<' in results
    assert "<svg" in results and "1. Oui" in results and "1 (100,0\xa0%)" in results
    assert 'hx-trigger="every 5s"' in results  # live while open
    csv = client.get(reverse("console:poll-csv", args=[announcement.pk]))
    assert (
        csv["Content-Type"].startswith("text/csv")
        and b'"total","","1","Oui","1","100.0"' in csv.content
    )
    # once published, the poll can no longer change: the edit page leads to the results
    assert client.get(reverse("console:poll-edit", args=[announcement.pk])).status_code == 302


def test_poll_problems_are_shown_next_to_their_field(client, org, agent):
    login(client, agent)
    announcement = create_announcement(org)
    response = client.post(
        reverse("console:poll-edit", args=[announcement.pk]),
        form_for(announcement, answers_en="Yes\nNo\nMaybe"),
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in html
    assert re.search(r'id_answers_en-error">3 answers, the poll has 2<', html)
    assert not Poll.objects.exists()


def test_the_moderation_queue_shows_the_reason_and_records_decisions(client, org, agent):
    login(client, agent)
    citizen = create_citizen(org)
    reply_of(text("Espèce de connard, quand revient l'eau ?", citizen.phone))
    home = client.get(reverse("console:home")).content.decode()
    assert "À relire : 1" in home and "Questions en attente" in home
    page = client.get(reverse("console:moderation")).content.decode()
    assert "insult: connard (fr)" in page and "Espèce de connard" in page
    review = Review.objects.get()
    client.post(reverse("console:moderation-decide", args=[review.pk]), {"decision": "fine"})
    review.refresh_from_db()
    assert review.decision == "fine" and review.decided_by == agent
    assert AuditEvent.objects.filter(action="moderation.fine", actor=agent).exists()
    assert "Aucun message à relire" in client.get(reverse("console:moderation")).content.decode()


def test_admins_edit_the_word_lists(client, org, agent):
    login(client, agent)
    client.post(reverse("console:moderation-words"), {"term": "guignol", "kind": "allowed"})
    assert "guignol — autorisé" in client.get(reverse("console:moderation")).content.decode()
    author = create_user(org, Role.AUTHOR)
    login(client, author)
    refused = client.post(reverse("console:moderation-words"), {"term": "x", "kind": "insult"})
    assert refused.status_code == 403


def test_an_agent_answers_a_question_passed_to_the_town_hall(client, org, agent, settings):
    login(client, agent)
    citizen = create_citizen(org)
    reply_of(text("Quand ouvre la nouvelle crèche ?", citizen.phone))
    question = Question.objects.get()
    page = client.get(reverse("console:questions")).content.decode()
    assert "Quand ouvre la nouvelle crèche ?" in page
    client.post(
        reverse("console:question-act", args=[question.pk]),
        {"action": "answer", "text": "En septembre, rue des Écoles."},
    )
    question.refresh_from_db()
    assert question.status == "answered"
    assert (
        "En septembre, rue des Écoles." in client.get(reverse("console:questions")).content.decode()
    )


def test_another_organisations_poll_and_messages_are_404(client, org):
    other = create_organisation(sms_sender="+33757000099")
    announcement = create_announcement(other)
    login(client, create_user(org))
    assert client.get(reverse("console:poll-edit", args=[announcement.pk])).status_code == 404
    citizen = create_citizen(other, phone="+33698765432")
    from tests.gateway.conversation.factories import signed_post

    signed_post(
        "/hooks/twilio/sms",
        {
            "MessageSid": "SM" + "9" * 32,
            "From": citizen.phone,
            "To": other.sms_sender,
            "Body": "Bande de connards",
        },
    )
    review = Review.objects.first()
    if review is not None:
        response = client.post(
            reverse("console:moderation-decide", args=[review.pk]), {"decision": "fine"}
        )
        assert response.status_code == 404


def test_the_chart_uses_whole_pixels_whatever_the_language(client, org, agent):
    """A float in a template takes the reader's decimal comma (`28,2`), which SVG rejects."""
    login(client, agent)
    citizens = [create_citizen(org) for _ in range(3)]
    from tests.gateway.conversation.factories import create_poll

    poll = create_poll(org)
    for citizen, body in zip(citizens, ["1", "1", "2"], strict=True):
        reply_of(text(body, citizen.phone))
    html = client.get(reverse("console:poll-results", args=[poll.announcement_id])).content
    svg = html.decode().split("<svg", 1)[1].split("</svg>", 1)[0]
    numbers = re.findall(r'\s(?:x|y|width|height)="([^"]*)"', svg)
    assert numbers and all(n.isdigit() for n in numbers), numbers


def test_a_forged_word_removal_is_a_404_not_a_500(client, org, agent):
    login(client, agent)
    for value in ("abc", "999999", ""):
        response = client.post(reverse("console:moderation-words"), {"remove": value})
        assert response.status_code == 404
