"""Cost: estimated before sending, what Twilio charged after (its price fetched once the status
is final), per channel, language and area; the outbox costs nothing and says so."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from gateway import registry
from gateway.models import ApiKey, Delivery, Role
from gateway.publishing import publish
from gateway.tasks.callbacks import record_price
from tests.factories import create_announcement, create_citizen, create_organisation, create_user
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fake(settings, live_server):
    settings.PUBLIC_URL = live_server.url
    with FakeTwilio(prices={"sms": "0.0725", "call": "0.0130"}, price_unit="EUR") as fake:
        settings.TWILIO_ACCOUNT_SID = fake.account_sid
        settings.TWILIO_AUTH_TOKEN = fake.auth_token
        settings.TWILIO_FROM_NUMBER = "+33700000001"
        settings.TWILIO_BASE_URL = fake.base_url
        registry.cache_clear()
        yield fake
    registry.cache_clear()


def report(org, announcement):
    _, key = ApiKey.issue(org, create_user(org, Role.AUTHOR), "test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.get(f"/api/announcements/{announcement.pk}/report")
    assert response.status_code == 200, response.content
    return response.json()


def by(costs, dimension):
    return {line["key"]: line for line in costs["by"][dimension]}


def send_and_report(fake, org, **fields):
    announcement = create_announcement(org, **fields)
    with transaction.atomic():
        publish(announcement)
    for message in fake.messages:
        assert fake.send_status_callback(message["sid"], "delivered") == 200
    for call in fake.calls:
        assert fake.send_status_callback(call["sid"], "completed") == 200
    fake.reset()
    return report(org, announcement)


def test_the_report_shows_the_fakes_prices_as_cost(fake):
    org = create_organisation()
    create_citizen(org, channels=("sms",))
    create_citizen(org, channels=("sms",), language="en", area="nord")
    create_citizen(org, channels=("voice",), is_mobile=False, phone="+33140000010")
    out = send_and_report(fake, org)
    costs = out["costs"]
    assert costs["currency"] == "EUR" and costs["published"] is True
    assert Decimal(costs["actual"]) == Decimal("0.0725") * 2 + Decimal("0.0130")
    assert Decimal(out["cost"]) == Decimal(costs["actual"])
    assert Decimal(costs["estimated"]) == Decimal("0.0725") * 2  # the organisation's SMS price
    assert costs["unestimated"] == 1  # no call priced before: no estimate for the call
    channels = by(costs, "channel")
    assert Decimal(channels["sms"]["actual"]) == Decimal("0.1450")
    assert Decimal(channels["voice"]["actual"]) == Decimal("0.0130")
    assert channels["mastodon"]["actual"] == "0" and channels["mastodon"]["estimated"] == "0"
    assert Decimal(by(costs, "locale")["en"]["actual"]) == Decimal("0.0725")
    assert Decimal(by(costs, "area")["nord"]["actual"]) == Decimal("0.0725")
    assert costs["outbox"] == 1  # the default post went to the outbox, at no cost
    assert any(note.startswith("outbox: 1 written to files") for note in costs["notes"])
    stored = Delivery.objects.filter(channel="sms").values_list("cost", "cost_currency")
    assert set(stored) == {(Decimal("0.0725"), "EUR")}

    again = send_and_report(fake, org)  # now a call has been priced: it is estimated
    assert again["costs"]["unestimated"] == 0
    assert Decimal(by(again["costs"], "channel")["voice"]["estimated"]) == Decimal("0.0130")


def test_a_charge_in_another_currency_is_listed_apart(fake):
    fake.price_unit = "USD"
    org = create_organisation()
    create_citizen(org, channels=("sms",))
    costs = send_and_report(fake, org)["costs"]
    assert costs["actual"] == "0" and costs["other_currencies"] == {"USD": "0.0725"}


def test_before_publishing_the_cost_is_estimated_from_the_reach(fake):
    org = create_organisation()
    for _ in range(3):
        create_citizen(org, channels=("sms",))
    costs = report(org, create_announcement(org))["costs"]
    assert costs["published"] is False and costs["count"] == 3
    assert Decimal(costs["estimated"]) == Decimal("0.0725") * 3 and costs["actual"] == "0"
    assert fake.messages == []


def test_the_outbox_costs_nothing_and_says_so():
    registry.cache_clear()
    org = create_organisation()
    create_citizen(org, channels=("sms",))
    announcement = create_announcement(org)
    with transaction.atomic():
        publish(announcement)
    costs = report(org, announcement)["costs"]
    assert costs["estimated"] == "0" and costs["actual"] == "0" and costs["outbox"] == 2
    assert set(Delivery.objects.values_list("cost", flat=True)) == {Decimal(0)}


def test_a_recorded_price_is_never_overwritten(fake):
    org = create_organisation()
    create_citizen(org, channels=("sms",))
    send_and_report(fake, org)
    delivery = Delivery.objects.get(channel="sms")
    Delivery.objects.filter(pk=delivery.pk).update(cost=Decimal("9"))
    assert record_price(delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.cost == Decimal("9")


def test_the_dashboard_shows_estimated_and_actual_cost(fake, client):
    org = create_organisation()
    create_citizen(org, channels=("sms",))
    send_and_report(fake, org)
    announcement = Delivery.objects.get(channel="sms").announcement
    client.force_login(create_user(org, Role.AUTHOR))
    html = client.get(reverse("console:dashboard", args=[announcement.pk])).content.decode()
    assert 'data-testid="costs"' in html
    assert "Facturé : 0,07\u00a0€" in html and "Estimé : 0,07\u00a0€" in html
    assert json.dumps("boîte d’envoi")[1:-1] in json.dumps(html)[1:-1]
