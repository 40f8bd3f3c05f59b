"""The console's settings screens (admins only): organisation and logo, topics and areas with
their SMS keywords, members and roles, API keys. Every change audited, no secret shown back."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gateway.models import ApiKey, Area, AuditEvent, Membership, OrganisationLogo, Role, Topic
from tests.factories import create_organisation, create_user

pytestmark = pytest.mark.django_db

SETTINGS = {
    "name": "Mairie de Saint-Crieur",
    "address_lines": "Mairie de Saint-Crieur\n1 place de la Mairie\n49123 SAINT-CRIEUR",
    "city": "Saint-Crieur",
    "timezone": "Europe/Paris",
    "default_locale": "fr",
    "sms_sender": "MAIRIE",
    "voice_sender": "",
    "sms_signature": "Mairie",
    "sms_policy": "punctuation",
    "sms_max_parts": "4",
    "sms_prices": "FR 0.0725\nBE 0,09",
    "currency": "eur",
    "countries": "FR, BE",
    "signup_codes_per_day": "150",
}


@pytest.fixture
def org():
    return create_organisation()


@pytest.fixture
def admin(client, org):
    user = create_user(org, Role.ADMIN)
    client.force_login(user)
    return user


def png(width=40, height=20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    "name",
    ["settings", "settings-topics", "settings-members", "settings-keys"],
)
def test_settings_are_for_admins(client, org, name):
    client.force_login(create_user(org, Role.APPROVER))
    assert client.get(reverse(f"console:{name}")).status_code == 403
    assert client.post(reverse(f"console:{name}"), {"name": "X"}).status_code == 403


def test_an_admin_changes_the_organisation_audited(client, org, admin):
    response = client.post(reverse("console:settings"), SETTINGS)
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.address_lines == [
        "Mairie de Saint-Crieur",
        "1 place de la Mairie",
        "49123 SAINT-CRIEUR",
    ]
    assert org.sms_prices == {"FR": "0.0725", "BE": "0.09"}
    assert org.countries == ["FR", "BE"] and org.currency == "EUR" and org.sms_max_parts == 4
    event = AuditEvent.objects.get(action="organisation.edited")
    assert event.actor == admin and event.data["after"]["sms_policy"] == "punctuation"
    page = client.get(reverse("console:settings")).content.decode()
    assert "FR 0.0725" in page and "1 place de la Mairie" in page


def test_bad_settings_are_named_next_to_their_field_and_nothing_is_stored(client, org, admin):
    bad = {**SETTINGS, "countries": "FR ZZ", "sms_prices": "FR cheap", "currency": "euro"}
    response = client.post(reverse("console:settings"), bad)
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(r'id="id_countries-error">Code de pays inconnu : ZZ', html)
    assert re.search(r'id="id_sms_prices-error">Ligne illisible', html)
    assert re.search(r'id="id_currency-error">Trois lettres', html)
    assert 'aria-describedby="id_countries_helptext id_countries-error"' in html
    org.refresh_from_db()
    assert org.countries == ["FR"] and not AuditEvent.objects.filter(action="organisation.edited")


def test_a_logo_is_validated_stored_shown_and_removed(client, org, admin):
    not_image = SimpleUploadedFile("logo.png", b"<svg>no</svg>", content_type="image/png")
    refused = client.post(reverse("console:settings-logo"), {"logo": not_image})
    assert refused.status_code == 422
    assert "pas une image PNG ou JPEG lisible" in refused.content.decode()
    good = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    assert client.post(reverse("console:settings-logo"), {"logo": good}).status_code == 302
    stored = OrganisationLogo.objects.get(organisation=org)
    assert (stored.width, stored.height, stored.content_type) == (40, 20, "image/png")
    image = client.get(reverse("console:settings-logo-image"))
    assert image["Content-Type"] == "image/png" and bytes(image.content) == png()
    assert AuditEvent.objects.filter(action="organisation.logo_changed").exists()
    client.post(reverse("console:settings-logo"), {"remove": "1"})
    assert not OrganisationLogo.objects.filter(organisation=org).exists()


def test_topics_and_areas_with_their_keywords(client, org, admin):
    url = reverse("console:settings-topics")
    created = client.post(
        url,
        {
            "kind": "topic",
            "topic-slug": "ecoles",
            "topic-name": "Écoles",
            "topic-keywords": "ecole, school",
        },
    )
    assert created.status_code == 302
    topic = Topic.objects.get(organisation=org, slug="ecoles")
    assert topic.keywords == ["ECOLE", "SCHOOL"]
    reserved = client.post(
        url,
        {
            "kind": "topic",
            "id": topic.pk,
            f"t{topic.pk}-name": "Écoles",
            f"t{topic.pk}-keywords": "STOP",
        },
    )
    assert reserved.status_code == 422 and "mot réservé" in reserved.content.decode()
    edited = client.post(
        url,
        {
            "kind": "topic",
            "id": topic.pk,
            f"t{topic.pk}-name": "Écoles et crèches",
            f"t{topic.pk}-keywords": "ECOLE CRECHE",
        },
    )
    assert edited.status_code == 302
    topic.refresh_from_db()
    assert topic.name == "Écoles et crèches" and topic.keywords == ["ECOLE", "CRECHE"]
    taken = client.post(
        url,
        {
            "kind": "topic",
            "topic-slug": "creches",
            "topic-name": "Crèches",
            "topic-keywords": "creche",
        },
    )
    assert taken.status_code == 422 and "déjà un mot-clé du thème" in taken.content.decode()
    duplicate = client.post(url, {"kind": "area", "area-slug": "centre", "area-name": "Centre"})
    assert duplicate.status_code == 422 and "existe déjà" in duplicate.content.decode()
    assert (
        client.post(url, {"kind": "area", "area-slug": "sud", "area-name": "Sud"}).status_code
        == 302
    )
    assert Area.objects.filter(organisation=org, slug="sud").exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"topic.created", "topic.edited", "area.created"} <= actions
    other = create_organisation()
    foreign = Topic.objects.get(organisation=other, slug="eau")
    assert (
        client.post(
            url, {"kind": "topic", "id": foreign.pk, f"t{foreign.pk}-name": "X"}
        ).status_code
        == 404
    )


def test_invite_a_member_who_sets_a_password_then_change_role_and_remove(
    client, org, admin, settings
):
    settings.PUBLIC_URL = "https://crieur.example.org"
    response = client.post(
        reverse("console:settings-members"), {"username": "claire", "email": "", "role": "approver"}
    )
    assert response.status_code == 201
    link = re.search(
        r"https://crieur\.example\.org(/console/invitation/[^<]+/)", response.content.decode()
    )[1]
    membership = Membership.objects.get(user__username="claire")
    assert membership.role == "approver"
    client.logout()
    assert client.get(link).status_code == 200
    done = client.post(
        link, {"new_password1": "Lilas-2026-crieur", "new_password2": "Lilas-2026-crieur"}
    )
    assert done.status_code == 302
    assert client.login(username="claire", password="Lilas-2026-crieur")
    assert client.get(link).status_code == 404  # once only
    client.force_login(admin)
    url = reverse("console:settings-member", args=[membership.pk])
    assert client.post(url, {"role": "admin", "can_alert": "on"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "admin" and membership.can_alert
    assert client.post(url, {"remove": "1"}).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert not get_user_model().objects.get(username="claire").is_active
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert {"membership.created", "membership.changed", "membership.removed"} <= set(actions)


def test_the_last_admin_stays(client, org, admin):
    own = Membership.objects.get(user=admin)
    url = reverse("console:settings-member", args=[own.pk])
    client.post(url, {"role": "author"})
    own.refresh_from_db()
    assert own.role == "admin"
    client.post(url, {"remove": "1"})
    assert Membership.objects.filter(pk=own.pk).exists()


def test_an_api_key_is_shown_once_then_revoked(client, org, admin):
    response = client.post(
        reverse("console:settings-keys"), {"name": "site web", "scopes": ["read"]}
    )
    assert response.status_code == 201 and response["Cache-Control"] == "no-store"
    key = re.search(r"<code dir=\"ltr\">(crieur_[^<]+)</code>", response.content.decode())[1]
    stored = ApiKey.objects.get(organisation=org, name="site web")
    assert stored.digest == ApiKey.hash(key) and stored.scopes == ["read"]
    assert key not in client.get(reverse("console:settings-keys")).content.decode()
    assert client.post(reverse("console:settings-key-revoke", args=[stored.pk])).status_code == 302
    stored.refresh_from_db()
    assert stored.revoked_at is not None
    assert not any(key in str(e.data) for e in AuditEvent.objects.all())
    none = client.post(reverse("console:settings-keys"), {"name": "x"})
    assert none.status_code == 422 and "Cochez au moins un droit" in none.content.decode()
