"""How planning writes deliveries: COPY for an announcement's first plan on PostgreSQL, INSERT …
ON CONFLICT DO NOTHING for a replay (and on SQLite); the same rows either way, none lost."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from django.db import connection

from gateway.models import Delivery
from gateway.routing import planning
from tests.factories import create_announcement, create_citizen, create_organisation

pytestmark = pytest.mark.django_db(transaction=True)

NIGHT = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)  # 23:30 in Paris
COLUMNS = ("citizen_id", "channel", "locale", "status", "not_before", "attempts", "provider")


def town(org):
    create_citizen(org, channels=("sms",))
    create_citizen(org, channels=("sms",), language="en")
    create_citizen(
        org, channels=("voice",), is_mobile=False, quiet_start=time(22), quiet_end=time(7)
    )
    create_citizen(org, channels=("post",))
    create_citizen(org, channels=("sms",), opted_out=("sms",))


def rows(announcement) -> list[tuple]:
    return sorted(
        Delivery.objects.filter(announcement=announcement).values_list(*COLUMNS),
        key=lambda row: (row[0], row[1]),
    )


def test_a_replayed_plan_keeps_the_rows_and_adds_none(monkeypatch):
    org = create_organisation()
    town(org)
    announcement = create_announcement(org)
    copied = []
    original = planning._Copier.__call__
    monkeypatch.setattr(
        planning._Copier,
        "__call__",
        lambda self, batch: copied.append(len(batch)) or original(self, batch),
    )
    assert planning.plan_deliveries(announcement, now=NIGHT) == 3
    first = rows(announcement)
    assert [(r[1], r[3]) for r in first] == [
        ("sms", "planned"),
        ("sms", "planned"),
        ("voice", "deferred"),
    ]
    assert first[2][4] is not None  # not_before: the end of the quiet hours
    Delivery.objects.filter(announcement=announcement, channel="sms").update(status="sent")

    planning.plan_deliveries(announcement, now=NIGHT)  # a replayed task

    assert [(r[1], r[3]) for r in rows(announcement)] == [
        ("sms", "sent"),
        ("sms", "sent"),
        ("voice", "deferred"),
    ]
    assert copied == ([3] if connection.vendor == "postgresql" else [])


def test_copy_writes_what_insert_writes(monkeypatch):
    org = create_organisation()
    town(org)
    copied, inserted = create_announcement(org), create_announcement(org)
    planning.plan_deliveries(copied, now=NIGHT)
    monkeypatch.setattr(planning, "_Copier", planning._Inserter)
    planning.plan_deliveries(inserted, now=NIGHT)
    assert rows(copied) == rows(inserted) and len(rows(copied)) == 3
    created = Delivery.objects.filter(announcement=copied).values_list("created_at", flat=True)
    assert all(at is not None for at in created)
