"""Answering a poll by SMS through the signed Twilio hook: digits and words in any language,
once per phone, first or last answer, replays, help once, who may answer."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gateway.conversation.models import Ballot, PollAnswer, Question
from gateway.conversation.polls import PollError, save_poll
from gateway.models import Consent, InboundMessage
from tests.factories import create_announcement, create_citizen
from tests.gateway.conversation.factories import create_poll, new_sid, poll_data, reply_of, text

pytestmark = pytest.mark.django_db(transaction=True)


def counted(poll) -> dict[int, int]:
    return {
        a.choice: PollAnswer.objects.filter(poll=poll, choice=a.choice).count()
        for a in PollAnswer.objects.filter(poll=poll)
    }


@pytest.mark.parametrize(
    ("body", "choice"),
    [
        ("1", 1),
        (" 2. ", 2),
        ("#3", 3),
        ("٢", 2),
        ("oui", 1),
        ("NON !", 2),
        ("Sans AVIS", 3),
        ("No", 2),
        ("yes", 1),
        ("2 non", 2),
    ],
)
def test_a_digit_or_an_answers_words_in_any_language_is_counted(org, body, choice):
    citizen = create_citizen(org)
    poll = create_poll(org)
    answer = reply_of(text(body, citizen.phone))
    assert answer.startswith("Merci, votre réponse")
    [row] = PollAnswer.objects.filter(poll=poll)
    assert (row.choice, row.channel, row.citizen_id) == (choice, "sms", citizen.pk)
    assert InboundMessage.objects.get(keyword="poll").announcement_id == poll.announcement_id


def test_the_reply_is_in_the_citizens_language(org):
    citizen = create_citizen(org, language="en")
    create_poll(org)
    assert reply_of(text("2", citizen.phone)) == 'Thank you, your answer "No" is recorded.'


def test_oui_answers_the_poll_rather_than_being_the_start_keyword_but_stop_always_wins(org):
    citizen = create_citizen(org)
    poll = create_poll(org)
    reply_of(text("OUI", citizen.phone))
    assert PollAnswer.objects.get(poll=poll).choice == 1
    reply_of(text("STOP", citizen.phone))
    assert Consent.objects.get(citizen=citizen, channel="sms").granted is False


def test_a_replayed_webhook_never_counts_twice(org):
    citizen = create_citizen(org)
    poll = create_poll(org, counts="last")
    sid = new_sid()
    reply_of(text("1", citizen.phone, sid=sid))
    reply_of(text("2", citizen.phone))
    reply_of(text("1", citizen.phone, sid=sid))  # Twilio replays the first message
    assert PollAnswer.objects.get(poll=poll).choice == 2
    assert Ballot.objects.filter(poll=poll).count() == 2


def test_the_last_answer_counts_when_the_organisation_says_so(org):
    citizen = create_citizen(org)
    poll = create_poll(org, counts="last")
    reply_of(text("1", citizen.phone))
    assert "changée" in reply_of(text("2", citizen.phone))
    row = PollAnswer.objects.get(poll=poll)
    assert (row.choice, row.changed) == (2, 1)


def test_the_first_answer_counts_when_the_organisation_says_so(org):
    citizen = create_citizen(org)
    poll = create_poll(org, counts="first")
    reply_of(text("1", citizen.phone))
    assert "première réponse" in reply_of(text("2", citizen.phone))
    assert PollAnswer.objects.get(poll=poll).choice == 1


def test_a_phone_answers_once_for_its_whole_household(org):
    first = create_citizen(org)
    create_citizen(org, phone=first.phone)
    poll = create_poll(org)
    reply_of(text("1", first.phone))
    reply_of(text("1", first.phone))
    assert PollAnswer.objects.filter(poll=poll).count() == 1


def test_anything_else_gets_the_help_once_then_goes_on_as_free_text(org):
    citizen = create_citizen(org)
    poll = create_poll(org)
    help_text = reply_of(text("peut-être", citizen.phone))
    assert help_text.startswith("Consultation : Faut-il ouvrir le square le dimanche ?")
    assert "1 Oui, 2 Non, 3 Sans avis" in help_text
    assert "non compris" in reply_of(text("bof bof", citizen.phone))  # free text now
    reply_of(text("Et le square du nord ?", citizen.phone))  # a question: answered by SMS
    assert not PollAnswer.objects.filter(poll=poll).exists()
    assert Ballot.objects.filter(poll=poll, choice__isnull=True).count() == 2  # both kept
    assert Question.objects.get().inbound.body == "Et le square du nord ?"


def test_a_number_that_did_not_receive_the_announcement_cannot_answer(org):
    create_citizen(org)
    poll = create_poll(org)
    stranger = "+33611223344"
    reply = reply_of(text("1", stranger))
    assert "non compris" in reply
    assert not PollAnswer.objects.filter(poll=poll).exists()


def test_subscribers_of_the_areas_may_answer_without_having_received_it(org):
    announcement = create_announcement(org, areas=["nord"])
    poll = create_poll(org, announcement=announcement, voters="subscribers", publish_it=False)
    announcement.published_at = timezone.now()
    announcement.status = "sent"
    announcement.save()
    north = create_citizen(org, area="nord")
    centre = create_citizen(org, area="centre")
    reply_of(text("1", north.phone))
    reply_of(text("1", centre.phone))
    assert [a.citizen_id for a in PollAnswer.objects.filter(poll=poll)] == [north.pk]


def test_a_closed_poll_counts_nothing_more(org):
    citizen = create_citizen(org)
    poll = create_poll(org)
    type(poll).objects.filter(pk=poll.pk).update(closes_at=timezone.now())
    assert "non compris" in reply_of(text("1", citizen.phone))  # no open poll for it any more
    assert not PollAnswer.objects.filter(poll=poll).exists()


def test_the_sms_carries_the_question_and_answers(org, settings):
    create_citizen(org)
    poll = create_poll(org)
    [sent] = list((settings.OUTBOX_DIR / "sms").glob("*.txt"))
    body = sent.read_text()
    assert "Consultation : Faut-il ouvrir le square le dimanche ?" in body
    assert "Répondez par SMS : 1 Oui, 2 Non, 3 Sans avis" in body
    assert poll.announcement.renditions.get(form="sms", locale="fr").text == body


def test_a_poll_too_long_for_the_sms_is_refused_naming_the_field(org):
    announcement = create_announcement(org)
    org.sms_max_parts = 1
    org.save()
    with pytest.raises(PollError, match="question: with the poll, the SMS in 'fr' cannot fit"):
        save_poll(announcement, poll_data(question="Pourquoi " * 30 + "?"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"answers": ["Oui"]}, "answers: a poll has 2 to 9 answers, not 1"),
        ({"answers": [str(i) + " x" for i in range(10)]}, "answers: a poll has 2 to 9"),
        ({"answers": ["Oui", "oui"]}, "answers.2: same words as answer 1"),
        ({"question": ""}, "question: required"),
        ({"translations": {}}, "translations.en: the announcement is written in 'en'"),
        (
            {"translations": {"en": {"question": "Q?", "answers": ["Yes", "No"]}}},
            "translations.en.answers: 2 answers, the poll has 3",
        ),
        ({"closes_at": None}, "closes_at: required"),
        ({"counts": "middle"}, "counts: one of first, last"),
        ({"answers": ["Oui", "x" * 101, "Non"]}, "answers.2: at most 100 characters"),
    ],
)
def test_bad_polls_are_refused_with_the_field(org, fields, message):
    with pytest.raises(PollError, match=message.replace("(", r"\(").replace(")", r"\)")):
        save_poll(create_announcement(org), poll_data(**fields))
