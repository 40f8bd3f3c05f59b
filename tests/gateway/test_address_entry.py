"""Issue 14 item 8, where people type addresses: the refusal is attached to the input they
typed in, in their language (/inscription/, the console's paper form), with a code (API)."""

from __future__ import annotations

import pytest
from django.test import Client
from lxml import html

from gateway.models import Citizen, Role
from tests.factories import create_api_key, create_organisation, create_user
from tests.gateway.audience import SIGN_UP, api_client, post_json

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_buckets")]
POSTAL = {
    **SIGN_UP,
    "channels": ["post"],
    "address1": "5 rue des Lilas",
    "postcode": "49123",
    "city": "Saint-Crieur",
}


@pytest.fixture
def org():
    return create_organisation()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("address1", "5 rue\u202e des Lilas", {"en": "cannot be printed", "es": "U+202E"}),
        ("address2", "Bât. B 😀", {"en": "cannot be printed", "es": "U+1F600"}),
        ("postcode", "٤٩١٢٣", {"en": "postcode", "es": "postal"}),
        ("city", "Saint\x00Crieur", {"en": "cannot be printed", "es": "U+0000"}),
    ],
)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_item8_sign_up_names_the_input_and_the_reason_in_the_visitors_language(
    org, field, value, words, lang
):
    response = Client().post(f"/inscription/?lang={lang}", {**POSTAL, field: value})
    assert response.status_code == 422
    page = html.fromstring(response.content)
    message = page.xpath(f"string(//*[@id='{field}-error-1'])")
    assert words[lang] in message, response.content.decode()[:3000]
    assert page.xpath(f"//input[@id='{field}']/@aria-invalid") == ["true"]
    assert not Citizen.objects.exists()


def test_item8_console_paper_form_puts_the_refusal_next_to_the_input(org):
    client = Client()
    client.force_login(create_user(org, Role.AUTHOR))
    response = client.post(
        "/console/subscribers/paper-form/?lang=en",
        {
            "form_reference": "PF-1",
            "signed_on": "2026-11-18",
            "name": "Anne Dupont",
            "address3": "5 rue des Lilas \u200b",
            "postcode": "49123",
            "city": "Saint-Crieur",
            "country": "FR",
            "language": "fr",
            "channels": ["post"],
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    page = html.fromstring(response.content)
    assert "U+200B" in page.xpath("string(//*[@id='id_address3-error'])"), (
        response.content.decode()[:3000]
    )
    assert not Citizen.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"country": "QQ"}, "country", "country"),
        ({"postcode": "٤٩١٢٣"}, "address", "postcode"),
        ({"address_lines": ["5 rue\u202e des Lilas"]}, "address", "character"),
    ],
)
def test_item8_the_api_gives_the_code_and_the_field(org, change, field, code):
    body = {
        "name": "Anne Dupont",
        "address_lines": ["5 rue des Lilas"],
        "postcode": "49123",
        "city": "Saint-Crieur",
        "channels": ["post"],
        **change,
    }
    response = post_json(api_client(create_api_key(org)), "/api/citizens", body)
    assert response.status_code == 422
    first = response.json()["errors"][0]
    assert (first["field"], first["code"]) == (field, code), response.json()
