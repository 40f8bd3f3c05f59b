"""The console's accounts page: admins list, add, edit, test, disable and remove accounts;
secrets are never shown back; refusals are next to their field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gateway.accounts.models import ProviderAccount
from gateway.accounts.secrets import unseal
from gateway.models import Role
from tests.factories import create_account, create_organisation, create_user
from tests.fakes.social import FakeMastodon

pytestmark = pytest.mark.django_db

TOKEN = "console-secret-token-5678"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org():
    return create_organisation()


@pytest.fixture
def admin(client, org):
    client.force_login(create_user(org, Role.ADMIN))
    return client


@pytest.fixture
def mastodon():
    with FakeMastodon(token=TOKEN) as fake:
        yield fake


def test_only_admins_see_the_page_and_its_link(client, org):
    client.force_login(create_user(org, Role.APPROVER))
    assert client.get(reverse("console:accounts")).status_code == 403
    assert reverse("console:accounts") not in client.get(reverse("console:home")).content.decode()
    client.force_login(create_user(org, Role.ADMIN))
    assert reverse("console:accounts") in client.get(reverse("console:home")).content.decode()


def test_add_test_edit_disable_remove(admin, org, mastodon):
    page = admin.get(reverse("console:account-add", args=["mastodon"]))
    html = page.content.decode()
    assert 'name="access_token"' in html and 'type="password"' in html
    response = admin.post(
        reverse("console:account-add", args=["mastodon"]),
        {
            "label": "Mairie sur Mastodon",
            "locale": "en",
            "enabled": "on",
            "base_url": mastodon.base_url,
            "access_token": TOKEN,
        },
        follow=True,
    )
    html = response.content.decode()
    account = ProviderAccount.objects.get(organisation=org)
    assert "Compte « Mairie sur Mastodon » ajouté" in html
    assert TOKEN not in html and "…5678" in html and account.effective_locale == "en"

    tested = admin.post(reverse("console:account-test", args=[account.pk]), follow=True)
    assert "Test réussi : mastodon: posts as @mairie (Mairie)" in tested.content.decode()

    form = admin.get(reverse("console:account", args=[account.pk])).content.decode()
    assert TOKEN not in form and "Enregistré (…5678) ; vide : inchangé." in form
    saved = admin.post(
        reverse("console:account", args=[account.pk]),
        {
            "label": "Mastodon",
            "locale": "",
            "enabled": "on",
            "base_url": mastodon.base_url,
            "access_token": "",  # empty: the stored token is kept
            "visibility": "unlisted",
        },
        follow=True,
    )
    assert "Compte enregistré." in saved.content.decode()
    account.refresh_from_db()
    assert (
        account.label == "Mastodon"
        and account.locale == ""
        and account.settings["visibility"] == "unlisted"
    )
    assert unseal(account.secrets) == {"access_token": TOKEN}

    admin.post(reverse("console:account-switch", args=[account.pk, "disable"]))
    account.refresh_from_db()
    assert not account.enabled
    listing = admin.get(reverse("console:accounts")).content.decode()
    assert "désactivé" in listing and "Activer" in listing
    admin.post(reverse("console:account-switch", args=[account.pk, "remove"]))
    assert ProviderAccount.objects.current().count() == 0
    assert admin.get(reverse("console:account", args=[account.pk])).status_code == 404


def test_a_refused_setting_is_shown_next_to_its_field_and_nothing_is_stored(admin):
    response = admin.post(
        reverse("console:account-add", args=["mastodon"]),
        {"label": "M", "enabled": "on", "base_url": "ftp://social.example", "access_token": "t"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_base_url-error"' in html
    assert "Refusé : base_url must start with http:// or https://" in html
    assert 'role="alert"' in html and 'href="#id_base_url"' in html
    missing = admin.post(
        reverse("console:account-add", args=["mastodon"]),
        {"label": "M", "enabled": "on", "base_url": "https://social.example"},
    )
    assert 'id="id_access_token-error"' in missing.content.decode()
    assert not ProviderAccount.objects.exists()


def test_a_failed_test_names_the_cause(admin, org, mastodon):
    account = create_account(org, settings={"base_url": mastodon.base_url, "access_token": "bad"})
    response = admin.post(reverse("console:account-test", args=[account.pk]), follow=True)
    html = response.content.decode()
    assert "Test échoué : mastodon: The access token is invalid (HTTP 401)" in html
    assert "en échec" in html


def test_the_page_speaks_english_too(admin, org):
    create_account(org, label="Mairie")
    admin.cookies["django_language"] = "en"
    html = admin.get(reverse("console:accounts"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "never tested" in html and "Add a mastodon account" in html


def test_another_organisations_account_is_404(admin):
    theirs = create_account(create_organisation())
    assert admin.get(reverse("console:account", args=[theirs.pk])).status_code == 404
    response = admin.post(reverse("console:account-test", args=[theirs.pk]))
    assert response.status_code == 404
    assert (
        admin.post(reverse("console:account-switch", args=[theirs.pk, "disable"])).status_code
        == 404
    )


def test_compose_shows_one_card_per_account_with_its_counter_and_warnings(client, org):
    bluesky = create_account(
        org, "bluesky", {"handle": "m.example", "app_password": "p"}, locale="en"
    )
    off = create_account(org, label="Ancien compte", enabled=False)
    client.force_login(create_user(org, Role.AUTHOR))
    data = {
        "locale": "fr",
        "title": "Coupure d'eau",
        "summary": "Coupure d'eau mardi matin rue des Lilas.",
        "body": "L'eau sera coupée mardi matin.",
        "urgency": "info",
        "preview_locale": "fr",
    }
    html = client.post(reverse("console:preview"), data).content.decode()
    assert f'data-testid="social-account-{bluesky.pk}"' in html
    assert f'data-testid="social-account-{off.pk}"' in html
    assert "Pas de traduction en « en » : publié en « fr »." in html
    assert "Compte désactivé : il ne publiera pas." in html
    assert "/ 300 caractères" in html and "/ 500 caractères" in html  # each its own counter
    assert 'data-testid="social-mastodon"' not in html  # no default post: it has accounts
