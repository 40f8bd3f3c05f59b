"""The announcement's report: reach against the estimate per channel, language and area, the
weekly-letter recipients counted, delivery times, failures by reason, replies, a time axis with
real times, and the CSV exports (report, deliveries) with neutralised cells."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gateway.console.charts import ticks
from gateway.models import Delivery, DeliveryStatus, InboundMessage, Role, Status
from tests.factories import create_announcement, create_citizen, create_organisation, create_user

pytestmark = pytest.mark.django_db
S = DeliveryStatus


@pytest.fixture
def org():
    return create_organisation()


def published(org, citizens):
    """An announcement published 10 minutes ago with one delivery per citizen, delivered
    1, 2, 3… minutes after, but the last two: one failed (=cmd formula), one sent."""
    announcement = create_announcement(org)
    start = timezone.now() - timedelta(minutes=10)
    type(announcement).objects.filter(pk=announcement.pk).update(
        status=Status.SENT, published_at=start
    )
    announcement.refresh_from_db()
    rows = []
    for index, citizen in enumerate(citizens):
        at = start + timedelta(minutes=index + 1)
        status = S.DELIVERED
        if index == len(citizens) - 1:
            status = S.FAILED
        elif index == len(citizens) - 2:
            status = S.SENT
        rows.append(
            Delivery(
                announcement=announcement,
                citizen=citizen,
                channel=citizen.channels[0],
                locale=citizen.language,
                status=status,
                sent_at=at,
                delivered_at=at if status == S.DELIVERED else None,
                last_error="=cmd|' /C calc'!A0" if status == S.FAILED else "",
            )
        )
    Delivery.objects.bulk_create(rows)
    return announcement


def test_the_report_counts_reach_weekly_letter_times_failures_and_replies(client, org):
    sms = [create_citizen(org, channels=("sms",)) for _ in range(6)]
    [create_citizen(org, channels=("post",), area="nord") for _ in range(2)]
    announcement = published(org, sms)
    InboundMessage.objects.create(organisation=org, announcement=announcement, body="Merci")
    client.force_login(create_user(org, Role.AUTHOR))
    html = client.get(reverse("console:dashboard", args=[announcement.pk])).content.decode()
    assert 'data-testid="weekly">2<' in html
    assert "2 abonnés par courrier la recevront dans la lettre de la semaine" in html
    # SMS: 6 estimated, 6 planned, 5 sent (4 delivered + 1 sent), 1 failed, 83 % reached
    assert '<th scope="row">SMS</th><td class="number">6</td><td class="number">6</td>' in html
    assert "83\u00a0%" in html
    assert "Lettre de la semaine" in html and "Nord" not in html  # printed, not sent
    # delivered after 1, 2, 3, 4 minutes: median 2 min, p95 4 min
    assert "2 min 00 s" in html and "4 min 00 s" in html
    assert "=cmd" in html and 'data-testid="failure-reasons"' in html
    assert 'data-testid="reply-count"><a href="/console/replies/?announcement=' in html
    assert html.count('class="tick"') >= 3  # a real time axis


def test_the_report_costs_a_fixed_number_of_queries(client, org):
    few = published(org, [create_citizen(org) for _ in range(3)])
    many = published(org, [create_citizen(org) for _ in range(40)])
    client.force_login(create_user(org, Role.AUTHOR))
    counts = []
    for announcement in (few, many):
        url = reverse("console:dashboard-live", args=[announcement.pk])
        client.get(url)  # the estimate is cached after the first time
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_csv_exports_are_neutralised_and_hold_no_phone(client, org):
    citizens = [create_citizen(org) for _ in range(4)]
    announcement = published(org, citizens)
    client.force_login(create_user(org, Role.AUTHOR))
    response = client.get(reverse("console:deliveries-csv", args=[announcement.pk]))
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["citizen", "channel", "locale"] and len(rows) == 5
    assert {r[0] for r in rows[1:]} == {c.reference for c in citizens}
    assert "'=cmd" in text and not any(c.phone in text for c in citizens)
    report = b"".join(
        client.get(reverse("console:report-csv", args=[announcement.pk])).streaming_content
    ).decode()
    assert '"reach_by_channel","sms","SMS","4","4","3","2","1","75"' in report
    assert '"failure","sms","\'=cmd' in report
    other = create_user(create_organisation(), Role.ADMIN)
    client.force_login(other)
    assert client.get(reverse("console:report-csv", args=[announcement.pk])).status_code == 404


def test_ticks_fall_on_round_clock_times():
    import zoneinfo

    tz = zoneinfo.ZoneInfo("Europe/Paris")
    start = timezone.now().replace(hour=8, minute=7, second=0, microsecond=0)
    found = ticks(start, start + timedelta(minutes=50), tz)
    assert all(t.astimezone(tz).minute % 10 == 0 for t in found) and 3 <= len(found) <= 6
