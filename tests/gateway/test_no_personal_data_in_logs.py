"""A full publication through the API, every logger at DEBUG: no phone number and no postal
address in any log record (message, arguments or traceback), before any redaction (the records
as the code made them: `raw_records`). What processes write, redacted, is
test_logs_full_day.py's."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from gateway.logging import raw_records
from gateway.models import ApiKey, Delivery, Role
from tests.factories import ANNOUNCEMENT, create_citizen, create_organisation, create_user

pytestmark = pytest.mark.django_db(transaction=True)


def variants(phone: str) -> list[str]:
    """+33612345678 as it could be written: E.164, national, national digits grouped."""
    national = "0" + phone[3:]
    grouped = " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return [phone, phone[1:], national, grouped, phone[3:]]


@pytest.fixture(autouse=True)
def _unredacted():
    with raw_records():
        yield


def test_a_full_publication_logs_no_phone_number_and_no_address(caplog, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = create_organisation()
    citizens = [
        create_citizen(org, channels=("sms",), phone="+33612345678"),
        create_citizen(org, channels=("voice",), phone="+33145678901", is_mobile=False),
        create_citizen(
            org,
            channels=("post",),
            address_lines=["12 impasse des Glycines", "49123 SAINT CRIEUR"],
        ),
        create_citizen(org, channels=("sms", "post"), phone="+33698765432", language="en"),
    ]
    author = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(org, create_user(org), 'a')[1]}")
    approver_user = create_user(org, Role.APPROVER)
    approver = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(org, approver_user, 'b')[1]}")
    caplog.set_level(logging.DEBUG)  # every logger, root included

    # urgent: the letters are printed at once (routine post waits for the weekly letter), so the
    # addresses go through the print path during this test
    urgent = {**ANNOUNCEMENT, "urgency": "urgent"}
    pk = author.post("/api/announcements", urgent, "application/json").json()["id"]
    assert author.post(f"/api/announcements/{pk}/submit").status_code == 200
    assert approver.post(f"/api/announcements/{pk}/approve").status_code == 200
    assert author.post(f"/api/announcements/{pk}/publish").status_code == 202
    assert author.get(f"/api/announcements/{pk}/deliveries").status_code == 200
    assert author.get(f"/api/announcements/{pk}/report").status_code == 200

    assert Delivery.objects.filter(announcement_id=pk, channel="post").count() == 2
    assert Delivery.objects.filter(announcement_id=pk).count() >= 6
    assert caplog.records, "nothing was logged at DEBUG: the capture does not work"
    secrets = [v for c in citizens if c.phone for v in variants(c.phone)]
    secrets += ["impasse des Glycines", "12 impasse", "49123 SAINT CRIEUR"]
    for record in caplog.records:
        logged = " ".join(
            [record.getMessage(), repr(record.args), record.exc_text or "", str(record.msg)]
        )
        for secret in secrets:
            assert secret not in logged, (record.name, record.levelname, secret)
