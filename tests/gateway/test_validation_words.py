"""Every problem a person can cause on /inscription/ or the paper form has a code and words in
every shipped language, shown next to the input it was typed in; the consent box keeps its
state after an error."""

from __future__ import annotations

import re
from datetime import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from lxml import html

from gateway.audience.citizens import CitizenIn, check, problems_of
from gateway.audience.problem_words import problem_text
from gateway.models import Role
from tests.factories import create_organisation, create_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_buckets")]
LOCALES = [code for code, _ in settings.LANGUAGES]

BAD = [  # (data, the code of the problem it causes)
    ({"channels": ["pigeon"]}, "unknown_channel"),
    ({"country": "ZZ", "channels": ["post"]}, "country"),
    ({"phone": "12", "channels": ["sms"]}, "phone_invalid"),
    ({"phone": "01 44 55 66 77", "channels": ["sms"]}, "landline"),
    ({"phone": "", "channels": ["voice"]}, "phone_required"),
    ({"email": "not-an-address", "channels": ["email"]}, "email_invalid"),
    ({"channels": ["email"]}, "email_required"),
    ({"language": "xx"}, "language"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"quiet_start": time(22)}, "quiet_hours"),
    ({"topics": ["nope"]}, "topic"),
    ({"area": "nope"}, "area"),
]


def problems(org, **change):
    data = {"name": "Anne", "phone": "06 12 34 56 78", "channels": ["sms"], **change}
    try:
        return check(org, CitizenIn(**data))[1]
    except Exception as exc:  # noqa: BLE001 (pydantic's error, as the views get it)
        return problems_of(exc)


@pytest.mark.parametrize(("change", "code"), BAD)
def test_each_problem_has_a_code_and_words_in_every_language(change, code):
    org = create_organisation()
    found = problems(org, **change)
    assert code in [p.code for p in found], found
    problem = next(p for p in found if p.code == code)
    french = problem.message("fr")
    assert french != problem.problem  # not the API's English
    for locale in LOCALES:
        text = problem.message(locale)
        assert text and "{" not in text, (locale, text)
        if locale != "fr":
            assert text != french, (locale, text)  # translated, not the French left as is


@pytest.mark.parametrize(
    ("value", "code"), [("x" * 300, "string_too_long"), ("=1+1", "formula"), ("a\x00b", None)]
)
def test_pydantic_problems_have_a_code_and_words(value, code):
    org = create_organisation()
    found = problems(org, reference=value, name="a\x00b" if code is None else "Anne")
    shown = [(p.code, p.message("ar")) for p in found]
    wanted = code or "control_character"
    assert any(c == wanted and t and "{" not in t for c, t in shown), shown
    params = found[0].params
    assert problem_text(wanted, "ar", params) != problem_text(wanted, "fr", params)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_signup_postcode_error_is_under_the_postcode_in_the_visitors_language(lang):
    create_organisation()
    form = {
        "name": "Anne Dupont",
        "phone": "06 12 34 56 78",
        "channels": ["sms", "post"],
        "address1": "5 bis rue des Lilas",
        "postcode": "4912",
        "city": "Saint-Crieur",
        "language": "fr",
        "consent": "yes",
    }
    response = Client().post(f"/inscription/?lang={lang}", form)
    assert response.status_code == 422
    page = html.fromstring(response.content)
    error = page.get_element_by_id("postcode-error-1").text_content()
    assert "POSTCODE" not in error and "must" not in error
    assert error == problems_text_postcode(lang)
    assert "postcode-error-1" in page.get_element_by_id("postcode").get("aria-describedby")
    assert page.get_element_by_id("address1").get("aria-invalid") is None
    assert page.get_element_by_id("consent-box").get("checked") is not None  # kept


def problems_text_postcode(lang: str) -> str:
    org = create_organisation()
    data = CitizenIn(
        name="Anne Dupont",
        phone="06 12 34 56 78",
        channels=["sms", "post"],
        address_lines=["5 bis rue des Lilas"],
        postcode="4912",
        city="Saint-Crieur",
    )
    problem = next(p for p in check(org, data)[1] if p.input == "postcode")
    return problem.message(lang)


def test_signup_without_consent_leaves_the_box_unchecked():
    create_organisation()
    response = Client().post("/inscription/", {"name": "A", "phone": "", "consent": ""})
    page = html.fromstring(response.content)
    assert page.get_element_by_id("consent-box").get("checked") is None


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_paper_form_line_error_is_under_the_line_typed(client, lang):
    org = create_organisation()
    client.force_login(create_user(org, Role.AUTHOR))
    client.post(reverse("set_language"), {"language": lang, "next": "/console/"})
    form = {
        "form_reference": "PF-1",
        "signed_on": "2026-11-18",
        "name": "Madame Anne Dupont",
        "phone": "06 12 34 56 78",
        "address1": "Résidence des Grands Chênes, escalier B, porte 12",  # line 2
        "address2": "Bâtiment B",  # line 3
        "address3": "5 bis rue des Lilas",  # line 4
        "postcode": "49123",
        "city": "Saint-Crieur",
        "country": "FR",
        "language": "fr",
        "channels": ["sms", "post"],
        "topics": ["travaux"],
        "area": "centre",
    }
    page = client.post(reverse("console:paper-form"), form).content.decode()
    under_line_2 = re.search(r'id="id_address1-error">(.*?)</span>', page, re.S)
    assert under_line_2 and "38" in under_line_2.group(1)
    assert "must" not in under_line_2.group(1)
    assert 'id="id_address3-error"' not in page  # not under "Adresse, ligne 4"
