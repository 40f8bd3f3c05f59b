"""The reach estimate is kept until the announcement's target or the audience changes.

Each test asks once, changes one thing through the code path an agent or a citizen uses, and
asks again: the second answer must count the change, never the kept estimate."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from gateway.audience.consents import set_consent
from gateway.audience.gdpr import erase_citizen
from gateway.models import Topic
from gateway.routing import reach as reach_module
from tests.factories import create_announcement, create_api_key, create_citizen, create_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(monkeypatch):
    org = create_organisation()
    citizens = [create_citizen(org, channels=("sms",)) for _ in range(3)]
    announcement = create_announcement(org, approved=False)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(org)}")
    computed = []
    real = reach_module.estimate_reach

    def counting(*args, **kwargs):
        computed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(reach_module, "estimate_reach", counting)

    def reach() -> dict:
        response = client.get(f"/api/announcements/{announcement.pk}/reach")
        assert response.status_code == 200, response.content
        return response.json()

    return org, citizens, announcement, reach, computed


def test_the_estimate_is_computed_once_while_nothing_changes(town):
    _, _, _, reach, computed = town
    first = reach()
    assert first["citizens"] == 3 and first["computed_at"]
    assert reach() == first
    assert len(computed) == 1


def test_a_new_citizen_counts_at_once(town):
    org, _, _, reach, computed = town
    reach()
    create_citizen(org, channels=("sms",))
    assert reach()["citizens"] == 4
    assert len(computed) == 2


def test_a_withdrawn_consent_counts_at_once(town):
    _, citizens, _, reach, _ = town
    reach()
    set_consent(citizens[0], "sms", granted=False, source="sms", evidence="STOP")
    assert reach()["citizens"] == 2


def test_an_erased_citizen_counts_at_once(town):
    _, citizens, _, reach, _ = town
    reach()
    erase_citizen(citizens[0])
    assert reach()["citizens"] == 2


def test_a_citizens_topics_and_the_announcements_target_count_at_once(town):
    org, citizens, announcement, reach, _ = town
    announcement.topics.set(Topic.objects.filter(organisation=org, slug="travaux"))
    assert reach()["citizens"] == 3
    citizens[0].topics.clear()
    assert reach()["citizens"] == 2
    announcement.topics.clear()
    assert reach()["citizens"] == 3


def test_an_old_estimate_is_remade_once_a_minute(town, monkeypatch):
    _, _, _, reach, computed = town
    reach()
    monkeypatch.setattr(reach_module, "FRESH_SECONDS", 0)
    reach()
    assert len(computed) == 2


@pytest.mark.django_db(transaction=True)
def test_twenty_agents_asking_at_once_route_the_town_once(town, monkeypatch):
    """The first estimate of an announcement asked by many at once: one computes, the others
    wait for it (routing a town of 100,000 twenty times over would hold every web thread)."""
    import threading

    from gateway.routing.reach import reach_of

    _, _, announcement, _, computed = town
    counting = reach_module.estimate_reach  # the fixture's, which counts
    started = threading.Event()

    def slow(*args, **kwargs):
        started.set()
        time.sleep(0.3)
        return counting(*args, **kwargs)

    monkeypatch.setattr(reach_module, "estimate_reach", slow)
    answers = []

    def ask():
        from django.db import connection

        try:
            answers.append(reach_of(announcement)["citizens"])
        finally:
            connection.close()

    first = threading.Thread(target=ask)
    first.start()
    started.wait(5)
    others = [threading.Thread(target=ask) for _ in range(19)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(10)
    assert answers == [3] * 20
    assert len(computed) == 1


def test_the_report_is_made_once_every_few_seconds(town, monkeypatch):
    from gateway.api import announcements as api

    org, _, announcement, _, _ = town
    made = []
    real = api._report
    monkeypatch.setattr(api, "_report", lambda a: made.append(1) or real(a))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(org)}")
    path = f"/api/announcements/{announcement.pk}/report"
    monkeypatch.setattr(api, "REPORT_KEPT_SECONDS", 0)
    client.get(path)
    client.get(path)
    assert len(made) == 2
    monkeypatch.setattr(api, "REPORT_KEPT_SECONDS", 5)
    first = client.get(path).json()
    assert first["computed_at"] and client.get(path).json() == first
    assert len(made) == 3
