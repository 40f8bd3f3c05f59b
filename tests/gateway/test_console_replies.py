"""The console's replies: citizens' messages, poll answers and call receipts in one list,
filtered by kind, channel and announcement, searched, paged; each organisation its own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gateway.conversation.models import PollAnswer
from gateway.models import InboundMessage, Role
from tests.factories import create_announcement, create_citizen, create_organisation, create_user
from tests.gateway.conversation.factories import create_poll

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return create_organisation()


def rows(html: str) -> list[str]:
    body = re.search(r'data-testid="replies".*?<tbody>(.*?)</tbody>', html, re.S)[1]
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_messages_poll_answers_and_receipts_in_one_list(client, org):
    citizen = create_citizen(org)
    poll = create_poll(org)
    water = create_announcement(org, title="Coupure d’eau")
    now = timezone.now()
    InboundMessage.objects.create(
        organisation=org,
        citizen=citizen,
        announcement=water,
        body="Jusqu’à quelle heure ?",
        received_at=now - timedelta(minutes=3),
    )
    InboundMessage.objects.create(organisation=org, body="STOP", keyword="stop", channel="sms")
    PollAnswer.objects.create(
        poll=poll, voter="v1", choice=2, channel="voice", locale="fr", citizen=citizen
    )
    water.deliveries.create(
        citizen=citizen, channel="voice", locale="fr", status="delivered", confirmed_at=now
    )
    other = create_organisation()
    InboundMessage.objects.create(organisation=other, body="Pas pour vous")
    client.force_login(create_user(org, Role.AUTHOR))

    html = client.get(reverse("console:replies")).content.decode()
    assert len(rows(html)) == 4 and "Pas pour vous" not in html
    assert "Jusqu’à quelle heure ?" in html and "2. Non" in html
    assert "Réception confirmée (touche 2)" in html and "Appel vocal" in html
    assert f'href="/console/subscribers/{citizen.reference}/"' in html

    def shown(**params) -> list[str]:
        return rows(client.get(reverse("console:replies"), params).content.decode())

    assert len(shown(kind="poll")) == 1 and len(shown(kind="confirmation")) == 1
    assert len(shown(channel="voice")) == 2
    assert len(shown(announcement=water.pk)) == 2
    assert len(shown(announcement=poll.announcement_id)) == 1
    found = shown(q="quelle heure")
    assert len(found) == 1 and "Jusqu’à" in found[0]
    assert len(shown(q="stop")) == 1  # the keyword too
    assert len(shown(kind="bogus", page="9")) == 4  # ignored, the last page: not a 500
    assert client.get(reverse("console:replies"), {"channel": "x\x00"}).status_code == 200


def test_replies_are_paged(client, org):
    InboundMessage.objects.bulk_create(
        InboundMessage(organisation=org, body=f"message {i}") for i in range(60)
    )
    client.force_login(create_user(org, Role.AUTHOR))
    first = client.get(reverse("console:replies")).content.decode()
    assert len(rows(first)) == 50 and "60 réponses — Page 1 sur 2" in first
    assert len(rows(client.get(reverse("console:replies"), {"page": 2}).content.decode())) == 10
