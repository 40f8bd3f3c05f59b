"""The conversation API: a poll through PUT, live results per channel, language and area, the
CSV export, the moderation queue and its decisions (audited), word lists, questions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from channels.facebook import FacebookChannel, FacebookConfig
from gateway.conversation import social
from gateway.conversation.models import Review, SenderBlock
from gateway.models import AuditEvent, Role
from gateway.publishing import publish
from tests.factories import create_announcement, create_api_key, create_citizen
from tests.fakes.social import FakeFacebook
from tests.gateway.conversation.factories import POLL, reply_of, signed_post, text

pytestmark = pytest.mark.django_db(transaction=True)


def api(org, role=Role.ADMIN) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(org, role)}")


def put_poll(client, announcement_id, **fields):
    body = {**POLL, "closes_at": (timezone.now() + timedelta(days=7)).isoformat(), **fields}
    return client.put(f"/api/polls/{announcement_id}", body, content_type="application/json")


def test_a_poll_is_created_answered_and_counted_per_channel_language_and_area(org):
    client = api(org, Role.AUTHOR)
    fr = create_citizen(org, area="centre")
    en = create_citizen(org, area="nord", language="en")
    caller = create_citizen(
        org, channels=("voice",), area="nord", is_mobile=False, phone="+33141000001"
    )
    announcement = create_announcement(org)
    created = put_poll(client, announcement.pk)
    assert created.status_code == 200, created.content
    assert created.json()["answers"] == ["Oui", "Non", "Sans avis"]
    with transaction.atomic():
        publish(announcement)
    reply_of(text("1", fr.phone))
    reply_of(text("no", en.phone))
    voice = announcement.deliveries.get(citizen=caller)
    signed_post(f"/hooks/twilio/voice/{voice.pk}/menu", {"Digits": "1", "CallSid": "CA" + "1" * 32})
    data = client.get(f"/api/polls/{announcement.pk}").json()
    assert data["total"] == 3 and data["open"] is True
    assert [(r["number"], r["count"], r["percent"]) for r in data["results"]] == [
        (1, 2, 66.7),
        (2, 1, 33.3),
        (3, 0, 0.0),
    ]
    assert {r["value"]: [c["count"] for c in r["cells"]] for r in data["by_channel"]} == {
        "sms": [1, 1, 0],
        "voice": [1, 0, 0],
    }
    assert {r["value"]: r["total"] for r in data["by_locale"]} == {"fr": 2, "en": 1}
    assert {r["value"]: r["total"] for r in data["by_area"]} == {"Centre": 1, "Nord": 2}


def test_a_published_announcements_poll_cannot_change(org):
    client = api(org)
    announcement = create_announcement(org)
    put_poll(client, announcement.pk)
    with transaction.atomic():
        publish(announcement)
    again = put_poll(client, announcement.pk, question="Autre chose ?")
    assert again.status_code == 409


def test_bad_poll_input_is_a_422_naming_the_field(org):
    client = api(org)
    announcement = create_announcement(org)
    response = put_poll(client, announcement.pk, answers=["Oui", "oui"])
    assert response.status_code == 422
    assert response.json()["detail"] == "answers.2: same words as answer 1"
    naive = put_poll(client, announcement.pk, closes_at="2030-01-01T10:00:00")
    assert naive.status_code == 422 and naive.json()["detail"].startswith("closes_at:")


def test_the_csv_export_neutralises_formulas(org):
    client = api(org)
    citizen = create_citizen(org)
    announcement = create_announcement(org)
    put_poll(
        client,
        announcement.pk,
        answers=['=HYPERLINK("http://x")', "+1 oui", "@non"],
        translations={"en": {"question": "Q?", "answers": ["-yes", "no", "maybe"]}},
    )
    with transaction.atomic():
        publish(announcement)
    reply_of(text("1", citizen.phone))
    response = client.get(f"/api/polls/{announcement.pk}/results.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["dimension", "value", "answer_number", "answer", "count", "percent"]
    assert rows[1] == ["total", "", "1", '\'=HYPERLINK("http://x")', "1", "100.0"]
    assert rows[2][3] == "'+1 oui" and rows[3][3] == "'@non"
    assert ["channel", "sms", "1", '\'=HYPERLINK("http://x")', "1", "100.0"] in rows


def flagged(org, body="Bande de connards"):
    citizen = create_citizen(org)
    reply_of(text(body, citizen.phone))
    return Review.objects.latest("pk")


def test_the_moderation_queue_and_decisions_are_audited(org):
    client = api(org, Role.AUTHOR)
    review = flagged(org)
    queue = client.get("/api/moderation").json()
    assert [(r["id"], r["verdict"], r["reason"]) for r in queue] == [
        (review.pk, "to_review", "insult: connard (fr)")
    ]
    blocked = client.post(
        f"/api/moderation/{review.pk}/decide",
        {"decision": "blocked"},
        content_type="application/json",
    )
    assert blocked.json()["decision"] == "blocked"
    assert SenderBlock.objects.filter(organisation=org, sender=review.sender).exists()
    assert client.get("/api/moderation").json() == []
    event = AuditEvent.objects.get(action="moderation.blocked")
    assert event.data["before"] == "pending" and event.actor is not None
    hide = client.post(
        f"/api/moderation/{review.pk}/decide",
        {"decision": "hidden"},
        content_type="application/json",
    )
    assert hide.status_code == 409  # an SMS is no comment on a network


def test_a_facebook_comment_is_fetched_classified_and_hidden_by_an_agent(org, monkeypatch):
    with FakeFacebook(page_id="1234567890", token="page-token-9999") as fake:
        channel = FacebookChannel(
            FacebookConfig("1234567890", "page-token-9999", base_url=fake.base_url)
        )
        monkeypatch.setattr(social, "social_channels", lambda organisation: {"facebook": channel})
        fake.posts.append({"id": "1234567890_1", "message": "Coupure d'eau"})
        comment = fake.comment("1234567890_1", "Espèce de gros con, je vais vous tuer")
        fake.comment("1234567890_1", "Merci pour l'info")
        assert social.fetch_all() == 2
        assert social.fetch_all() == 0  # kept once: cursor and unique comment id
        review = Review.objects.get(comment_ref=comment)
        assert (review.verdict, review.network, review.author) == (
            "to_review",
            "facebook",
            "Jean Public",
        )
        response = api(org).post(
            f"/api/moderation/{review.pk}/decide",
            {"decision": "hidden"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        assert fake.comments[comment]["is_hidden"] is True
        assert AuditEvent.objects.filter(action="moderation.hidden").exists()


def test_word_lists_are_editable_per_organisation_with_allow_lists(org):
    client = api(org)
    added = client.post(
        "/api/moderation/words",
        {"term": "guignol", "allowed": True},
        content_type="application/json",
    )
    assert added.status_code == 201
    review = flagged(org, "Le maire est un guignol, quand revient l'eau ?")
    assert review.verdict == "ok"
    client.post(
        "/api/moderation/words",
        {"term": "tocard", "category": "insult"},
        content_type="application/json",
    )
    assert flagged(org, "Quel tocard, quand revient l'eau ?").reason == "insult: tocard"
    bad = client.post(
        "/api/moderation/words", {"term": "truc", "category": ""}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["detail"].startswith("category:")
    word_id = client.get("/api/moderation/words").json()[0]["id"]
    assert client.delete(f"/api/moderation/words/{word_id}").status_code == 204


def test_questions_are_listed_answered_and_closed(org, settings):
    client = api(org, Role.AUTHOR)
    citizen = create_citizen(org)
    reply_of(text("Quand ouvre la nouvelle crèche ?", citizen.phone))
    [question] = client.get("/api/questions").json()
    assert question["status"] == "open" and question["citizen"] == citizen.reference
    answered = client.post(
        f"/api/questions/{question['id']}/answer",
        {"text": "En septembre, rue des Écoles."},
        content_type="application/json",
    )
    assert answered.status_code == 200
    assert answered.json()["replies"][-1] == "En septembre, rue des Écoles."
    closed = client.post(f"/api/questions/{question['id']}/close")
    assert closed.json()["status"] == "closed"
    again = client.post(
        f"/api/questions/{question['id']}/answer",
        {"text": "Encore"},
        content_type="application/json",
    )
    assert again.status_code == 409
