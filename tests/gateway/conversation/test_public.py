"""The public pages: answering a poll on the web (a phone checked by an SMS code, or a signed
link), public results after closing, a question typed on the verification page."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from gateway.conversation.models import Poll, PollAnswer, Question
from gateway.conversation.public import poll_link
from gateway.conversation.questions import answer_by_agent
from tests.factories import create_announcement, create_citizen, create_user
from tests.gateway.conversation.factories import create_poll

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh(fresh_buckets):
    pass


def code_sent(settings, phone_reference="poll-") -> str:
    folder = settings.OUTBOX_DIR / "sms"
    for meta in sorted(folder.glob("*.meta.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        data = json.loads(meta.read_text())
        if data["recipient"].startswith(phone_reference):
            return re.search(r"\d{6}", (folder / data["file"]).read_text()).group(0)
    raise AssertionError("no code sent")


def test_a_recipient_answers_on_the_web_after_an_sms_code(org, settings):
    citizen = create_citizen(org)
    poll = create_poll(org)
    url = f"/v/{poll.announcement.verification_code}/consultation"
    client = Client()
    page = client.get(url).content.decode()
    assert "Faut-il ouvrir le square le dimanche ?" in page and 'name="phone"' in page
    sent = client.post(url, {"action": "phone", "phone": "06" + citizen.phone[4:]})
    assert "un code à 6 chiffres" in sent.content.decode()
    wrong = client.post(url, {"action": "code", "code": "000000"})
    assert wrong.status_code == 422 and "Essais restants : 4" in wrong.content.decode()
    ok = client.post(url, {"action": "code", "code": code_sent(settings)})
    assert 'name="choice"' in ok.content.decode()
    voted = client.post(url, {"action": "vote", "choice": "2"})
    assert "Merci, votre réponse « Non » est enregistrée." in voted.content.decode()
    answer = PollAnswer.objects.get(poll=poll)
    assert (answer.choice, answer.channel, answer.citizen_id) == (2, "web", citizen.pk)


def test_a_phone_that_did_not_receive_it_gets_the_same_page_and_no_code(org, settings):
    create_citizen(org)
    poll = create_poll(org)
    url = f"/v/{poll.announcement.verification_code}/consultation"
    client = Client()
    response = client.post(url, {"action": "phone", "phone": "+33611223344"})
    assert "un code à 6 chiffres" in response.content.decode()  # says nothing of who received
    assert not list((settings.OUTBOX_DIR / "sms").glob("*poll-code*"))
    with pytest.raises(AssertionError):
        code_sent(settings)


def test_a_signed_link_lets_its_citizen_answer_once_and_web_and_sms_share_the_phone(org):
    citizen = create_citizen(org, language="en")
    poll = create_poll(org, counts="first")
    delivery = poll.announcement.deliveries.get(citizen=citizen)
    link = poll_link(delivery).removeprefix("https://crieur.example.org")
    client = Client()
    page = client.get(link).content.decode()
    assert "Should the park open on Sundays?" in page and 'name="choice"' in page
    client.post(link, {"action": "vote", "choice": "1"})
    second = client.post(link, {"action": "vote", "choice": "2"})
    assert PollAnswer.objects.get(poll=poll).choice == 1
    assert second.status_code == 200
    forged = Client().get(link[:-3] + "abc").content.decode()
    assert 'name="choice"' not in forged


def test_results_are_public_after_closing_only_when_chosen(org):
    create_citizen(org)
    poll = create_poll(org, public_results=True)
    url = f"/v/{poll.announcement.verification_code}/consultation/resultats"
    assert Client().get(url).status_code == 404  # still open
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now())
    page = Client().get(url)
    assert page.status_code == 200 and "<svg" in page.content.decode()
    verification = Client().get(f"/v/{poll.announcement.verification_code}").content.decode()
    assert "Voir les résultats" in verification
    Poll.objects.filter(pk=poll.pk).update(public_results=False)
    assert Client().get(url).status_code == 404


def test_the_verification_page_links_to_the_open_poll_and_takes_questions(org):
    create_citizen(org)
    poll = create_poll(org)
    code = poll.announcement.verification_code
    page = Client().get(f"/v/{code}").content.decode()
    assert f'href="/v/{code}/consultation"' in page and 'name="question"' in page
    asked = Client().post(
        f"/v/{code}/question", {"question": "Quand revient l'eau rue des Lilas ?"}
    )
    assert asked.status_code == 302
    answer = Client().get(asked["Location"]).content.decode()
    assert 'data-testid="answer"' in answer and "Coupure d’eau mardi" in answer


def test_an_unanswered_web_question_shows_the_agents_answer_at_its_private_link(org):
    create_citizen(org)
    poll = create_poll(org)
    code = poll.announcement.verification_code
    asked = Client().post(f"/v/{code}/question", {"question": "Comment refaire mon passeport ?"})
    page = Client().get(asked["Location"]).content.decode()
    assert "transmise à la mairie" in page
    question = Question.objects.get()
    answer_by_agent(question, "Sur rendez-vous en mairie.", actor=create_user(org))
    assert "Sur rendez-vous en mairie." in Client().get(asked["Location"]).content.decode()
    assert Client().get(f"/v/{code}/question/not-a-token").status_code == 404


def test_an_empty_question_is_refused_with_a_message_next_to_the_field(org):
    announcement = create_announcement(org)
    create_poll(org, announcement=announcement)
    response = Client().post(f"/v/{announcement.verification_code}/question", {"question": " "})
    assert response.status_code == 422 and "Écrivez votre question" in response.content.decode()
