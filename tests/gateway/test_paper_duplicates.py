"""Issue 14 item 16: a paper form that looks like a citizen already stored (same phone, or
same name and address) is not saved blindly: the API answers 409 with the candidate and a way
to merge or confirm; the console shows the warning next to the form with the two choices."""

from __future__ import annotations

import pytest
from django.test import Client
from lxml import html

from gateway.models import Citizen, Consent, Role
from tests.factories import create_api_key, create_organisation, create_user
from tests.gateway.audience import api_client, post_json

pytestmark = pytest.mark.django_db
FORM = {
    "name": "Madame Anne Dupont",
    "phone": "06 12 34 56 78",
    "address_lines": ["5 bis rue des Lilas"],
    "postcode": "49123",
    "city": "Saint-Crieur",
    "channels": ["sms"],
    "topics": ["travaux"],
    "form_reference": "PF-1",
    "signed_on": "2026-11-18",
}


@pytest.fixture
def org():
    return create_organisation()


@pytest.fixture
def agent(org):
    return api_client(create_api_key(org))


def paper(agent, **change):
    return post_json(agent, "/api/citizens/paper-forms", {**FORM, **change})


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"form_reference": "PF-2", "name": "Anne D."}, "phone"),  # same phone
        ({"form_reference": "PF-2", "phone": "", "channels": ["post"]}, "name and address"),
        (
            {
                "form_reference": "PF-2",
                "name": "MADAME ANNE  DUPONT",
                "phone": "",
                "channels": ["post"],
                "address_lines": ["5 bis, rue des lilas"],
            },
            "name and address",
        ),
    ],
)
def test_item16_a_likely_duplicate_is_a_409_with_the_candidate(agent, change, match):
    first = paper(agent)
    assert first.status_code == 201
    again = paper(agent, **change)
    assert again.status_code == 409, again.json()
    [candidate] = again.json()["candidates"]
    assert candidate["reference"] == first.json()["reference"]
    assert match in candidate["match"]
    assert "+33612345678" not in str(again.json())  # the phone is masked
    assert Citizen.objects.count() == 1


def test_item16_the_agent_confirms_a_new_citizen(agent):
    paper(agent)
    confirmed = paper(agent, form_reference="PF-2", name="Paul Dupont", confirm_new=True)
    assert confirmed.status_code == 201
    assert Citizen.objects.count() == 2


def test_item16_the_agent_merges_into_the_existing_citizen(agent):
    first = paper(agent).json()
    merged = paper(
        agent,
        form_reference="PF-2",
        channels=["voice"],
        topics=["eau"],
        address_lines=[],
        postcode="",
        city="",
        merge_into=first["reference"],
    )
    assert merged.status_code == 200, merged.json()
    citizen = Citizen.objects.get()
    assert citizen.channels == ["sms", "voice"]
    assert set(citizen.topics.values_list("slug", flat=True)) == {"travaux", "eau"}
    assert citizen.address_lines == ["5 bis rue des Lilas", "49123 Saint-Crieur"]  # kept
    voice = Consent.objects.get(citizen=citizen, channel="voice")
    assert voice.source == "paper" and "PF-2" in voice.evidence
    unknown = paper(agent, form_reference="PF-3", merge_into="NOPE")
    assert unknown.status_code == 422 and unknown.json()["detail"].startswith("merge_into")


def test_item16_the_three_same_forms_make_one_citizen_in_the_console(org):
    client = Client()
    client.force_login(create_user(org, Role.AUTHOR))
    form = {
        "form_reference": "PF-1",
        "signed_on": "2026-11-18",
        "name": "Madame Anne Dupont",
        "phone": "06 12 34 56 78",
        "country": "FR",
        "language": "fr",
        "channels": ["sms"],
        "topics": ["travaux"],
    }
    assert client.post("/console/subscribers/paper-form/", form).status_code == 302
    warned = client.post("/console/subscribers/paper-form/", {**form, "form_reference": "PF-2"})
    assert warned.status_code == 409
    page = html.fromstring(warned.content)
    existing = Citizen.objects.get().reference
    choices = page.xpath("//*[@id='duplicate']//button[@name='duplicate']/@value")
    assert choices == [f"merge:{existing}", "new"], warned.content.decode()[:3000]
    assert Citizen.objects.count() == 1
    merged = client.post(
        "/console/subscribers/paper-form/",
        {
            **form,
            "form_reference": "PF-2",
            "channels": ["sms", "voice"],
            "duplicate": f"merge:{existing}",
        },
    )
    assert merged.status_code == 302
    assert Citizen.objects.count() == 1 and Citizen.objects.get().channels == ["sms", "voice"]
    new = client.post(
        "/console/subscribers/paper-form/", {**form, "form_reference": "PF-3", "duplicate": "new"}
    )
    assert new.status_code == 302 and Citizen.objects.count() == 2
