"""The approval workflow: roles, no self-approval, audit before/after, alert right, cancel."""

from __future__ import annotations

import pytest

from gateway.models import AuditEvent, Delivery, DeliveryStatus, Membership, Role, Status
from gateway.publishing import WorkflowError, approve, cancel, publish, reject, submit
from tests.factories import create_announcement, create_citizen, create_organisation, create_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def org():
    return create_organisation()


@pytest.fixture
def author(org):
    return create_user(org, Role.AUTHOR)


@pytest.fixture
def approver(org):
    return create_user(org, Role.APPROVER)


def draft(org, author, **fields):
    return create_announcement(org, approved=False, author=author, **fields)


def test_submit_approve_publish_is_audited_with_before_and_after(org, author, approver):
    announcement = draft(org, author)
    submit(announcement, actor=author)
    approve(announcement, actor=approver)
    publish(announcement, actor=author)
    announcement.refresh_from_db()
    assert announcement.status == Status.SENT and announcement.approver == approver
    trail = [
        (e.action, e.data.get("before"), e.data.get("after"), e.actor)
        for e in AuditEvent.objects.filter(object_id=str(announcement.pk)).exclude(
            action="announcement.created"
        )
    ]
    assert trail[:3] == [
        ("announcement.submitted", "draft", "pending_approval", author),
        ("announcement.approved", "pending_approval", "approved", approver),
        ("announcement.published", "approved", "sending", author),
    ]


def test_nobody_approves_their_own_announcement(org, approver):
    announcement = draft(org, approver)
    submit(announcement, actor=approver)
    with pytest.raises(WorkflowError) as refused:
        approve(announcement, actor=approver)
    assert refused.value.code == "self_approval"
    announcement.refresh_from_db()
    assert announcement.status == Status.PENDING_APPROVAL


def test_an_author_cannot_approve_and_an_outsider_cannot_submit(org, author):
    announcement = draft(org, create_user(org, Role.AUTHOR))
    submit(announcement, actor=author)
    with pytest.raises(WorkflowError) as refused:
        approve(announcement, actor=author)
    assert refused.value.code == "forbidden"
    outsider = create_user(create_organisation(), Role.ADMIN)
    with pytest.raises(WorkflowError, match="role"):
        cancel(announcement, actor=outsider)


def test_reject_sends_back_to_draft_with_the_reason(org, author, approver):
    announcement = draft(org, author)
    submit(announcement, actor=author)
    reject(announcement, actor=approver, reason="Horaires à vérifier")
    assert announcement.status == Status.DRAFT
    event = AuditEvent.objects.filter(action="announcement.rejected").get()
    assert event.data == {
        "before": "pending_approval",
        "after": "draft",
        "reason": "Horaires à vérifier",
    }


def test_a_draft_cannot_be_published_without_approval(org, author):
    announcement = draft(org, author, urgency="urgent")
    with pytest.raises(WorkflowError, match="approved first"):
        publish(announcement, actor=author)


def test_the_alert_right_publishes_an_urgent_draft_at_once(org, author):
    Membership.objects.filter(user=author).update(can_alert=True)
    create_citizen(org, channels=("sms",))
    urgent = draft(org, author, urgency="urgent")
    publish(urgent, actor=author)
    urgent.refresh_from_db()
    assert urgent.status == Status.SENT
    routine = draft(org, author)
    with pytest.raises(WorkflowError):
        publish(routine, actor=author)


def test_cancel_stops_every_delivery_not_yet_sent(org, author, approver):
    announcement = draft(org, author)
    citizen = create_citizen(org, channels=("sms",))
    sent = Delivery.objects.create(
        announcement=announcement,
        citizen=citizen,
        channel="sms",
        locale="fr",
        status=DeliveryStatus.SENT,
    )
    waiting = [
        Delivery.objects.create(
            announcement=announcement,
            citizen=create_citizen(org),
            channel="sms",
            locale="fr",
            status=status,
        )
        for status in (DeliveryStatus.PLANNED, DeliveryStatus.DEFERRED)
    ]
    with pytest.raises(WorkflowError) as refused:
        cancel(announcement, actor=author)  # cancelling is for approvers and admins
    assert refused.value.code == "forbidden"
    assert cancel(announcement, actor=approver) == 2
    statuses = set(
        Delivery.objects.filter(pk__in=[d.pk for d in waiting]).values_list("status", flat=True)
    )
    assert statuses == {DeliveryStatus.CANCELLED}
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.SENT
    with pytest.raises(WorkflowError, match="cancelled"):
        submit(announcement, actor=author)
