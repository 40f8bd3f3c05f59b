"""axe-core (tests/browser/vendor, run in the same Chromium) on every console and public page,
in French and in Arabic: no serious or critical violation of WCAG 2.1 A/AA.

The pages are opened with the Content-Security-Policy bypassed, so that axe's script can be
added; the other browser tests check the policy itself.
"""

from __future__ import annotations

import json

import pytest

from gateway.models import InboundMessage, Role
from tests.browser.pages import axe_violations, log_in
from tests.factories import create_announcement, create_citizen, create_organisation, create_user
from tests.gateway.conversation.factories import create_poll

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(settings, tmp_path):
    settings.MEDIA_DIR = tmp_path / "media"
    org = create_organisation(name="Mairie de Saint-Crieur")
    admin = create_user(org, Role.ADMIN)
    citizen = create_citizen(org, channels=("sms", "post"), name="Madame Anne Dupont")
    poll = create_poll(org)  # published: a verification page with its consultation
    published = poll.announcement
    InboundMessage.objects.create(
        organisation=org, citizen=citizen, announcement=published, body="Merci"
    )
    draft = create_announcement(org, approved=False, author=admin)
    approved = create_announcement(org, author=admin)
    return {
        "admin": admin,
        "console": [
            "/console/",
            "/console/approvals/",
            "/console/announcements/new/",
            f"/console/announcements/{draft.pk}/",
            f"/console/announcements/{draft.pk}/edit/",
            f"/console/announcements/{approved.pk}/confirm-cancel/",
            "/console/print/",
            f"/console/announcements/{approved.pk}/reach/",
            f"/console/announcements/{published.pk}/",
            f"/console/announcements/{published.pk}/dashboard/",
            f"/console/announcements/{published.pk}/poll/results/",
            "/console/subscribers/",
            f"/console/subscribers/{citizen.reference}/",
            f"/console/subscribers/{citizen.reference}/edit/",
            f"/console/subscribers/{citizen.reference}/erase/",
            "/console/subscribers/paper-form/",
            "/console/subscribers/import/",
            "/console/replies/",
            "/console/polls/",
            "/console/moderation/",
            "/console/questions/",
            "/console/settings/",
            "/console/settings/topics/",
            "/console/settings/members/",
            "/console/settings/keys/",
            "/console/settings/accounts/",
            "/console/settings/accounts/new/mastodon/",
        ],
        "public": [
            "/console/login/",
            "/console/invitation/MQ/expired/",
            "/inscription/",
            f"/v/{published.verification_code}",
            f"/v/{published.verification_code}/consultation",
        ],
    }


@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_no_serious_accessibility_violation_on_any_page(browser, live_server, site, locale):
    found: dict[str, list] = {}
    visitor = browser.new_page(locale=f"{locale}-FR" if locale == "fr" else "ar", bypass_csp=True)
    for path in site["public"]:
        response = visitor.goto(f"{live_server.url}{path}")
        assert response.status < 500, path
        if violations := axe_violations(visitor):
            found[path] = violations
    page = log_in(browser, live_server, site["admin"], locale=locale, bypass_csp=True)
    for path in site["console"]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status < 400, (path, response.status)
        page.wait_for_load_state("networkidle")
        if violations := axe_violations(page):
            found[path] = violations
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)
