"""SMS keywords on the signed inbound webhook: join, stop, start, help, language."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client
from lxml import etree
from twilio.request_validator import RequestValidator

from gateway.audience.keywords import Command, Vocabulary, fold, parse
from gateway.models import AuditEvent, Citizen, Consent, Delivery, InboundMessage, Topic
from renderers.sms import analyse
from tests.factories import create_announcement, create_citizen, create_organisation

TOKEN = "keyword-test-token"
PUBLIC = "https://crieur.example.org"
PATH = "/hooks/twilio/sms"
_sid = itertools.count(1)


@pytest.fixture(autouse=True)
def _twilio_settings(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_URL = PUBLIC


@pytest.fixture
def org(db):
    org = create_organisation(sms_sender="+33757000000", sms_signature="Mairie St-Crieur")
    Topic.objects.filter(organisation=org, slug="travaux").update(keywords=["ROADWORKS"])
    return org


def text(body: str, phone: str = "+33611111111", *, signature: str | None = None):
    params = {
        "MessageSid": f"SM{next(_sid):032d}",
        "From": phone,
        "To": "+33757000000",
        "Body": body,
    }
    if signature is None:
        signature = RequestValidator(TOKEN).compute_signature(PUBLIC + PATH, params)
    response = Client().post(PATH, params, HTTP_X_TWILIO_SIGNATURE=signature)
    return response


def reply(response) -> str:
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.tag == "Response"
    [message] = root.findall("Message")
    return message.text


def sms_consent(phone="+33611111111"):
    return Consent.objects.get(citizen__phone=phone, channel="sms")


# parsing (pure) -------------------------------------------------------------------------------

WORDS = Vocabulary(
    topics={"travaux": "travaux", "roadworks": "travaux", "eau": "eau"},
    languages={"en": "en", "fr": "fr", "anglais": "en"},
)


@pytest.mark.parametrize(
    "body",
    [
        "STOP",
        " stop ",
        "Arrêt",
        "ARRET",
        "arrête.",
        "STOPALL",
        "Unsubscribe",
        "cancel",
        "END",
        "quit",
    ],
)
def test_every_stop_word_after_trimming_and_folding(body):
    assert parse(body, WORDS).command is Command.STOP


@pytest.mark.parametrize("body", ["START", "oui", "Yes", "unstop"])
def test_every_start_word(body):
    assert parse(body, WORDS).command is Command.START


@pytest.mark.parametrize("body", ["AIDE", "help", "Info"])
def test_every_help_word(body):
    assert parse(body, WORDS).command is Command.HELP


def test_join_with_topics_in_any_language_and_language_changes():
    assert parse("INSCRIPTION TRAVAUX", WORDS).topics == ("travaux",)
    assert parse("join roadworks eau", WORDS).topics == ("travaux", "eau")
    assert parse("Travaux", WORDS).command is Command.JOIN
    assert parse("inscription piscine", WORDS).unknown == ("piscine",)
    assert parse("LANGUE EN", WORDS).argument == "en"
    assert parse("language anglais", WORDS).argument == "en"
    assert parse("LANGUAGE xx", WORDS).argument == ""
    assert fold("  ÉCOLES ") == "ecoles"


# the webhook -----------------------------------------------------------------------------------


def test_unsigned_or_badly_signed_texts_are_refused(org):
    assert text("STOP", signature="").status_code == 403
    assert text("STOP", signature="bad").status_code == 403
    assert not Citizen.objects.exists()


def test_join_creates_a_subscriber_with_consent_evidence(org):
    answer = reply(text("INSCRIPTION TRAVAUX"))
    assert "TRAVAUX" in answer
    citizen = Citizen.objects.get(phone="+33611111111")
    assert citizen.channels == ["sms"] and citizen.language == "fr"
    assert list(citizen.topics.values_list("slug", flat=True)) == ["travaux"]
    consent = sms_consent()
    assert consent.granted and consent.source == "sms"
    assert consent.evidence.startswith("sms SM") and "join" in consent.evidence
    event = AuditEvent.objects.get(action="consent.granted")
    assert "+336" not in str(event.data)


def test_join_in_english_answers_in_english(org):
    answer = reply(text("JOIN ROADWORKS"))
    assert Citizen.objects.get().language == "en"
    assert answer.startswith("Subscribed")


def test_stop_then_start_and_an_opt_out_of_an_unknown_phone_is_kept(org):
    from gateway.audience.suppression import is_suppressed

    create_citizen(org, phone="+33611111111", channels=("sms",))
    assert "START" in reply(text("arrêt"))
    assert not sms_consent().granted
    reply(text("START"))
    assert sms_consent().granted
    reply(text("STOP", phone="+33622222222"))
    # kept on the suppression list (a keyed hash): no citizen, no number stored
    assert not Citizen.objects.filter(phone="+33622222222").exists()
    assert is_suppressed(org, "+33622222222", "sms")
    assert AuditEvent.objects.filter(action="consent.withdrawn").count() == 1


def test_a_household_phone_stops_every_member(org):
    a = create_citizen(org, phone="+33611111111")
    b = create_citizen(org, phone="+33611111111")
    reply(text("STOP"))
    assert set(Consent.objects.filter(citizen__in=[a, b]).values_list("granted", flat=True)) == {
        False
    }


def test_language_change_answers_in_the_new_language(org):
    create_citizen(org, phone="+33611111111")
    answer = reply(text("LANGUE EN"))
    assert Citizen.objects.get().language == "en"
    assert "English" in answer
    assert reply(text("aide")).startswith("Mairie St-Crieur")
    assert "JOIN" in reply(text("help"))  # now in English


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "body",
    [
        "INSCRIPTION TRAVAUX EAU",
        "JOIN",
        "STOP",
        "START",
        "AIDE",
        "LANGUE XX",
        "inscription piscine",
        "bonjour",
    ],
)
def test_every_reply_fits_one_sms_segment(org, language, body):
    create_citizen(org, phone="+33611111111", language=language)
    answer = reply(text(body))
    assert analyse(answer).segments == 1, (answer, analyse(answer))


def test_every_text_is_kept_as_a_reply_for_the_agents_without_the_phone(org):
    citizen = create_citizen(org, phone="+33611111111")
    announcement = create_announcement(org)
    Delivery.objects.create(
        announcement=announcement, citizen=citizen, channel="sms", locale="fr", status="delivered"
    )
    reply(text("Merci, bien reçu"))
    reply(text("STOP"))
    reply(text("INSCRIPTION TRAVAUX", phone="+33622222222"))
    kept = list(InboundMessage.objects.order_by("pk"))
    assert [(m.body, m.keyword, m.announcement_id) for m in kept] == [
        ("Merci, bien reçu", "", announcement.pk),
        ("STOP", "stop", announcement.pk),
        ("INSCRIPTION TRAVAUX", "join", None),
    ]
    assert kept[0].citizen == citizen and kept[2].citizen.phone == "+33622222222"
    assert all(m.provider_ref.startswith("SM") for m in kept)
