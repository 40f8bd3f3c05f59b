"""Reach estimate: the planner's routes counted per channel, language and area, nothing written."""

from __future__ import annotations

from datetime import time

import pytest
from django.test import Client

from gateway.models import Delivery
from gateway.routing.planning import plan_deliveries
from tests.factories import create_announcement, create_api_key, create_citizen, create_organisation

pytestmark = pytest.mark.django_db


def test_reach_matches_what_publishing_plans_and_writes_nothing():
    org = create_organisation()
    create_citizen(org, channels=("sms",))
    create_citizen(org, channels=("sms",), language="en", area="nord")
    shared = create_citizen(org, channels=("sms", "voice"))
    create_citizen(org, channels=("sms",), phone=shared.phone)  # household: one SMS
    create_citizen(org, channels=("post",))  # the weekly letter
    create_citizen(
        org, channels=("voice",), is_mobile=False, quiet_start=time(0, 0), quiet_end=time(23, 59)
    )
    create_citizen(org, channels=("sms",), opted_out=("sms",))
    announcement = create_announcement(org)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(org)}")

    reach = client.get(f"/api/announcements/{announcement.pk}/reach").json()

    assert reach["citizens"] == 5
    assert reach["by_channel"] == {"sms": 3, "voice": 1, "weekly": 1}
    assert reach["by_locale"] == {"en": 1, "fr": 4}
    assert reach["by_area"] == {"centre": 4, "nord": 1}
    assert reach["deferred"] == 1
    assert not Delivery.objects.exists()
    assert reach["deliveries"] == plan_deliveries(announcement)
    assert client.get("/api/announcements/999999/reach").status_code == 404
