"""CAP import through `POST /api/cap` and `crieur cap import`: drafts per <info>, Update and
Cancel of what the alert references, exercises held back, duplicates ignored, and hostile or
broken XML refused in one line naming the element and the rule (422 / exit 2), never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from gateway.cli import main
from gateway.models import Announcement, ApiKey, Area, CapAlert, Role, Status
from tests.factories import create_organisation, create_user

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
NS = "urn:oasis:names:tc:emergency:cap:1.2"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def org():
    org = create_organisation(slug="saint-crieur", name="Mairie de Saint-Crieur")
    Area.objects.filter(organisation=org, slug="centre").update(
        name="Saint-Crieur, quais de Loire", geocodes=[{"valueName": "INSEE", "value": "49123"}]
    )
    Area.objects.filter(organisation=org, slug="nord").update(
        name="Maine-et-Loire", geocodes=[{"valueName": "EMMA_ID", "value": "FR049"}]
    )
    return org


@pytest.fixture
def api(org):
    user = create_user(org, Role.ADMIN)
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(org, user, 't')[1]}")


def post_cap(api, data: bytes, query: str = "", content_type="application/cap+xml"):
    return api.post(f"/api/cap{query}", data, content_type=content_type)


def test_an_alert_becomes_a_draft_with_a_translation_per_info(org, api):
    response = post_cap(api, fixture("meteoalarm_alert.xml"))
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["action"] == "created" and out["msg_type"] == "Alert"
    announcement = Announcement.objects.get(pk=out["announcement"])
    assert announcement.status == Status.DRAFT and not announcement.exercise
    assert sorted(announcement.locales) == ["en", "fr"]
    assert announcement.text("fr").title == "Vigilance orange crues : Maine-et-Loire"
    assert announcement.text("en").summary.startswith("Do not drive on a flooded road")
    assert [a.slug for a in announcement.areas.all()] == ["nord"]  # matched by EMMA_ID
    assert (announcement.category, announcement.severity, announcement.urgency) == (
        "Met",
        "Severe",
        "important",
    )
    assert announcement.links == ["https://vigilance.meteofrance.fr/fr/maine-et-loire"]
    audit = api.get(f"/api/announcements/{announcement.pk}/audit").json()
    imported = [e for e in audit if e["action"] == "announcement.cap_imported"]
    assert imported[0]["data"]["reference"] == (
        "vigilance@meteo.fr,2.49.0.0.250.0.FR.20261201150000.49013,2026-12-01T15:00:00+01:00"
    )
    # the same alert again: recorded once, nothing created
    again = post_cap(api, fixture("meteoalarm_alert.xml"))
    assert again.status_code == 200 and again.json()["action"] == "duplicate"
    assert Announcement.objects.count() == 1
    assert CapAlert.objects.filter(direction="in").count() == 1


def test_multipart_upload_and_dry_run(org, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.xml", fixture("prefecture_alert.xml"), "application/xml")
    response = api.post("/api/cap?dry_run=true", {"file": upload})
    assert response.status_code == 200, response.content
    assert response.json()["would_create"]["title"].startswith("Évacuation des quais")
    assert response.json()["would_create"]["urgency"] == "urgent"
    assert Announcement.objects.count() == 0 and CapAlert.objects.count() == 0
    missing = api.post("/api/cap", {"other": "x"})
    assert missing.status_code == 422 and missing.json()["detail"].startswith("file:")


def test_update_follows_and_cancel_cancels_what_they_reference(org, api):
    first = post_cap(api, fixture("prefecture_alert.xml")).json()["announcement"]
    update = post_cap(api, fixture("prefecture_update.xml"))
    assert update.status_code == 201 and update.json()["action"] == "updated"
    second = Announcement.objects.get(pk=update.json()["announcement"])
    assert second.follows_id == first
    assert sorted(second.locales) == ["en", "fr"]
    # the first was never published: the update supersedes it
    assert Announcement.objects.get(pk=first).status == Status.CANCELLED
    cancel = post_cap(api, fixture("prefecture_cancel.xml"))
    assert cancel.status_code == 200 and cancel.json()["action"] == "cancelled"
    assert Announcement.objects.get(pk=second.pk).status == Status.CANCELLED


def test_a_cancel_of_a_published_import_withdraws_it_and_emits_our_cancel(org, api):
    first = post_cap(api, fixture("prefecture_alert.xml")).json()["announcement"]
    Announcement.objects.filter(pk=first).update(status=Status.APPROVED)
    assert api.post(f"/api/announcements/{first}/publish").status_code == 202
    update = post_cap(api, fixture("prefecture_update.xml")).json()
    assert Announcement.objects.get(pk=first).status in (Status.SENDING, Status.SENT)
    Announcement.objects.filter(pk=update["announcement"]).update(status=Status.APPROVED)
    assert api.post(f"/api/announcements/{update['announcement']}/publish").status_code == 202
    ours = CapAlert.objects.filter(direction="out").order_by("pk")
    assert [a.msg_type for a in ours] == ["Alert", "Update"]
    assert post_cap(api, fixture("prefecture_cancel.xml")).json()["action"] == "cancelled"
    cancel = CapAlert.objects.filter(direction="out").latest("pk")
    assert cancel.msg_type == "Cancel"
    assert cancel.references.split() == [a.reference for a in ours]
    # the whole incident is withdrawn, with one Cancel
    assert set(Announcement.objects.values_list("status", flat=True)) == {Status.CANCELLED}
    assert CapAlert.objects.filter(direction="out", msg_type="Cancel").count() == 1


def test_a_cancel_withdraws_the_published_alert_its_unpublished_update_followed(org, api):
    first = post_cap(api, fixture("prefecture_alert.xml")).json()["announcement"]
    Announcement.objects.filter(pk=first).update(status=Status.APPROVED)
    assert api.post(f"/api/announcements/{first}/publish").status_code == 202
    post_cap(api, fixture("prefecture_update.xml"))  # a draft, never published
    out = post_cap(api, fixture("prefecture_cancel.xml")).json()
    assert out["action"] == "cancelled"
    assert set(Announcement.objects.values_list("status", flat=True)) == {Status.CANCELLED}
    cancel = CapAlert.objects.filter(direction="out").latest("pk")
    assert cancel.msg_type == "Cancel" and cancel.announcement_id == first
    assert Client().get(f"/cap/{org.slug}.atom").content.count(b"<entry>") == 0


def test_an_exercise_is_published_only_when_chosen(org, api):
    out = post_cap(api, fixture("prefecture_exercise.xml")).json()
    assert out["exercise"] is True
    pk = out["announcement"]
    assert api.get(f"/api/announcements/{pk}").json()["exercise"] is True
    Announcement.objects.filter(pk=pk).update(status=Status.APPROVED)
    refused = api.post(f"/api/announcements/{pk}/publish")
    assert refused.status_code == 409 and "exercise" in refused.json()["detail"]
    assert api.post(f"/api/announcements/{pk}/publish?exercise=true").status_code == 202
    assert CapAlert.objects.get(announcement_id=pk, direction="out").status == "Exercise"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol3;</identifier></alert>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>"""
DTD = b"""<?xml version="1.0"?>
<!DOCTYPE alert SYSTEM "http://127.0.0.1:1/cap.dtd">
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>"""


def _broken(old: str, new: str) -> bytes:
    return fixture("prefecture_alert.xml").replace(old.encode(), new.encode(), 1)


HOSTILE = {
    "billion laughs": (BILLION_LAUGHS, "DOCTYPE: "),
    "external entity": (EXTERNAL, "DOCTYPE: "),
    "external DTD": (DTD, "DOCTYPE: "),
    "not well-formed": (b"<alert><oops></alert>", "XML: not well-formed"),
    "empty": (b"   ", "alert: the document is empty"),
    "unknown encoding": (_broken("UTF-8", "bogus"), "XML: unknown encoding"),
    "CAP 1.1": (_broken(NS, "urn:oasis:names:tc:emergency:cap:1.1"), "alert: this is CAP 1.1"),
    "wrong namespace": (_broken(NS, "http://example.org/cap"), "alert: the root element must"),
    "no namespace": (_broken(f' xmlns="{NS}"', ""), "alert: the root element must"),
    "an Atom feed": (b'<feed xmlns="http://www.w3.org/2005/Atom"/>', "alert: the root element"),
    "missing sender": (_broken("<sender>pref-sidpc@maine-et-loire.gouv.fr</sender>", ""),
                       "sender: required in <alert>"),
    "Z time": (_broken("2026-12-01T16:20:00+01:00</sent>", "2026-12-01T15:20:00Z</sent>"),
               "sent: '2026-12-01T15:20:00Z' is not a date-time with a numeric offset"),
    "space in identifier": (_broken("PREF49-COD-2026-0417", "PREF49 COD"),
                            "identifier: must not contain spaces"),
    "long identifier": (_broken("PREF49-COD-2026-0417", "P" * 201),
                        "identifier: longer than 200 characters (201)"),
    "unknown severity": (_broken("<severity>Extreme", "<severity>Apocalyptic"),
                         "severity: 'Apocalyptic' is not one of"),
    "missing event": (_broken("<event>Crue de la Loire</event>", ""), "event: required in <info>"),
    "schema order": (_broken("<scope>Public</scope>", "").replace(
        b"</msgType>", b"</msgType><note>x</note><scope>Public</scope>"),
        "note: This element is not expected"),
    "Update without references": (_broken("<msgType>Alert", "<msgType>Update"),
                                  "references: required in a msgType Update alert"),
    "open polygon": (_broken("-0.5620 47.3901,-0.5702<", "-0.5620 47.0,-0.5<"), "polygon: "),
    "no info": (fixture("prefecture_cancel.xml").replace(b"Cancel", b"Alert")
                .replace(b"<references>", b"<!-- ").replace(b"</references>", b" -->"),
                "info: a msgType Alert alert needs an <info>"),
    "System status": (_broken("<status>Actual", "<status>System"), "status: System alerts"),
    "Private scope": (_broken("<scope>Public", "<scope>Private"), "addresses: required"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_or_broken_xml_is_refused_in_one_line(org, api, case, tmp_path, capsys):
    data, start = HOSTILE[case]
    response = post_cap(api, data)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert detail.startswith(start), detail
    assert "\n" not in detail
    path = tmp_path / "alert.xml"
    path.write_bytes(data)
    capsys.readouterr()  # what the request logged
    assert main(["cap", "import", str(path), "--org", "saint-crieur"]) == 2
    err = capsys.readouterr().err
    assert err == f"crieur: error: {detail}\n"
    assert Announcement.objects.count() == 0 and CapAlert.objects.count() == 0


def test_a_huge_document_is_refused_before_parsing(org, api, tmp_path, capsys, settings):
    huge = fixture("prefecture_alert.xml").replace(b"</description>", b"x" * 1_100_000 + b"<")
    response = post_cap(api, huge)
    assert response.status_code == 413 and response.json()["detail"].startswith("body:")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.xml", huge, "application/xml")
    multipart = api.post("/api/cap", {"file": upload})
    assert multipart.status_code == 422
    assert multipart.json()["detail"].startswith("alert: larger than 1024 kB")
    path = tmp_path / "huge.xml"
    path.write_bytes(huge)
    capsys.readouterr()
    assert main(["cap", "import", str(path), "--org", "saint-crieur"]) == 2
    assert capsys.readouterr().err.startswith("crieur: error: alert: larger than 1024 kB")


def test_cli_import_dry_run_prints_the_announcement_and_writes_nothing(org, capsys):
    path = str(FIXTURES / "meteoalarm_alert.xml")
    assert main(["cap", "import", path, "--org", "saint-crieur", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "# dry run: Alert vigilance@meteo.fr,2.49.0.0.250.0.FR.20261201150000.49013" in out
    assert "title: 'Vigilance orange crues : Maine-et-Loire'" in out
    assert "Orange flood warning: Maine-et-Loire" in out
    assert Announcement.objects.count() == 0
    assert main(["cap", "import", path, "--org", "saint-crieur"]) == 0
    assert ": created: announcement " in capsys.readouterr().out
    assert main(["cap", "import", path, "--org", "saint-crieur"]) == 0
    assert ": duplicate: " in capsys.readouterr().out
    assert Announcement.objects.count() == 1


def test_cli_errors_are_one_line(org, capsys):
    assert main(["cap", "import", "/nonexistent.xml", "--org", "saint-crieur"]) == 2
    assert capsys.readouterr().err == "crieur: error: /nonexistent.xml: no such file\n"
    assert main(["cap", "import", "ftp://example.org/a.xml", "--org", "saint-crieur"]) == 2
    assert "crieur: error: " in capsys.readouterr().err
    assert main(["cap", "import", str(FIXTURES / "meteoalarm_alert.xml"), "--org", "x"]) == 2
    assert capsys.readouterr().err == "crieur: error: --org: no organisation 'x'\n"
    assert main(["cap", "export", "999999"]) == 2
    assert capsys.readouterr().err == "crieur: error: no announcement 999999\n"


def test_an_organisation_never_touches_another_ones_announcements(org, api):
    other = create_organisation()
    other_api = Client(
        HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(other, create_user(other), 't')[1]}"
    )
    first = post_cap(api, fixture("prefecture_alert.xml")).json()["announcement"]
    # the other organisation imports the cancel: it names nothing of its own
    out = post_cap(other_api, fixture("prefecture_cancel.xml")).json()
    assert out["action"] == "nothing"
    assert Announcement.objects.get(pk=first).status == Status.DRAFT


def test_the_console_publishes_an_exercise_only_when_ticked(org, api):
    pk = post_cap(api, fixture("prefecture_exercise.xml")).json()["announcement"]
    Announcement.objects.filter(pk=pk).update(status=Status.APPROVED)
    console = Client()
    console.force_login(create_user(org, Role.ADMIN))
    page = console.get(f"/console/announcements/{pk}/")
    assert b'data-testid="exercise"' in page.content and b'name="exercise"' in page.content
    console.post(f"/console/announcements/{pk}/publish/")
    assert Announcement.objects.get(pk=pk).status == Status.APPROVED
    console.post(f"/console/announcements/{pk}/publish/", {"exercise": "yes"})
    assert Announcement.objects.get(pk=pk).status in (Status.SENDING, Status.SENT)
    page = console.get(f"/console/announcements/{pk}/").content.decode()
    alert = CapAlert.objects.get(announcement_id=pk, direction="out")
    assert f'href="/cap/alerts/{alert.identifier}.xml">Alert {alert.sent}</a>' in page


def test_long_incidents_and_texts_are_stored_whole(org, api):
    incidents = " ".join(f"COD-2026-{n:04d}" for n in range(60))  # 779 characters
    data = fixture("prefecture_alert.xml").replace(
        b"COD-2026-0417</inc", incidents.encode() + b"</inc"
    )
    response = post_cap(api, data)
    assert response.status_code == 201, response.content
    assert CapAlert.objects.get().incident == incidents
