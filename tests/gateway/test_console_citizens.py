"""The console's subscriber list (pages, sort, filters) and one citizen's page: details,
consents and their history, deliveries, replies; admins edit, export and erase from there."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from gateway.models import AuditEvent, Citizen, Consent, InboundMessage, Role
from tests.factories import (
    create_announcement,
    create_citizen,
    create_citizens,
    create_organisation,
    create_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return create_organisation()


def logged_in(client, org, role=Role.ADMIN):
    client.force_login(create_user(org, role))
    return client


def references(html: str) -> list[str]:
    return re.findall(r'href="/console/subscribers/([^/"]+)/">\1<', html)


def test_a_thousand_subscribers_are_paged_and_sorted(client, org):
    create_citizens(org, 120)
    logged_in(client, org, Role.AUTHOR)
    first = client.get(reverse("console:subscribers")).content.decode()
    assert "120 abonnés — Page 1 sur 3" in first
    assert len(references(first)) == 50
    second = client.get(reverse("console:subscribers"), {"page": 2}).content.decode()
    assert len(references(second)) == 50 and not set(references(first)) & set(references(second))
    third = client.get(reverse("console:subscribers"), {"page": 3}).content.decode()
    assert len(references(third)) == 20
    by_reference = client.get(reverse("console:subscribers"), {"sort": "-reference"})
    shown = references(by_reference.content.decode())
    assert shown == sorted(shown, reverse=True)
    assert 'aria-sort="descending"' in by_reference.content.decode()
    # a page out of range or a sort unknown is the nearest page / the name, never a 500
    assert (
        client.get(reverse("console:subscribers"), {"page": "x", "sort": "pk"}).status_code == 200
    )


def test_filters_channel_language_area_topic_consent_and_source(client, org):
    sms = create_citizen(org, channels=("sms",), language="en")
    post = create_citizen(org, channels=("post",), area="nord", topics=("eau",))
    out = create_citizen(org, channels=("sms",), opted_out=("sms",))
    none = create_citizen(org, channels=("sms",), consents=())
    paper = create_citizen(org, channels=("sms",))
    Consent.objects.filter(citizen=paper).update(source="paper")
    logged_in(client, org, Role.AUTHOR)

    def shown(**params):
        return set(references(client.get(reverse("console:subscribers"), params).content.decode()))

    assert shown(channel="post") == {post.reference}
    assert shown(channel="sms") == {sms.reference, paper.reference}
    assert shown(channel="sms", consent="withdrawn") == {out.reference}
    assert shown(consent="none") == {none.reference}
    assert shown(source="paper") == {paper.reference}
    assert shown(language="en") == {sms.reference}
    assert shown(area="nord") == {post.reference}
    assert shown(topic="eau") == {post.reference}
    assert len(shown(channel="bogus", area="nowhere\x00")) == 5  # ignored, not a 500


def test_the_citizen_page_shows_consents_with_history_deliveries_and_replies(client, org):
    citizen = create_citizen(org, channels=("sms",))
    announcement = create_announcement(org)
    announcement.deliveries.create(
        citizen=citizen, channel="sms", locale="fr", status="failed", last_error="30003 unreachable"
    )
    InboundMessage.objects.create(
        organisation=org, citizen=citizen, announcement=announcement, body="Merci !", keyword=""
    )
    logged_in(client, org, Role.AUTHOR)
    html = client.get(reverse("console:citizen", args=[citizen.reference])).content.decode()
    assert citizen.name in html and "Merci !" in html and "30003 unreachable" in html
    assert "Coupure d’eau rue des Lilas" in html
    assert "+336••••••" in html and citizen.phone not in html  # masked for an author
    assert "/edit/" not in html and "/erase/" not in html  # admins only
    other = create_citizen(create_organisation())
    assert client.get(reverse("console:citizen", args=[other.reference])).status_code == 404


def test_an_admin_edits_a_citizen_and_a_withdrawn_channel_stays_withdrawn(client, org):
    citizen = create_citizen(org, channels=("sms",), opted_out=("sms",), timezone="Europe/Lisbon")
    logged_in(client, org)
    url = reverse("console:citizen-edit", args=[citizen.reference])
    form = client.get(url).content.decode()
    assert f'value="{citizen.name}"' in form
    response = client.post(
        url,
        {
            "name": "Madame Anne Durand",
            "phone": citizen.phone,
            "email": "",
            "address1": "",
            "address2": "",
            "address3": "5 rue des Lilas",
            "address4": "",
            "postcode": "49123",
            "city": "Saint-Crieur",
            "country": "FR",
            "language": "fr",
            "channels": ["sms", "post"],
            "preferred": "",
            "topics": ["eau"],
            "area": "nord",
            "quiet_start": "",
            "quiet_end": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    citizen.refresh_from_db()
    assert citizen.name == "Madame Anne Durand" and citizen.area.slug == "nord"
    assert citizen.timezone == "Europe/Lisbon"
    assert citizen.address_lines == ["5 rue des Lilas", "49123 Saint-Crieur"]
    assert not Consent.objects.get(citizen=citizen, channel="sms").granted
    post = Consent.objects.get(citizen=citizen, channel="post")
    assert post.granted and post.source == "agent" and "edited by" in post.evidence
    assert AuditEvent.objects.filter(action="citizen.updated", object_id=str(citizen.pk)).exists()


def test_a_bad_edit_is_named_next_to_its_field(client, org):
    citizen = create_citizen(org, channels=("sms",))
    logged_in(client, org)
    response = client.post(
        reverse("console:citizen-edit", args=[citizen.reference]),
        {"name": "X", "phone": "", "country": "FR", "language": "fr", "channels": ["sms"]},
    )
    assert response.status_code == 422
    assert re.search(r'id="id_phone-error">', response.content.decode())
    citizen.refresh_from_db()
    assert citizen.name != "X"


def test_authors_cannot_edit_export_or_erase(client, org):
    citizen = create_citizen(org)
    logged_in(client, org, Role.AUTHOR)
    for name in ("citizen-edit", "citizen-export", "citizen-erase"):
        assert client.get(reverse(f"console:{name}", args=[citizen.reference])).status_code == 403
    assert (
        client.post(
            reverse("console:citizen-erase", args=[citizen.reference]),
            {"confirm": citizen.reference},
        ).status_code
        == 403
    )
    assert Citizen.objects.get(pk=citizen.pk).erased_at is None


def test_an_admin_exports_then_erases_after_confirming(client, org):
    citizen = create_citizen(org)
    logged_in(client, org)
    export = client.get(reverse("console:citizen-export", args=[citizen.reference]))
    assert export["Content-Disposition"].startswith("attachment")
    assert json.loads(export.content)["phone"] == citizen.phone
    url = reverse("console:citizen-erase", args=[citizen.reference])
    unconfirmed = client.post(url, {})
    assert unconfirmed.status_code == 422 and "Cochez la case" in unconfirmed.content.decode()
    assert Citizen.objects.get(pk=citizen.pk).erased_at is None
    assert client.post(url, {"confirm": citizen.reference}).status_code == 302
    citizen.refresh_from_db()
    assert citizen.erased_at is not None and citizen.name == "" and citizen.phone == ""
    assert AuditEvent.objects.filter(action="citizen.erased", object_id=str(citizen.pk)).exists()
    assert citizen.reference not in references(
        client.get(reverse("console:subscribers")).content.decode()
    )


def test_the_list_costs_the_same_queries_for_a_page_of_5_or_50(client, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    logged_in(client, org, Role.AUTHOR)
    counts = []
    for total in (5, 120):
        create_citizens(
            org,
            total - Citizen.objects.filter(organisation=org).count(),
            phone_base=650000000 + total,
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("console:subscribers"), {"channel": "sms"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
