"""Citizens API (agent entry, paper forms, edits, import, GDPR) and `crieur import citizens`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from gateway.audience.gdpr import purge_delivery_details
from gateway.cli import main
from gateway.models import AuditEvent, Citizen, Consent, Delivery
from tests.factories import (
    create_announcement,
    create_api_key,
    create_citizen,
    create_organisation,
)

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "citizens-import.csv"
MAIL_MERGE = EXAMPLE.with_name("citizens.csv")

PAPER = {
    "name": "Anne Dupont",
    "phone": "06 12 34 56 78",
    "address_lines": ["5 bis, rue de l'Église"],
    "postcode": "01234",
    "city": "Saint-Crieur",
    "channels": ["sms", "post"],
    "topics": ["travaux"],
    "area": "centre",
    "form_reference": "F-2026-0042",
    "signed_on": "2026-11-18",
}


@pytest.fixture
def org():
    return create_organisation()


@pytest.fixture
def client(org):
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(org)}")


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def test_paper_form_stores_the_citizen_with_consent_evidence(client):
    response = post(client, "/api/citizens/paper-forms", PAPER)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["phone"] == "+33612345678"
    assert body["address_lines"] == ["5 bis, rue de l'Église", "01234 Saint-Crieur"]
    assert body["consents"] == {"sms": True, "post": True}
    consent = Consent.objects.get(channel="post")
    assert consent.source == "paper"
    assert "F-2026-0042" in consent.evidence and "2026-11-18" in consent.evidence
    assert "entered by user" in consent.evidence


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"postcode": "1234"}, "address"),  # NF Z10-011: a 5-digit postcode in France
        ({"address_lines": ["x" * 45]}, "address"),  # 38 characters per line at most
        ({"phone": "12"}, "phone"),
        ({"channels": ["fax"]}, "channels"),
        ({"topics": ["piscine"]}, "topics"),
        ({"area": "lune"}, "area"),
        ({"language": "xx"}, "language"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"form_reference": ""}, "form_reference"),
        ({"phone": "01 44 55 66 77"}, "channels"),  # a landline gets no SMS
    ],
)
def test_bad_paper_form_is_a_422_naming_the_field(client, change, field):
    response = post(client, "/api/citizens/paper-forms", {**PAPER, **change})
    assert response.status_code == 422
    assert response.json()["detail"].startswith(field), response.json()
    assert not Citizen.objects.exists()


def test_another_organisations_citizen_is_404(client):
    other = create_citizen(create_organisation())
    assert client.get(f"/api/citizens/{other.reference}").status_code == 404
    assert client.post(f"/api/citizens/{other.reference}/erase").status_code == 404


def test_edit_never_grants_back_an_opt_out(client, org):
    citizen = create_citizen(org, channels=("sms",), opted_out=("sms",))
    data = {**PAPER, "channels": ["sms", "voice"]}
    data.pop("form_reference"), data.pop("signed_on")
    response = client.put(
        f"/api/citizens/{citizen.reference}", data, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["consents"] == {"sms": False, "voice": True}


def test_export_and_erase(client, org):
    citizen = create_citizen(org, channels=("sms",))
    announcement = create_announcement(org)
    Delivery.objects.create(
        announcement=announcement,
        citizen=citizen,
        channel="sms",
        locale="fr",
        status="delivered",
        provider_ref="SM1",
    )
    exported = client.get(f"/api/citizens/{citizen.reference}/export").json()
    assert exported["phone"] == citizen.phone and exported["consents"][0]["channel"] == "sms"
    assert exported["deliveries"][0]["status"] == "delivered"

    response = client.post(f"/api/citizens/{citizen.reference}/erase")
    assert response.status_code == 200 and response.json()["erased"]
    citizen.refresh_from_db()
    assert (citizen.name, citizen.phone, citizen.address_lines) == ("", "", [])
    assert not citizen.consents.exists() and not citizen.topics.exists()
    delivery = Delivery.objects.get(citizen=citizen)  # the count is kept
    assert delivery.status == "delivered" and delivery.provider_ref == ""
    assert AuditEvent.objects.filter(action="citizen.erased").exists()
    after = client.get(f"/api/citizens/{citizen.reference}/export").json()
    assert after["phone"] == "" and after["consents"] == []


def test_import_over_the_api_is_all_or_nothing(client):
    bad = EXAMPLE.read_text() + "I-0005,,Bad,,,,1234,X,FR,fr,post,,,no,,\n"
    upload = SimpleUploadedFile("c.csv", bad.encode(), content_type="text/csv")
    response = client.post("/api/citizens/import", {"file": upload})
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert {(p["line"], p["field"]) for p in problems} == {(6, "address")}, problems
    assert response.json()["detail"].startswith("line 6: address: ")
    assert not Citizen.objects.exists()
    upload = SimpleUploadedFile("c.csv", EXAMPLE.read_bytes(), content_type="text/csv")
    response = client.post("/api/citizens/import", {"file": upload})
    body = response.json()
    assert (body["created"], body["updated"], body["dry_run"]) == (4, 0, False)
    assert [c["action"] for c in body["citizens"]] == ["created"] * 4


def test_cli_import_reports_every_problem_and_stores_nothing(org, capsys):
    code = main(["import", "citizens", str(MAIL_MERGE), "--organisation", org.slug])
    err = capsys.readouterr().err
    assert code == 2
    assert "citizens.csv:6: address:" in err  # postcode 1234
    assert "citizens.csv:5: language: unknown language 'de'" in err
    assert err.strip().splitlines()[-1].endswith("nothing was imported")
    assert not Citizen.objects.exists()


def test_cli_import_then_reimport_keeps_opt_outs(org, capsys):
    assert main(["import", "citizens", str(EXAMPLE), "--organisation", org.slug]) == 0
    assert "4 citizen(s) created" in capsys.readouterr().out
    anne = Citizen.objects.get(reference="I-0001")
    assert anne.channels == ["sms", "post"] and anne.quiet_start.hour == 21
    assert Consent.objects.get(citizen=anne, channel="sms").evidence.endswith("line 2")
    Consent.objects.filter(citizen=anne, channel="sms").update(granted=False, source="sms")
    assert main(["import", "citizens", str(EXAMPLE), "--organisation", org.slug]) == 0
    assert "0 citizen(s) created, 0 updated, 4 unchanged" in capsys.readouterr().out
    assert not Consent.objects.get(citizen=anne, channel="sms").granted
    assert Citizen.objects.count() == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.csv"], "nope.csv: no such file"),
        ([str(EXAMPLE), "--organisation", "nowhere"], "no organisation 'nowhere'"),
    ],
)
def test_cli_import_errors_are_one_line(org, capsys, args, message):
    assert main(["import", "citizens", *args]) == 2
    assert message in capsys.readouterr().err


def test_retention_clears_old_delivery_details_and_keeps_counts(org, settings):
    settings.DELIVERY_RETENTION_DAYS = 30
    citizen = create_citizen(org)
    announcement = create_announcement(org)
    old = Delivery.objects.create(
        announcement=announcement,
        citizen=citizen,
        channel="sms",
        locale="fr",
        provider_ref="SM1",
        last_error="twilio 30003",
        created_at=timezone.now() - timedelta(days=31),
    )
    new = Delivery.objects.create(
        announcement=announcement,
        citizen=citizen,
        channel="voice",
        locale="fr",
        provider_ref="CA1",
    )
    assert purge_delivery_details() == 1
    old.refresh_from_db(), new.refresh_from_db()
    assert (old.provider_ref, old.last_error, old.channel) == ("", "", "sms")
    assert new.provider_ref == "CA1"
