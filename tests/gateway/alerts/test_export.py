"""CAP export through the API: publish emits an Alert, a follow-up an Update, a cancellation a
Cancel; each references every earlier unexpired alert of the incident by its exact `sent`, and
every export validates against cap12.xsd. Served at /cap/alerts/<identifier>.xml and in the
organisation's Atom feed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gateway.models import Area, CapAlert, Membership, Role
from tests.factories import ANNOUNCEMENT, create_citizen, create_organisation, create_user
from tests.gateway.alerts.xsd import assert_valid, text, texts

pytestmark = pytest.mark.django_db

URGENT = {**ANNOUNCEMENT, "urgency": "urgent", "areas": ["centre"], "topics": []}


@pytest.fixture
def org():
    org = create_organisation(slug="saint-crieur", name="Mairie de Saint-Crieur")
    Area.objects.filter(organisation=org, slug="centre").update(
        name="Saint-Crieur centre",
        geocodes=[{"valueName": "INSEE", "value": "49123"}],
        polygons=["47.1,-0.5 47.2,-0.5 47.2,-0.4 47.1,-0.5"],
    )
    return org


@pytest.fixture
def api(org):
    from gateway.models import ApiKey

    user = create_user(org, Role.ADMIN)
    Membership.objects.filter(user=user).update(can_alert=True)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(org, user, 't')[1]}")
    return client


def post(api, path, data=None, expect=200):
    response = api.post(f"/api/announcements{path}", data or {}, "application/json")
    assert response.status_code == expect, response.content
    return response.json()


def served(pk_alert: CapAlert):
    response = Client().get(f"/cap/alerts/{pk_alert.identifier}.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/cap+xml")
    assert "max-age" in response["Cache-Control"]
    assert response.content.decode() == pk_alert.xml
    return assert_valid(response.content)


def test_publish_update_and_cancel_emit_valid_alerts_with_references(org, api):
    create_citizen(org)
    first = post(api, "", {**URGENT, "category": "Met", "event": "Inondation"}, expect=201)["id"]
    post(api, f"/{first}/publish", expect=202)
    alert = CapAlert.objects.get(announcement_id=first)
    assert alert.msg_type == "Alert"
    doc = served(alert)
    assert text(doc, "cap:msgType") == "Alert"
    assert text(doc, "cap:status") == "Actual"
    assert text(doc, "cap:scope") == "Public"
    assert text(doc, "cap:sender").startswith("saint-crieur@")
    assert texts(doc, "cap:info/cap:language") == ["fr", "en"]
    assert texts(doc, "cap:info/cap:category") == ["Met", "Met"]
    assert texts(doc, "cap:info/cap:event") == ["Inondation", "Inondation"]
    assert texts(doc, "cap:info/cap:urgency") == ["Immediate", "Immediate"]
    assert texts(doc, "cap:info/cap:severity") == ["Severe", "Severe"]
    assert text(doc, "cap:info/cap:headline") == ANNOUNCEMENT["title"]
    assert text(doc, "cap:info/cap:instruction") == ANNOUNCEMENT["summary"]
    assert text(doc, "cap:info/cap:web").endswith("/v/" + alert.announcement.verification_code)
    assert text(doc, "cap:info/cap:contact") == ANNOUNCEMENT["contact"]
    assert text(doc, "cap:info/cap:area/cap:areaDesc") == "Saint-Crieur centre"
    assert text(doc, "cap:info/cap:area/cap:geocode/cap:value") == "49123"
    assert text(doc, "cap:info/cap:area/cap:polygon").startswith("47.1,-0.5")
    assert text(doc, "cap:sent")[-6:] in ("+01:00", "+02:00")  # Europe/Paris, never Z

    # the correction: a new announcement that follows the first
    second = post(api, "", {**URGENT, "follows": first, "title": "Crue : mise à jour"}, 201)["id"]
    post(api, f"/{second}/publish", expect=202)
    update = CapAlert.objects.get(announcement_id=second)
    doc = served(update)
    assert text(doc, "cap:msgType") == "Update"
    assert text(doc, "cap:references") == f"{alert.sender},{alert.identifier},{alert.sent}"
    assert text(doc, "cap:incidents") == alert.incident

    # the cancellation references both, by the exact `sent` emitted
    assert post(api, f"/{second}/cancel")["status"] == "cancelled"
    cancel = CapAlert.objects.filter(announcement_id=second).latest("pk")
    doc = served(cancel)
    assert text(doc, "cap:msgType") == "Cancel"
    assert text(doc, "cap:references").split() == [alert.reference, update.reference]
    assert texts(doc, "cap:info/cap:responseType") == ["AllClear", "AllClear"]

    # the incident is over: nothing current in the feed
    feed = Client().get("/cap/saint-crieur.atom")
    assert feed.status_code == 200 and "max-age" in feed["Cache-Control"]
    assert b"<entry>" not in feed.content and b"entry" not in feed.content


def test_expired_alerts_are_not_referenced_and_the_feed_lists_current_ones(org, api):
    past = (timezone.now() + timedelta(minutes=1)).isoformat()
    first = post(api, "", {**URGENT, "expires_at": past}, expect=201)["id"]
    post(api, f"/{first}/publish", expect=202)
    feed = Client().get("/cap/saint-crieur.atom").content.decode()
    alert = CapAlert.objects.get(announcement_id=first)
    assert f"/cap/alerts/{alert.identifier}.xml" in feed
    assert "<cap:severity>Severe</cap:severity>" in feed
    CapAlert.objects.filter(pk=alert.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    second = post(api, "", {**URGENT, "follows": first}, expect=201)["id"]
    post(api, f"/{second}/publish", expect=202)
    doc = served(CapAlert.objects.get(announcement_id=second))
    assert text(doc, "cap:msgType") == "Alert"  # nothing unexpired left to update
    assert text(doc, "cap:references") is None


def test_every_test_announcement_exports_valid_cap(org, api):
    """Each urgency, with and without areas, translations, CAP fields, exercise."""
    org2 = create_organisation()  # no areas at all: areaDesc is the town
    org2.areas.all().delete()
    cases = [
        (org, {**ANNOUNCEMENT}),
        (org, {**URGENT, "translations": {}}),
        (org, {**ANNOUNCEMENT, "urgency": "important", "severity": "Extreme", "certainty":
               "Possible", "response_type": "Evacuate", "category": "Fire", "contact": ""}),
        (org2, {**ANNOUNCEMENT, "areas": [], "topics": []}),
    ]  # fmt: skip
    from gateway import publishing
    from gateway.alerts.emit import emit

    for organisation, data in cases:
        announcement = publishing.create_announcement(organisation, data)
        for msg_type in ("Alert", "Cancel"):
            row = emit(announcement, msg_type)
            assert row is not None
            served(row)
    exercise = publishing.create_announcement(org, {**ANNOUNCEMENT, "exercise": True})
    doc = served(emit(exercise))
    assert text(doc, "cap:status") == "Exercise"


def test_unknown_alert_and_organisation_are_404(org):
    assert Client().get("/cap/alerts/nope.xml").status_code == 404
    assert Client().get("/cap/nobody.atom").status_code == 404


def test_follows_must_be_an_announcement_of_the_organisation(org, api):
    other = create_organisation()
    from gateway import publishing

    theirs = publishing.create_announcement(other, ANNOUNCEMENT)
    response = api.post("/api/announcements", {**URGENT, "follows": theirs.pk}, "application/json")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("follows:")


def test_areas_take_their_cap_geocodes_and_polygons_through_the_api(org, api):
    created = api.post(
        "/api/areas",
        {"slug": "gare", "name": "Quartier de la Gare",
         "geocodes": [{"valueName": "INSEE", "value": "49123"}],
         "polygons": ["47.1,-0.5 47.2,-0.5 47.2,-0.4 47.1,-0.5"]},
        "application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["geocodes"] == [{"valueName": "INSEE", "value": "49123"}]
    open_ring = api.patch(
        f"/api/areas/{created.json()['id']}",
        {"polygons": ["47.1,-0.5 47.2,-0.5 47.2,-0.4"]},
        "application/json",
    )
    assert open_ring.status_code == 422
    assert open_ring.json()["detail"].startswith("polygons.0: needs at least 4 points")
    precise = api.patch(
        f"/api/areas/{created.json()['id']}",
        {"polygons": ["47.1234567,-0.5 47.2,-0.5 47.2,-0.4 47.1234567,-0.5"]},
        "application/json",
    )
    assert precise.status_code == 422 and "6 decimals" in precise.json()["detail"]
    renamed = api.patch(
        f"/api/areas/{created.json()['id']}", {"name": "La Gare"}, "application/json"
    )
    assert renamed.json()["polygons"] == ["47.1,-0.5 47.2,-0.5 47.2,-0.4 47.1,-0.5"]


def test_a_published_announcement_is_corrected_by_a_follow_up_that_emits_an_update(org, api):
    first = post(api, "", URGENT, expect=201)["id"]
    assert api.post(f"/api/announcements/{first}/follow-up").status_code == 409  # a draft
    post(api, f"/{first}/publish", expect=202)
    assert (
        api.patch(f"/api/announcements/{first}", {"title": "x"}, "application/json").status_code
        == 409
    )
    copy = post(api, f"/{first}/follow-up", expect=201)
    assert copy["follows"] == first and copy["status"] == "draft"
    assert sorted(t["locale"] for t in copy["texts"]) == ["en", "fr"]
    assert copy["areas"] == ["centre"]
    edited = api.patch(
        f"/api/announcements/{copy['id']}",
        {"title": "Crue : la rue Basse aussi"},
        "application/json",
    )
    assert edited.status_code == 200
    post(api, f"/{copy['id']}/publish", expect=202)
    alert = CapAlert.objects.get(announcement_id=first)
    update = CapAlert.objects.get(announcement_id=copy["id"])
    doc = served(update)
    assert text(doc, "cap:msgType") == "Update"
    assert text(doc, "cap:references") == alert.reference
    assert text(doc, "cap:info/cap:headline") == "Crue : la rue Basse aussi"


def test_an_exercise_is_never_scheduled(org, api):
    from gateway import publishing

    exercise = publishing.create_announcement(org, {**ANNOUNCEMENT, "exercise": True})
    exercise.status = "approved"
    exercise.save()
    when = (timezone.now() + timedelta(hours=1)).isoformat()
    response = api.post(
        f"/api/announcements/{exercise.pk}/schedule", {"scheduled_at": when}, "application/json"
    )
    assert response.status_code == 409 and "exercise" in response.json()["detail"]


def test_characters_xml_cannot_carry_are_not_written(org):
    from gateway import publishing
    from gateway.alerts.emit import emit

    text = {**ANNOUNCEMENT, "body": "Avis\x0bimportant\x0c: lire.", "translations": {}}
    row = emit(publishing.create_announcement(org, text))
    assert "Avis important : lire." in served(row).findtext(
        "{urn:oasis:names:tc:emergency:cap:1.2}info/{urn:oasis:names:tc:emergency:cap:1.2}description"
    )
    assert Client().get("/cap/saint-crieur.atom").status_code == 200


def test_the_console_corrects_a_published_announcement_with_a_follow_up(org, api):
    from gateway.models import Announcement

    first = post(api, "", {**URGENT, "category": "Fire"}, expect=201)["id"]
    console = Client()
    console.force_login(create_user(org, Role.ADMIN))
    assert b'data-testid="follow-up"' not in console.get(f"/console/announcements/{first}/").content
    post(api, f"/{first}/publish", expect=202)
    page = console.get(f"/console/announcements/{first}/").content.decode()
    assert f'href="/console/announcements/new/?follows={first}"' in page
    form = console.get(f"/console/announcements/new/?follows={first}").content.decode()
    assert f'name="follows" value="{first}"' in form and ANNOUNCEMENT["summary"] in form
    data = {"follows": first, "locale": "fr", "title": "Crue : la rue Basse aussi",
            "summary": "Quittez aussi la rue Basse.", "body": "La rue Basse est inondable.",
            "urgency": "urgent", "areas": ["centre"], "then": "draft"}  # fmt: skip
    response = console.post("/console/announcements/new/", data)
    assert response.status_code == 302, response.content
    second = Announcement.objects.latest("pk")
    assert (second.follows_id, second.category) == (first, "Fire")
    post(api, f"/{second.pk}/publish", expect=202)
    assert CapAlert.objects.get(announcement=second).msg_type == "Update"
