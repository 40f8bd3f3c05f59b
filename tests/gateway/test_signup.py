"""The public sign-up pages: accessible form, SMS code (expiry, attempts, rate limits), the
signed preferences link."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client
from lxml import html

from gateway.models import Citizen, Consent
from tests.factories import create_citizen, create_organisation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_buckets")]
PHONE = "06 12 34 56 78"
FORM = {
    "name": "Anne Dupont",
    "phone": PHONE,
    "channels": ["sms", "voice"],
    "topics": ["travaux"],
    "area": "centre",
    "language": "fr",
    "consent": "yes",
}


@pytest.fixture
def org():
    return create_organisation()


def sent_codes(settings) -> list[str]:
    files = sorted((settings.OUTBOX_DIR / "sms").glob("*.txt"), key=lambda p: p.stat().st_mtime)
    return [re.search(r"\d{6}", f.read_text())[0] for f in files]


def sign_up(client, **change):
    return client.post("/inscription/", {**FORM, **change})


def test_the_form_is_accessible_in_french_and_english(org):
    page = Client().get("/inscription/")
    assert page.status_code == 200
    doc = html.fromstring(page.content)
    assert doc.get("lang") == "fr" and doc.find(".//main") is not None
    for field in doc.xpath("//input[@type!='hidden'] | //select"):
        assert doc.xpath(f"//label[@for='{field.get('id')}']"), field.get("name")
    assert "Numéro de téléphone mobile" in page.content.decode()
    english = Client().get("/inscription/?lang=en")
    assert html.fromstring(english.content).get("lang") == "en"
    assert "Mobile phone number" in english.content.decode()


def test_csrf_is_required(org):
    assert Client(enforce_csrf_checks=True).post("/inscription/", FORM).status_code == 403


def test_sign_up_with_the_sms_code(org, settings):
    client = Client()
    response = sign_up(client)
    assert response.status_code == 302 and response["Location"] == "/inscription/code/"
    [code] = sent_codes(settings)
    assert not Citizen.objects.exists()
    done = client.post("/inscription/code/", {"code": code})
    assert done.status_code == 200
    citizen = Citizen.objects.get()
    assert citizen.phone == "+33612345678" and citizen.channels == ["sms", "voice"]
    consent = Consent.objects.get(citizen=citizen, channel="sms")
    assert consent.source == "web" and "code verified" in consent.evidence
    link = html.fromstring(done.content).xpath("//main//a/@href")[0]
    assert link.startswith("/inscription/preferences/")

    # the preferences page: drop SMS (an opt-out), switch to English
    prefs = Client().post(link, {"channels": ["voice"], "topics": ["eau"], "language": "en"})
    assert prefs.status_code == 200 and 'role="status"' in prefs.content.decode()
    citizen.refresh_from_db()
    assert citizen.language == "en" and citizen.channels == ["voice"]
    assert not Consent.objects.get(citizen=citizen, channel="sms").granted
    Client().post(link, {"leave": "yes", "language": "en"})
    assert not Consent.objects.filter(citizen=citizen, granted=True).exists()
    assert Client().get(link[:-3] + "xx/").status_code == 404  # a tampered link


def test_wrong_codes_are_limited_and_codes_expire(org, settings):
    client = Client()
    sign_up(client)
    [code] = sent_codes(settings)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1, 0):
        response = client.post("/inscription/code/", {"code": wrong})
        assert response.status_code == 422 and f": {left}" in response.content.decode()
    assert client.post("/inscription/code/", {"code": code}).status_code == 410
    assert not Citizen.objects.exists()

    client = Client()
    sign_up(client, phone="06 99 88 77 66")
    code = sent_codes(settings)[-1]
    with _later(11 * 60):
        assert client.post("/inscription/code/", {"code": code}).status_code == 410
    assert not Citizen.objects.exists()


def _later(seconds):
    import time

    return time_machine.travel(time.time() + seconds, tick=False)


def test_codes_are_rate_limited_per_number_and_per_ip(org, settings):
    for _ in range(3):
        assert sign_up(Client()).status_code == 302
    refused = sign_up(Client())
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    for n in range(6):  # same IP, other numbers: 10 requests per IP (the refused one too)
        assert sign_up(Client(), phone=f"06 12 34 57 {n:02d}").status_code == 302
    assert sign_up(Client(), phone="06 12 34 58 00").status_code == 429
    other_ip = Client(REMOTE_ADDR="10.1.2.3")
    assert sign_up(other_ip, phone="06 12 34 58 00").status_code == 302
    assert len(sent_codes(settings)) == 10


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consent": ""}, "consent"),
        ({"phone": ""}, "phone"),
        ({"phone": "01 44 55 66 77", "channels": ["voice"]}, "phone"),  # a landline: no SMS code
        ({"channels": ["post"], "postcode": "1234", "city": "X"}, "address"),
        ({"channels": []}, "channels"),
    ],
)
def test_bad_form_names_the_field_and_sends_nothing(org, settings, change, field):
    response = sign_up(Client(), **change)
    assert response.status_code == 422
    page = html.fromstring(response.content)
    links = page.xpath("//*[@role='alert']//a/@href")
    # Each link leads to the field itself or to the first input of its group.
    reached = {
        e.get("id") for href in links for e in page.get_element_by_id(href[1:]).iterancestors()
    }
    reached |= {href[1:] for href in links}
    assert field in reached, links
    assert not (settings.OUTBOX_DIR / "sms").exists() or sent_codes(settings) == []


def test_a_verified_sign_up_of_a_known_phone_updates_that_citizen(org, settings):
    known = create_citizen(org, phone="+33612345678", channels=("sms",), opted_out=("sms",))
    client = Client()
    sign_up(client)
    client.post("/inscription/code/", {"code": sent_codes(settings)[0]})
    assert Citizen.objects.count() == 1
    assert Consent.objects.get(citizen=known, channel="sms").granted  # asked again, verified
