"""A citizen's question answered through a real `crieur worker` process: the hook stores it,
the worker matches it against the current announcements and texts the answer through the
organisation's Twilio account (the fake), once. Default stack here; Redis and PostgreSQL in CI."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from gateway.celery import app
from gateway.conversation.models import Question, Reply
from gateway.publishing import publish
from tests.factories import create_announcement, create_citizen
from tests.fakes.twilio import FakeTwilio
from tests.gateway.conversation.factories import reply_of, text
from tests.gateway.test_worker import wait_until_sent
from tests.gateway.workerproc import WorkerProcess

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fake_twilio():
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def worker(fake_twilio, tmp_path, settings):
    settings.TWILIO_AUTH_TOKEN = fake_twilio.auth_token  # the hook checks Twilio's signature
    app.control.purge()
    process = WorkerProcess(fake_twilio, tmp_path / "outbox").start()
    yield process
    output = process.stop()
    assert "Traceback" not in output, output


def wait_for(condition, timeout=180.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError("timed out")


def test_a_question_is_answered_by_sms_through_a_worker_process(
    worker, fake_twilio, org, monkeypatch
):
    monkeypatch.setattr("tests.gateway.conversation.factories.TOKEN", fake_twilio.auth_token)
    citizen = create_citizen(org)
    announcement = create_announcement(org)
    with transaction.atomic():
        publish(announcement)
    wait_until_sent(announcement)
    assert reply_of(text("Quand est-ce que l'eau revient rue des Lilas ?", citizen.phone)) is None
    wait_for(lambda: Reply.objects.filter(status="sent").exists())
    question = Question.objects.get()
    assert (question.status, question.announcement_id) == ("answered", announcement.pk)
    answers = [
        m
        for m in fake_twilio.messages
        if m["body"].startswith("Coupure d'eau") and "Détails" in m["body"]
    ]
    assert len(answers) == 1 and answers[0]["to"] == citizen.phone
    assert Reply.objects.get().provider_ref == answers[0]["sid"]
