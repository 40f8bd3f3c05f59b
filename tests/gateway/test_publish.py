"""Publish end to end on the embedded default (tasks inline): plan, archive, deliver, record."""

from __future__ import annotations

import pytest
from django.db import transaction

from gateway.models import Delivery, Rendition, Status
from gateway.publishing import WorkflowError, publish
from gateway.routing.planning import plan_deliveries
from tests.factories import create_announcement, create_citizen, create_organisation

pytestmark = pytest.mark.django_db(transaction=True)


def deliveries(announcement):
    return sorted(
        Delivery.objects.filter(announcement=announcement).values_list(
            "citizen__name", "channel", "locale", "status"
        ),
        key=lambda row: (row[0] or "", row[1]),
    )


def test_publish_delivers_every_form_through_the_outbox(settings):
    org = create_organisation()
    sms = create_citizen(org, channels=("sms",))
    voice = create_citizen(org, channels=("voice",), is_mobile=False, language="en")
    create_citizen(org, channels=("sms",), opted_out=("sms",))
    create_citizen(org, channels=("sms",), topics=("eau",))  # not concerned
    announcement = create_announcement(org)

    with transaction.atomic():
        publish(announcement)

    announcement.refresh_from_db()
    assert announcement.status == Status.SENT
    assert announcement.published_at is not None
    rows = Delivery.objects.filter(announcement=announcement)
    assert {(d.citizen_id, d.channel, d.locale, d.status) for d in rows} == {
        (sms.pk, "sms", "fr", "delivered"),
        (voice.pk, "voice", "en", "delivered"),
        (None, "mastodon", "fr", "delivered"),
    }
    sms_files = list((settings.OUTBOX_DIR / "sms").glob("*.txt"))
    assert len(sms_files) == 1
    assert "Coupure d'eau" in sms_files[0].read_text()  # smart encoding: ’ became '
    assert sms.phone not in sms_files[0].name
    voice_files = list((settings.OUTBOX_DIR / "voice").glob("*.xml"))
    assert "<Say" in voice_files[0].read_text() and 'language="en-' in voice_files[0].read_text()


def test_renditions_are_rendered_once_per_form_and_locale_and_archived():
    org = create_organisation()
    for _ in range(5):
        create_citizen(org, channels=("sms",))
    create_citizen(org, channels=("sms",), language="en")
    announcement = create_announcement(org)
    with transaction.atomic():
        publish(announcement)
    forms = sorted(announcement.renditions.values_list("form", "locale"))
    assert forms == [
        ("mastodon", "fr"),
        ("notice", "en"),
        ("notice", "fr"),
        ("sms", "en"),
        ("sms", "fr"),
    ]
    notice = announcement.renditions.get(form="notice", locale="fr")
    assert notice.body[:5] == b"%PDF-"
    assert notice.sha256 == Rendition.digest(notice.body)
    with pytest.raises(ValueError, match="archived"):
        notice.save()


def test_planning_twice_creates_nothing_more():
    org = create_organisation()
    create_citizen(org)
    announcement = create_announcement(org)
    plan_deliveries(announcement)
    plan_deliveries(announcement)
    assert Delivery.objects.filter(announcement=announcement).count() == 1


def test_a_sent_announcement_cannot_be_published_again():
    org = create_organisation()
    announcement = create_announcement(org)
    with transaction.atomic():
        publish(announcement)
    announcement.refresh_from_db()
    with pytest.raises(WorkflowError, match="sending|sent"):
        publish(announcement)


def test_permanent_failure_falls_back_to_the_next_channel(settings, monkeypatch):
    from channels.errors import PermanentChannelError
    from gateway.registry import channels

    org = create_organisation()
    citizen = create_citizen(org, channels=("sms", "voice"), consents=("sms", "voice"))
    sms = channels()["sms"]

    def refuse(*args, **kwargs):
        raise PermanentChannelError("unsubscribed recipient", code=21610)

    monkeypatch.setattr(sms, "try_send", refuse)
    announcement = create_announcement(org)
    with transaction.atomic():
        publish(announcement)
    rows = dict(Delivery.objects.filter(citizen=citizen).values_list("channel", "status"))
    assert rows == {"sms": "failed", "voice": "delivered"}
    announcement.refresh_from_db()
    assert announcement.status == Status.SENT
