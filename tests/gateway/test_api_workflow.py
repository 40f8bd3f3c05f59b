"""The approval workflow through the API: roles, no self-approval, edits after approval,
schedule and the periodic publisher, the alert right, cancel, report and the audit trail."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from gateway.celery import app
from gateway.models import (
    AnnouncementText,
    ApiKey,
    AuditEvent,
    Delivery,
    DeliveryStatus,
    InboundMessage,
    Membership,
    Role,
    Status,
)
from gateway.publishing import publish_due
from tests.factories import ANNOUNCEMENT, create_citizen, create_organisation, create_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org():
    return create_organisation()


def member(org, role, **flags):
    user = create_user(org, role)
    Membership.objects.filter(user=user).update(**flags)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(org, user, 't')[1]}")
    client.user = user
    return client


@pytest.fixture
def author(org):
    return member(org, Role.AUTHOR)


@pytest.fixture
def approver(org):
    return member(org, Role.APPROVER)


def send(client, method, path, data=None):
    return getattr(client, method)(f"/api/announcements{path}", data or {}, "application/json")


def created(client, **fields) -> int:
    response = send(client, "post", "", {**ANNOUNCEMENT, **fields})
    assert response.status_code == 201, response.content
    return response.json()["id"]


def step(client, pk, name, data=None, expect=200):
    response = send(client, "post", f"/{pk}/{name}", data)
    assert response.status_code == expect, response.content
    return response.json()


def test_submit_approve_edit_reapprove_schedule_and_publish_when_due(org, author, approver):
    create_citizen(org, channels=("sms",))
    pk = created(author)
    assert step(author, pk, "approve", expect=403)["detail"].startswith("your role (author)")
    step(author, pk, "submit")
    assert step(approver, pk, "approve")["status"] == "approved"

    edited = send(author, "patch", f"/{pk}", {"title": "Coupure d’eau mercredi"})
    assert edited.status_code == 200, edited.content
    assert edited.json()["status"] == "pending_approval"  # an edit needs a new approval
    event = AuditEvent.objects.filter(action="announcement.edited").get()
    assert event.actor == author.user
    assert event.data["before"]["texts.fr.title"] == ANNOUNCEMENT["title"]
    assert event.data["after"]["texts.fr.title"] == "Coupure d’eau mercredi"
    assert (event.data["before"]["status"], event.data["after"]["status"]) == (
        "approved",
        "pending_approval",
    )
    step(author, pk, "publish", expect=409)  # not approved any more

    step(approver, pk, "approve")
    when = timezone.now() + timedelta(hours=2)
    scheduled = step(author, pk, "schedule", {"scheduled_at": when.isoformat()})
    assert scheduled["status"] == "scheduled"
    assert publish_due() == 0  # not yet
    with time_machine.travel(when + timedelta(minutes=1)):
        assert publish_due() == 1
    assert author.get(f"/api/announcements/{pk}").json()["status"] == "sent"

    trail = [e["action"] for e in author.get(f"/api/announcements/{pk}/audit").json()]
    assert trail == [
        "announcement.created",
        "announcement.submitted",
        "announcement.approved",
        "announcement.edited",
        "announcement.approved",
        "announcement.scheduled",
        "announcement.published",
    ]


def test_nobody_approves_what_they_wrote_or_edited_last(org, author, approver):
    own = created(approver)
    step(approver, own, "submit")
    refused = step(approver, own, "approve", expect=403)
    assert "cannot approve" in refused["detail"]

    theirs = created(author)
    step(author, theirs, "submit")
    send(approver, "patch", f"/{theirs}", {"summary": "Coupure d’eau mardi matin."})
    step(approver, theirs, "approve", expect=403)
    step(member(org, Role.ADMIN), theirs, "approve")


def test_reject_needs_a_reason_and_sends_back_to_draft(org, author, approver):
    pk = created(author)
    step(author, pk, "submit")
    missing = step(approver, pk, "reject", {}, expect=422)
    assert missing["detail"].startswith("reason")
    assert step(approver, pk, "reject", {"reason": "Horaires à vérifier"})["status"] == "draft"
    event = AuditEvent.objects.get(action="announcement.rejected")
    assert event.data["reason"] == "Horaires à vérifier" and event.actor == approver.user


def test_no_edit_once_sending_and_clear_errors(org, author, approver):
    pk = created(author)
    unknown = send(author, "patch", f"/{pk}", {"topics": ["inconnu"]})
    assert unknown.status_code == 422 and unknown.json()["detail"].startswith("topics")
    empty = send(author, "patch", f"/{pk}", {"title": ""})
    assert empty.status_code == 422 and empty.json()["detail"].startswith("title")
    past = step(author, pk, "schedule", {"scheduled_at": "2020-01-01T09:00:00+01:00"}, 422)
    assert past["detail"].startswith("scheduled_at")
    future = (timezone.now() + timedelta(days=1)).isoformat()
    step(author, pk, "schedule", {"scheduled_at": future}, expect=409)  # a draft
    step(author, pk, "submit")
    step(approver, pk, "approve")
    step(author, pk, "publish", expect=202)
    late = send(author, "patch", f"/{pk}", {"title": "Trop tard"})
    assert late.status_code == 409


def test_the_alert_right_publishes_an_urgent_draft_at_once(org):
    alerter = member(org, Role.AUTHOR, can_alert=True)
    create_citizen(org, channels=("sms",))
    pk = created(alerter, urgency="urgent")
    assert step(alerter, pk, "publish", expect=202)["status"] in ("sending", "sent")
    assert AuditEvent.objects.get(action="announcement.published").data["alert"] is True
    routine = created(alerter)
    step(alerter, routine, "publish", expect=409)
    plain = member(org, Role.AUTHOR)
    step(plain, created(plain, urgency="urgent"), "publish", expect=409)


def test_cancel_is_for_approvers_and_stops_what_is_not_sent(org, author, approver):
    pk = created(author)
    citizen = create_citizen(org)
    Delivery.objects.create(announcement_id=pk, citizen=citizen, channel="sms", locale="fr")
    step(author, pk, "cancel", expect=403)
    cancelled = step(approver, pk, "cancel")
    assert cancelled == {
        "id": pk,
        "status": "cancelled",
        "scheduled_at": None,
        "cancelled_deliveries": 1,
    }
    step(approver, pk, "cancel", expect=409)


def test_a_scheduled_announcement_that_no_longer_renders_goes_back_to_approved(org, author):
    approver = member(org, Role.APPROVER)
    pk = created(author)
    step(author, pk, "submit")
    step(approver, pk, "approve")
    when = timezone.now() + timedelta(hours=1)
    step(author, pk, "schedule", {"scheduled_at": when.isoformat()})
    assert send(author, "patch", f"/{pk}", {}).json()["status"] == "scheduled"  # no change
    org.sms_max_parts = 1  # settings changed after scheduling: the SMS no longer fits
    org.save()
    AnnouncementText.objects.filter(announcement_id=pk).update(
        title="Travaux " * 20, summary="Travaux " * 100
    )
    with time_machine.travel(when + timedelta(minutes=1)):
        assert publish_due() == 0
    assert author.get(f"/api/announcements/{pk}").json()["status"] == "approved"
    assert AuditEvent.objects.get(action="announcement.unscheduled").data["reason"]


def test_publish_due_runs_every_minute_on_the_periodic_queue():
    entry = next(e for e in app.conf.beat_schedule.values() if e["task"] == "crieur.publish_due")
    assert entry["schedule"] <= 60 and entry["options"]["queue"] == "periodic"
    assert "crieur.publish_due" in app.tasks


def test_report_counts_per_channel_status_locale_with_confirmations_and_costs(org, author):
    pk = created(author)
    rows = [
        ("sms", "fr", DeliveryStatus.DELIVERED, Decimal("0.0725"), False),
        ("sms", "fr", DeliveryStatus.DELIVERED, Decimal("0.0725"), False),
        ("voice", "en", DeliveryStatus.DELIVERED, Decimal("0.0300"), True),
        ("voice", "en", DeliveryStatus.FAILED, None, False),
    ]
    for channel, locale, status, cost, confirmed in rows:
        Delivery.objects.create(
            announcement_id=pk,
            citizen=create_citizen(org, channels=(channel,)),
            channel=channel,
            locale=locale,
            status=status,
            cost=cost,
            confirmed_at=timezone.now() if confirmed else None,
        )
    InboundMessage.objects.create(organisation=org, announcement_id=pk, body="OUI")
    report = author.get(f"/api/announcements/{pk}/report").json()
    assert (report["total"], report["confirmed"], report["replies"]) == (4, 1, 1)
    assert Decimal(report["cost"]) == Decimal("0.1750") and report["currency"] == "EUR"
    by_key = {(r["channel"], r["locale"], r["status"]): r for r in report["rows"]}
    assert by_key[("sms", "fr", "delivered")]["count"] == 2
    assert Decimal(by_key[("sms", "fr", "delivered")]["cost"]) == Decimal("0.1450")
    assert by_key[("voice", "en", "delivered")]["confirmed"] == 1
    listing = author.get(f"/api/announcements/{pk}/deliveries?locale=en&status=failed").json()
    assert listing["count"] == 1 and listing["items"][0]["channel"] == "voice"


def test_announcements_list_is_paginated_and_filtered(org, author):
    ids = [created(author) for _ in range(3)]
    urgent = created(author, urgency="urgent")
    page = author.get("/api/announcements?limit=2&offset=0").json()
    assert page["count"] == 4 and [a["id"] for a in page["items"]] == [urgent, ids[2]]
    only = author.get("/api/announcements?urgency=urgent").json()
    assert [a["id"] for a in only["items"]] == [urgent]
    assert author.get("/api/announcements?status=sent").json()["count"] == 0
    assert Status.DRAFT == author.get(f"/api/announcements/{ids[0]}").json()["status"]
