"""Issue 14 item 4: the suppression list. An opted-out phone is kept as a keyed hash, outside
the personal data an erasure removes, consulted by every way in and by the planner."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, TestCase

from gateway.models import Citizen, Consent, Delivery, Role
from gateway.publishing import publish
from tests.factories import (
    create_announcement,
    create_api_key,
    create_citizen,
    create_organisation,
    create_user,
)
from tests.gateway.audience import (
    PUBLIC,
    SENDER,
    TOKEN,
    api_client,
    post_json,
    sign_up,
    text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_buckets")]
PHONE = "+33612345678"
ENTRY = {
    "name": "Anne Dupont",
    "phone": "06 12 34 56 78",
    "channels": ["sms"],
    "topics": ["travaux"],
}


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_URL = PUBLIC


@pytest.fixture
def org():
    return create_organisation(sms_sender=SENDER)


@pytest.fixture
def admin(org):
    return api_client(create_api_key(org))


def stop_then_erase(org, admin) -> None:
    citizen = create_citizen(org, phone=PHONE, channels=("sms",))
    assert "START" in text("STOP", phone=PHONE).content.decode()
    assert admin.post(f"/api/citizens/{citizen.reference}/erase").status_code == 200


def texted(org) -> set[str]:
    """The phones an announcement published now would text."""
    announcement = create_announcement(org)
    with TestCase.captureOnCommitCallbacks(execute=True):
        publish(announcement)  # planned and sent by the (eager) tasks
    rows = Delivery.objects.filter(announcement=announcement, channel="sms")
    return set(rows.values_list("citizen__phone", flat=True))


def by_api(org, admin):
    return post_json(admin, "/api/citizens", ENTRY)


def by_paper_form(org, admin):
    return post_json(
        admin,
        "/api/citizens/paper-forms",
        {**ENTRY, "form_reference": "F-1", "signed_on": "2026-11-18"},
    )


def by_import(org, admin):
    csv = "reference,name,phone,channels,topics\nI-1,Anne Dupont,06 12 34 56 78,sms,travaux\n"
    file = SimpleUploadedFile("a.csv", csv.encode(), content_type="text/csv")
    return admin.post("/api/citizens/import", {"file": file})


def by_console_paper_form(org, admin):
    client = Client()
    client.force_login(create_user(org, Role.AUTHOR))
    return client.post(
        "/console/subscribers/paper-form/",
        {
            "form_reference": "PF-1",
            "signed_on": "2026-11-18",
            "name": "Anne Dupont",
            "phone": "06 12 34 56 78",
            "country": "FR",
            "language": "fr",
            "channels": ["sms"],
            "topics": ["travaux"],
        },
    )


@pytest.mark.parametrize("way_in", [by_api, by_paper_form, by_import, by_console_paper_form])
def test_item4_erasure_keeps_the_opt_out_for_every_way_in(org, admin, way_in):
    stop_then_erase(org, admin)
    response = way_in(org, admin)
    assert response.status_code in (200, 201, 302), response.content.decode()[:500]
    citizen = Citizen.objects.get(phone=PHONE, erased_at__isnull=True)
    assert not Consent.objects.get(citizen=citizen, channel="sms").granted
    assert PHONE not in texted(org)


def test_item4_a_stop_from_an_unknown_phone_is_kept_without_the_phone(org, admin):
    text("STOP", phone=PHONE)
    from gateway.audience.suppression import Suppression

    [row] = Suppression.objects.all()
    assert PHONE not in str(row.__dict__) and "612345678" not in str(row.__dict__)
    assert not Citizen.objects.filter(phone=PHONE).exists()
    assert by_api(org, admin).json()["consents"] == {"sms": False}
    assert PHONE not in texted(org)


def test_item4_the_planner_never_texts_a_suppressed_phone(org):
    text("STOP", phone=PHONE)
    # a citizen written to the database by no way in (e.g. restored from a backup)
    create_citizen(org, phone=PHONE, channels=("sms",))
    assert PHONE not in texted(org)


def test_item4_the_citizen_lifts_it_by_start_or_a_verified_sign_up(org, admin):
    stop_then_erase(org, admin)
    done = sign_up()
    assert done.status_code == 200
    assert PHONE in texted(org)
    text("STOP", phone=PHONE)
    assert PHONE not in texted(org)
    text("START", phone=PHONE)
    assert PHONE in texted(org)


def test_item4_a_rotated_secret_keeps_the_list_through_the_fallback_keys(org, admin, settings):
    stop_then_erase(org, admin)
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-for-the-instance-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old]
    assert by_api(org, admin).json()["consents"] == {"sms": False}
    settings.SECRET_KEY_FALLBACKS = []  # the old key dropped: the list was re-keyed on the way
    assert PHONE not in texted(org)


def test_item4_a_missing_key_is_reported_by_the_system_check(org, admin, settings, capsys):
    text("STOP", phone=PHONE)
    settings.SECRET_KEY = "a-new-secret-key-for-the-instance-0123456789"
    settings.SECRET_KEY_FALLBACKS = []
    call_command("check")
    out = capsys.readouterr()
    assert "suppression" in (out.out + out.err)
