"""Accessibility: axe-core (vendored from npm) run in the same Chromium over the console pages
an agent works in and the public sign-up, in French and Arabic: no serious or critical
violation."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from gateway import publishing
from gateway.models import Announcement, Role, Status
from tests.factories import create_announcement, create_organisation, create_user

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Path(__file__).parent / "vendor" / "axe-core-4.11.0.min.js"


def violations(page) -> list[dict]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => { const r = await axe.run(document);"
        " return {passes: r.passes.length, violations: r.violations.map(v => ({id: v.id,"
        " impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))"
        "}))}; }"
    )
    assert result["passes"] > 10  # axe did check the page
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_console_and_public_pages_have_no_serious_violation(browser, live_server, language):
    from django.utils import timezone

    org = create_organisation(sms_policy="off")
    author = create_user(org, Role.AUTHOR)
    approver = create_user(org, Role.ADMIN)
    draft = create_announcement(org, approved=False, author=author)
    publishing.submit(draft, actor=author)
    publishing.reject(draft, actor=approver, reason="Précisez la rue")
    sent = create_announcement(org, author=author)
    Announcement.objects.filter(pk=sent.pk).update(
        status=Status.SENT, published_at=timezone.now() - timedelta(minutes=5)
    )
    context = browser.new_context(
        bypass_csp=True, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/console/login/")
    page.get_by_label("Identifiant").fill(approver.username)
    page.get_by_label("Mot de passe").fill("x")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/console/")
    if language != "fr":
        page.get_by_label("Langue").first.select_option(language)
        page.get_by_role("button", name="Changer").click()
        page.locator(f"html[lang={language}]").wait_for(state="attached")
    pages = [
        "/console/",
        "/console/announcements/new/",
        f"/console/announcements/{draft.pk}/",
        f"/console/announcements/{draft.pk}/edit/",
        f"/console/announcements/{sent.pk}/",
        f"/console/announcements/{create_announcement(org).pk}/confirm-cancel/",
        "/console/approvals/",
        "/console/print/",
        "/console/subscribers/paper-form/",
        f"/inscription/?lang={language}",
        # Pages of the other areas, checked here too while they have no accessibility test
        "/console/subscribers/",
        "/console/subscribers/import/",
        f"/console/announcements/{sent.pk}/dashboard/",
        "/console/polls/",
        "/console/moderation/",
        "/console/questions/",
        "/console/settings/accounts/",
        f"/v/{Announcement.objects.get(pk=sent.pk).verification_code}",
    ]
    found = {}
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        serious = violations(page)
        if serious:
            found[path] = serious
    context.close()
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)
