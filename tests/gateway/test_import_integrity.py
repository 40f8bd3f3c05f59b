"""Issue 14, the CSV import and references: an absent column leaves the field, an empty cell
is an explicit change, the report and the audit say what changed (before/after, undo, dry
run) (2); references starting with a formula character are refused (7); references are unique
per organisation, with no oracle across organisations (17)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gateway.cli import main
from gateway.models import AuditEvent, Citizen, Consent
from tests.factories import create_api_key, create_organisation
from tests.gateway.audience import api_client, post_json

pytestmark = pytest.mark.django_db

FULL = {
    "reference": "C-1",
    "name": "Anne Dupont",
    "phone": "06 12 34 56 78",
    "address_lines": ["5 rue des Lilas"],
    "postcode": "49123",
    "city": "Saint-Crieur",
    "channels": ["sms", "post"],
    "topics": ["travaux", "eau"],
    "area": "centre",
}


@pytest.fixture
def org():
    return create_organisation()


@pytest.fixture
def agent(org):
    return api_client(create_api_key(org))


@pytest.fixture
def anne(agent):
    assert post_json(agent, "/api/citizens", FULL).status_code == 201
    return Citizen.objects.get(reference="C-1")


def upload(agent, text: str, query: str = ""):
    file = SimpleUploadedFile("abonnes.csv", text.encode(), content_type="text/csv")
    return agent.post(f"/api/citizens/import{query}", {"file": file})


def snapshot(citizen: Citizen) -> dict:
    citizen.refresh_from_db()
    return {
        "name": citizen.name,
        "phone": citizen.phone,
        "address_lines": citizen.address_lines,
        "channels": citizen.channels,
        "topics": sorted(citizen.topics.values_list("slug", flat=True)),
        "area": citizen.area.slug if citizen.area else None,
        "consents": dict(Consent.objects.filter(citizen=citizen).values_list("channel", "granted")),
    }


# item 2 ---------------------------------------------------------------------------------------


def test_item2_import_missing_columns_keep_fields(agent, anne):
    before = snapshot(anne)
    header = "reference,name,address1,postcode,city\n"
    response = upload(agent, header + "C-1,Anne Martin,7 rue des Roses,49123,Saint-Crieur\n")
    assert response.status_code == 200, response.json()
    after = snapshot(anne)
    for kept in ("phone", "channels", "topics", "area", "consents"):
        assert after[kept] == before[kept], kept
    assert after["name"] == "Anne Martin"
    assert after["address_lines"] == ["7 rue des Roses", "49123 Saint-Crieur"]
    body = response.json()
    assert (body["created"], body["updated"]) == (0, 1)
    [line] = body["citizens"]
    assert line["reference"] == "C-1" and line["action"] == "updated"
    assert set(line["changes"]) == {"name", "address_lines"}
    assert line["changes"]["name"] == {"before": "Anne Dupont", "after": "Anne Martin"}


def test_item2_an_empty_cell_in_a_present_column_is_an_explicit_change(agent, anne):
    response = upload(agent, "reference,area,topics\nC-1,,eau\n")
    assert response.status_code == 200, response.json()
    after = snapshot(anne)
    assert after["area"] is None and after["topics"] == ["eau"]
    assert set(response.json()["citizens"][0]["changes"]) == {"area", "topics"}
    # clearing the phone of an SMS subscriber would leave a consent it cannot reach: refused
    refused = upload(agent, "reference,phone\nC-1,\n")
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["field"] == "phone"
    assert snapshot(anne)["phone"] == "+33612345678"


def test_item2_the_audit_keeps_before_and_after_and_an_import_can_be_undone(
    agent, anne, org, capsys
):
    before = snapshot(anne)
    response = upload(agent, "reference,name,area,channels\nC-1,Anne Martin,nord,post\n")
    assert response.status_code == 200
    run = response.json()["import_id"]
    event = AuditEvent.objects.get(action="citizen.updated", data__import_id=run)
    assert event.data["changes"]["area"] == {"before": "centre", "after": "nord"}
    assert event.data["changes"]["channels"] == {"before": ["sms", "post"], "after": ["post"]}
    assert main(["import", "undo", str(run), "--organisation", org.slug]) == 0
    assert "1 citizen(s) restored" in capsys.readouterr().out
    assert snapshot(anne) == before
    assert AuditEvent.objects.filter(action="citizen.restored").exists()


def test_item2_dry_run_shows_the_changes_without_writing(agent, anne, org, tmp_path, capsys):
    before = snapshot(anne)
    path = tmp_path / "abonnes.csv"
    path.write_text(
        "reference,name,phone\nC-1,Anne Martin,06 99 88 77 66\nC-2,Paul Roux,06 11 22 33 44\n"
    )
    assert main(["import", "citizens", str(path), "--organisation", org.slug, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "C-1" in out and "name: 'Anne Dupont' → 'Anne Martin'" in out
    assert "phone: '+336••••••78' → '+336••••••66'" in out  # a report shows no full number
    assert "C-2" in out and "created" in out
    assert "dry run: nothing was written" in out
    assert snapshot(anne) == before and Citizen.objects.count() == 1
    response = upload(agent, path.read_text(), "?dry_run=true")
    assert response.status_code == 200 and response.json()["dry_run"]
    assert set(response.json()["citizens"][0]["changes"]) == {"name", "phone"}
    assert snapshot(anne) == before and Citizen.objects.count() == 1


# item 7: references at input ------------------------------------------------------------------


@pytest.mark.parametrize("reference", ["=1+1", "+33612", "-2", "@SUM(A1)", "\t=X", "\r@X"])
def test_item7_references_starting_with_a_formula_character_are_refused(agent, reference):
    response = post_json(agent, "/api/citizens", {**FULL, "reference": reference})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("reference")
    line = upload(agent, f'reference,name,channels\n"{reference}",X,post\n')
    assert line.status_code == 422 and line.json()["problems"][0]["field"] == "reference"
    assert not Citizen.objects.exists()


# item 17 --------------------------------------------------------------------------------------


def test_item17_references_are_unique_per_organisation_and_tell_nothing_of_others(agent, org):
    other = create_organisation()
    post_json(api_client(create_api_key(other)), "/api/citizens", {**FULL, "reference": "REF-B-1"})
    created = post_json(agent, "/api/citizens", {**FULL, "reference": "REF-B-1"})
    assert created.status_code == 201, created.json()
    post_json(api_client(create_api_key(other)), "/api/citizens", {**FULL, "reference": "REF-B-3"})
    imported = upload(agent, "reference,name,channels,postcode,city\nREF-B-3,X,post,49123,Y\n")
    assert imported.status_code == 200 and imported.json()["created"] == 1
    assert Citizen.objects.filter(reference="REF-B-1").count() == 2
    again = post_json(agent, "/api/citizens", {**FULL, "reference": "REF-B-1"})
    assert again.status_code == 422 and "already used" in again.json()["detail"]
    assert agent.get("/api/citizens/REF-B-1").json()["name"] == "Anne Dupont"
    assert Citizen.objects.get(organisation=org, reference="REF-B-3").name == "X"
