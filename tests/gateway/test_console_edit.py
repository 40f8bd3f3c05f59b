"""Editing a draft or a sent-back announcement from the console, the approver's reason, the
workflow history, and the confirmation before cancelling."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gateway import publishing
from gateway.models import Announcement, Role, Status
from tests.factories import create_announcement, create_organisation, create_user

pytestmark = pytest.mark.django_db(transaction=True)

EDIT = {
    "locale": "fr",
    "title": "Coupure d'eau rue des Lilas",
    "summary": "Coupure d'eau mardi de 8 h à 12 h rue des Lilas.",
    "body": "L'eau sera coupée mardi matin.",
    "urgency": "important",
    "topics": ["travaux"],
    "contact": "",
    "links": "",
    "title_en": "Water cut",
    "summary_en": "Water cut on Tuesday.",
    "body_en": "No water on Tuesday morning.",
}


@pytest.fixture
def org():
    return create_organisation(sms_policy="off")


@pytest.fixture
def author(org):
    return create_user(org, Role.AUTHOR)


@pytest.fixture
def approver(org):
    return create_user(org, Role.APPROVER)


def sent_back(org, author, approver, reason="Précisez la rue"):
    announcement = create_announcement(org, approved=False, author=author)
    publishing.submit(announcement, actor=author)
    publishing.reject(announcement, actor=approver, reason=reason)
    return announcement


def test_a_sent_back_draft_shows_the_reason_is_edited_and_resubmitted(
    client, org, author, approver
):
    announcement = sent_back(org, author, approver)
    client.force_login(author)
    home = client.get(reverse("console:home")).content.decode()
    assert "Précisez la rue" in home
    page = client.get(reverse("console:announcement", args=[announcement.pk])).content.decode()
    assert "Précisez la rue" in page and reverse("console:edit", args=[announcement.pk]) in page
    form = client.get(reverse("console:edit", args=[announcement.pk])).content.decode()
    assert "Précisez la rue" in form and announcement.text().title in form

    response = client.post(
        reverse("console:edit", args=[announcement.pk]), {**EDIT, "then": "submit"}
    )
    assert response.status_code == 302
    announcement = Announcement.objects.get(pk=announcement.pk)
    assert announcement.status == Status.PENDING_APPROVAL
    assert announcement.urgency == "important"
    assert announcement.text("fr").title == "Coupure d'eau rue des Lilas"
    assert announcement.text("en").title == "Water cut"
    assert announcement.last_editor == author

    page = client.get(reverse("console:announcement", args=[announcement.pk])).content.decode()
    history = page.split('data-testid="history"')[1]
    order = [
        "Créée",
        "Envoyée pour approbation",
        "Renvoyée à l’auteur",
        "Modifiée",
        "Envoyée pour approbation",
    ]
    at = 0
    for word in order:  # in this order, oldest first
        at = history.index(word, at) + len(word)
    assert "Précisez la rue" in history and approver.username in history
    assert 'data-testid="sent-back"' not in page  # resubmitted: no longer sent back


def test_an_edit_with_a_missing_title_keeps_what_was_typed(client, org, author):
    announcement = create_announcement(org, approved=False, author=author)
    client.force_login(author)
    response = client.post(
        reverse("console:edit", args=[announcement.pk]), {**EDIT, "title": "", "then": "draft"}
    )
    assert response.status_code == 200
    assert "Water cut" in response.content.decode()
    assert Announcement.objects.get(pk=announcement.pk).text().title != ""


def test_a_sent_announcement_cannot_be_edited(client, org, author):
    announcement = create_announcement(org, author=author)
    Announcement.objects.filter(pk=announcement.pk).update(status=Status.SENT)
    client.force_login(author)
    response = client.post(reverse("console:edit", args=[announcement.pk]), EDIT)
    assert response.status_code == 302
    assert Announcement.objects.get(pk=announcement.pk).text().title != EDIT["title"]


def test_another_organisations_announcement_cannot_be_edited(client, author):
    other = create_announcement(create_organisation(), approved=False)
    client.force_login(author)
    assert client.get(reverse("console:edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("console:edit", args=[other.pk]), EDIT).status_code == 404


def test_the_edit_form_lists_every_translation_and_keeps_the_source_language(client, org, author):
    announcement = create_announcement(org, approved=False, author=author)
    client.force_login(author)
    form = client.get(reverse("console:edit", args=[announcement.pk])).content.decode()
    for code in ("fr", "en", "es", "pt", "ar", "br"):
        assert f'data-locale="{code}"' in form  # hidden by CSS when it is the source language
    assert '<option value="en"' not in form.split('name="locale"')[1].split("</select>")[0]
