"""Real-world-style CAP files (MeteoAlarm, a préfecture; French and English; Alert, Update,
Cancel, Exercise) round-trip: imported, then exported by Crieur, the export validates against
cap12.xsd and says the same thing in every language."""

from __future__ import annotations

import pytest
from django.test import Client

from gateway.alerts.emit import emit
from gateway.alerts.parse import parse_alert
from gateway.models import Announcement, ApiKey, Area, CapAlert, Status
from tests.factories import create_organisation, create_user
from tests.gateway.alerts.test_import import FIXTURES, api, fixture, org, post_cap  # noqa: F401
from tests.gateway.alerts.xsd import assert_valid

pytestmark = pytest.mark.django_db

SAME = ("headline", "description", "instruction", "event", "urgency", "severity", "certainty")
SAME += ("effective", "expires")


def by_language(alert):
    return {info.language.split("-")[0]: info for info in alert.infos}


def assert_same_content(source, exported) -> None:
    theirs, ours = by_language(source), by_language(exported)
    assert set(theirs) == set(ours)
    for language, info in theirs.items():
        mine = ours[language]
        for name in SAME:
            assert getattr(mine, name) == getattr(info, name), (language, name)
        assert mine.categories[0] == info.categories[0]
        assert mine.response_types[:1] == info.response_types[:1]
        assert {a.desc for a in mine.areas} == {a.desc for a in info.areas}
        # one contact per announcement: the source language's (here French) for all
        assert mine.contact == theirs["fr"].contact
        assert {g for a in mine.areas for g in a.geocodes} >= {
            g for a in info.areas for g in a.geocodes if g[0] in ("INSEE", "EMMA_ID")
        }


@pytest.mark.parametrize(
    "names",
    [
        ("meteoalarm_alert.xml", "meteoalarm_update.xml"),
        ("prefecture_alert.xml", "prefecture_update.xml", "prefecture_cancel.xml"),
        ("prefecture_exercise.xml",),
    ],
)
def test_imported_alerts_export_valid_cap_with_the_same_content(org, api, names):  # noqa: F811
    exported = []
    for name in names:
        source = parse_alert(fixture(name))
        out = post_cap(api, fixture(name)).json()
        announcement = Announcement.objects.get(pk=out["announcement"])
        if source.msg_type == "Cancel":
            assert announcement.status == Status.CANCELLED
            cancel = CapAlert.objects.filter(direction="out").latest("pk")
            assert cancel.msg_type == "Cancel"
            assert cancel.references.split() == [a.reference for a in exported]
            assert_valid(cancel.xml)
            continue
        # published as it came (approved by someone, the exercise explicitly)
        Announcement.objects.filter(pk=announcement.pk).update(status=Status.APPROVED)
        query = "?exercise=true" if announcement.exercise else ""
        assert api.post(f"/api/announcements/{announcement.pk}/publish{query}").status_code == 202
        row = CapAlert.objects.get(announcement=announcement, direction="out")
        assert_valid(row.xml)
        mine = parse_alert(row.xml)
        assert mine.status == source.status
        assert mine.msg_type == ("Update" if exported else "Alert")
        assert mine.references == tuple(a.reference for a in exported)
        assert_same_content(source, mine)
        # and back again: our export imports into another organisation as the same thing
        exported.append(row)


def test_an_export_reimports_as_the_same_announcement(org, api):  # noqa: F811
    out = post_cap(api, fixture("prefecture_update.xml")).json()
    first = Announcement.objects.get(pk=out["announcement"])
    row = emit(first)
    assert_valid(row.xml)
    # here, it is known (never imported twice); a neighbouring town imports it
    assert post_cap(api, row.xml.encode()).json()["action"] == "duplicate"
    neighbour = create_organisation(slug="voisine")
    Area.objects.filter(organisation=neighbour, slug="centre").update(
        name="Saint-Crieur, quais de Loire", geocodes=[{"valueName": "INSEE", "value": "49123"}]
    )
    key = ApiKey.issue(neighbour, create_user(neighbour), "n")[1]
    again = post_cap(Client(HTTP_AUTHORIZATION=f"Bearer {key}"), row.xml.encode()).json()
    assert again["action"] == "created"
    second = Announcement.objects.get(pk=again["announcement"])
    assert sorted(second.locales) == sorted(first.locales)
    for locale in first.locales:
        a, b = first.text(locale), second.text(locale)
        assert (a.title, a.summary, a.body, a.event) == (b.title, b.summary, b.body, b.event)
    for name in ("urgency", "category", "event", "severity", "certainty", "response_type"):
        assert getattr(second, name) == getattr(first, name), name
    assert second.expires_at == first.expires_at and second.effective_at == first.effective_at
    assert sorted(a.slug for a in second.areas.all()) == sorted(a.slug for a in first.areas.all())
