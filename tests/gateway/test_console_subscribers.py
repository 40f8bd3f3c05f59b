"""The console's subscriber entry (paper form, CSV import) and the reach estimate before
publishing, through Django's test client. They call gateway.audience.citizens and estimate_reach."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gateway.models import Citizen, Consent, Delivery, Role
from gateway.routing.reach import estimate_reach
from tests.factories import create_announcement, create_citizen, create_organisation, create_user

pytestmark = pytest.mark.django_db

PAPER = {
    "form_reference": "PF-2026-0042",
    "signed_on": "2026-11-18",
    "reference": "",
    "name": "Madame Anne Dupont",
    "phone": "06 12 34 56 78",
    "address1": "",
    "address2": "",
    "address3": "5 bis rue des Lilas",
    "address4": "",
    "postcode": "49123",
    "city": "Saint-Crieur",
    "country": "FR",
    "language": "fr",
    "channels": ["sms", "post"],
    "preferred": "",
    "topics": ["travaux"],
    "area": "centre",
    "quiet_start": "",
    "quiet_end": "",
}

CSV = (
    "reference,name,phone,address1,postcode,city,language,channels,topics,area\n"
    "C-1,Anne Dupont,06 12 34 56 78,5 rue des Lilas,49123,Saint-Crieur,fr,sms post,travaux,centre\n"
    "C-2,John Smith,06 98 76 54 32,,,,en,sms,eau,nord\n"
)


@pytest.fixture
def org():
    return create_organisation()


def logged_in(client, org, role=Role.AUTHOR):
    client.force_login(create_user(org, role))
    return client


def upload(client, text: str | bytes, name="abonnes.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = text.encode() if isinstance(text, str) else text
    return client.post(reverse("console:import"), {"file": SimpleUploadedFile(name, content)})


def test_any_member_enters_a_paper_form_with_its_consent_evidence(client, org):
    logged_in(client, org, Role.AUTHOR)
    response = client.post(reverse("console:paper-form"), {**PAPER, "preferred": "post"})
    assert response.status_code == 302
    citizen = Citizen.objects.get(organisation=org)
    assert citizen.channels == ["post", "sms"]  # the preferred channel first
    assert citizen.address_lines == ["5 bis rue des Lilas", "49123 Saint-Crieur"]
    consent = Consent.objects.get(citizen=citizen, channel="sms")
    assert consent.source == "paper" and consent.granted
    assert "paper form PF-2026-0042 signed 2026-11-18" in consent.evidence
    found = client.get(response["Location"]).content.decode()
    assert citizen.reference in found and "+336••••••78" in found
    assert "+33612345678" not in found


def test_a_bad_address_line_is_named_next_to_its_field_and_in_the_summary(client, org):
    logged_in(client, org)
    long_street = "Résidence des Grands Chênes, escalier B, porte 12"
    response = client.post(
        reverse("console:paper-form"), {**PAPER, "address1": long_street, "address2": "Bâtiment B"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    # in the console's language (French by default)
    assert re.search(r'id="id_address1-error">la ligne 2 fait 49 caractères, au plus 38', html)
    assert 'role="alert"' in html and 'href="#id_address1"' in html
    assert 'aria-describedby="id_address1_helptext id_address1-error"' in html
    bad_postcode = client.post(reverse("console:paper-form"), {**PAPER, "postcode": "4912"})
    assert re.search(r'id="id_postcode-error">la ligne 3 doit être', bad_postcode.content.decode())
    assert not Citizen.objects.exists()


def test_an_address_problem_without_a_line_is_shown_on_the_address(client, org):
    logged_in(client, org)
    empty = {**PAPER, "address3": "", "postcode": "", "city": "", "channels": ["post"]}
    html = client.post(reverse("console:paper-form"), empty).content.decode()
    group = re.search(r'id="address-error">(.*?)</div>', html, re.S).group(1)
    assert "l’adresse doit avoir au moins une ligne de nom et une ligne de localité" in group
    assert 'aria-describedby="id_address1_helptext address-error"' in html
    assert not Citizen.objects.exists()


def test_each_problem_is_next_to_its_field(client, org):
    logged_in(client, org)
    html = client.post(
        reverse("console:paper-form"),
        {**PAPER, "phone": "", "channels": ["sms"], "form_reference": ""},
    ).content.decode()
    assert re.search(r'id="id_phone-error">[^<]*Le numéro de téléphone est obligatoire', html)
    assert re.search(r'id="id_form_reference-error">', html)
    none = client.post(reverse("console:paper-form"), {**PAPER, "channels": []}).content.decode()
    assert re.search(r'id="id_channels-error">Cochez au moins un canal', none)
    assert not Citizen.objects.exists()


def test_a_used_reference_is_refused_not_a_500(client, org):
    create_citizen(org, reference="PAPER-1")
    logged_in(client, org)
    response = client.post(reverse("console:paper-form"), {**PAPER, "reference": "PAPER-1"})
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(r'id="id_reference-error">Cette référence est déjà utilisée', html)


def test_import_is_for_admins(client, org):
    logged_in(client, org, Role.AUTHOR)
    assert client.get(reverse("console:import")).status_code == 403
    assert (
        "console/subscribers/import/"
        not in client.get(reverse("console:subscribers")).content.decode()
    )
    assert upload(client, CSV).status_code == 403 and not Citizen.objects.exists()


def test_import_all_or_nothing_with_its_report(client, org):
    logged_in(client, org, Role.ADMIN)
    bad = upload(client, CSV + "C-3,Paul,,,,,xx,sms,,\n")
    assert bad.status_code == 422
    rows = re.findall(
        r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", bad.content.decode()
    )
    assert ("4", "language", "unknown language &#x27;xx&#x27;") in rows
    assert ("4", "phone", "required for the sms channel") in rows
    assert not Citizen.objects.exists()

    done = upload(client, CSV)
    assert done.status_code == 200
    page = done.content.decode()
    assert "2 créés, 0 mis à jour." in page and 'data-testid="import-changes"' in page
    again = upload(client, CSV.replace("John Smith", "John Smyth"))
    page = again.content.decode()
    assert "0 créé, 1 mis à jour." in page
    assert re.search(r"<td>name</td><td>John Smith</td><td>John Smyth</td>", page)
    assert Citizen.objects.filter(organisation=org).count() == 2


def test_import_of_a_file_that_is_not_utf8_says_so(client, org):
    logged_in(client, org, Role.ADMIN)
    response = upload(client, CSV.encode("utf-16"))
    assert response.status_code == 422 and "not UTF-8 text" in response.content.decode()
    empty = client.post(reverse("console:import"), {})
    assert empty.status_code == 422 and 'id="id_file-error"' in empty.content.decode()


def test_reach_before_publishing_is_the_estimate_and_confirms_the_publish_button(client, org):
    create_citizen(org, channels=("sms",))
    create_citizen(org, channels=("sms",), language="en", area="nord")
    create_citizen(org, channels=("post",))
    announcement = create_announcement(org)  # approved: the publish button is shown
    logged_in(client, org, Role.ADMIN)
    page = client.get(reverse("console:announcement", args=[announcement.pk])).content.decode()
    url = reverse("console:reach", args=[announcement.pk])
    assert f'hx-get="{url}"' in page and 'id="publish-reach"' in page
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    expected = estimate_reach(announcement)
    assert expected["citizens"] == 3
    assert "Cette publication atteindra 3 abonnés — SMS : 2, Lettre de la semaine : 1." in partial
    assert 'id="publish-reach" class="confirm" hx-swap-oob="true"' in partial
    assert re.search(r"<th scope=\"row\"[^>]*>anglais \(en\)</th><td>1</td>", partial)
    assert re.search(r"<th scope=\"row\">Nord</th><td>1</td>", partial)
    assert not Delivery.objects.exists()
    full = client.get(url).content.decode()  # without JavaScript: a page of its own
    assert "<html" in full and "hx-swap-oob" not in full and "3 abonnés" in full
    english = client.get(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en").content
    assert "This will reach 3 subscribers — SMS: 2, Weekly letter: 1." in english.decode()


def test_no_estimate_once_published(client, org):
    create_citizen(org)
    announcement = create_announcement(org)
    logged_in(client, org, Role.ADMIN)
    client.post(reverse("console:act", args=[announcement.pk, "publish"]))
    page = client.get(reverse("console:announcement", args=[announcement.pk])).content.decode()
    assert "console:reach" not in page and "/reach/" not in page
    partial = client.get(reverse("console:reach", args=[announcement.pk])).content.decode()
    assert "Cette publication" not in partial and "/dashboard/" in partial
