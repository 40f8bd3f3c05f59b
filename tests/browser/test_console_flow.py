"""The agent's path in a real browser: compose → live preview → submit → approve as a second
user → publish → the dashboard shows the deliveries."""

from __future__ import annotations

import re

import pytest

from gateway.models import Announcement, Delivery, Role, Status
from tests.factories import create_citizen, create_organisation, create_user

pytestmark = pytest.mark.django_db(transaction=True)

SUMMARY = "Coupure d'eau mardi de 8 h a 12 h rue des Lilas pour travaux"


def log_in(browser, live_server, user, shots=None):
    page = browser.new_page(locale="fr-FR", viewport={"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/console/")
    page.get_by_label("Identifiant").fill(user.username)
    page.get_by_label("Mot de passe").fill("x")
    if shots:
        shots(page, "login")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/console/$"))
    return page


def segments(page) -> str:
    return page.get_by_test_id("sms-segments").inner_text()


def test_compose_preview_submit_approve_publish_dashboard(browser, live_server, shots):
    org = create_organisation(sms_policy="off")  # the ’ stays a ’: the SMS turns UCS-2
    author = create_user(org, Role.AUTHOR)
    approver = create_user(org, Role.APPROVER)
    for _ in range(3):
        create_citizen(org)
    create_citizen(org, channels=("voice",), is_mobile=False, language="en")

    page = log_in(browser, live_server, author, shots)
    page.get_by_role("link", name="Nouvelle annonce").first.click()
    unlabelled = page.eval_on_selector_all(
        "main input:not([type=hidden]), main textarea, main select",
        "els => els.filter(e => e.labels.length === 0).map(e => e.name)",
    )
    assert unlabelled == []
    page.get_by_label("Titre", exact=False).first.fill("Coupure d'eau rue des Lilas")
    page.get_by_label("Résumé (SMS et réseaux sociaux)").fill(SUMMARY)
    page.get_by_label("Texte complet (affiche, courrier, appel)").fill(
        "L'eau sera coupée mardi de 8 h à 12 h rue des Lilas.\n\nPensez à faire des réserves."
    )
    page.get_by_label("Travaux").check()
    page.get_by_test_id("sms-encoding").filter(has_text="GSM-7").wait_for()
    before = segments(page)
    assert page.get_by_test_id("sms").get_by_text(SUMMARY).is_visible()
    assert page.get_by_test_id("notice").locator("img").is_visible()
    shots(page, "compose-preview-gsm7")

    page.get_by_label("Résumé (SMS et réseaux sociaux)").press("End")
    page.keyboard.type(" ’")
    page.get_by_test_id("sms-encoding").filter(has_text="UCS-2").wait_for()
    after = segments(page)
    assert int(after) > int(before), (before, after)
    assert page.get_by_test_id("warnings").get_by_text("Pas de traduction en anglais : 1 abonné").is_visible()
    shots(page, "compose-preview-ucs2")

    page.get_by_role("button", name="Enregistrer et demander l’approbation").click()
    page.get_by_test_id("status").filter(has_text="En attente d’approbation").wait_for()
    assert page.get_by_role("button", name="Approuver").count() == 0  # never one's own
    shots(page, "submitted")
    announcement = Announcement.objects.get()
    assert announcement.status == Status.PENDING_APPROVAL

    page = log_in(browser, live_server, approver)
    page.get_by_role("link", name="À approuver").click()
    shots(page, "approval-queue")
    page.get_by_role("link", name="Coupure d'eau rue des Lilas").click()
    page.get_by_role("button", name="Approuver").click()
    page.get_by_test_id("status").filter(has_text="Approuvée").wait_for()
    shots(page, "approved")

    page.get_by_role("button", name="Publier maintenant").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    table = page.get_by_test_id("deliveries")
    table.wait_for()
    assert table.get_by_role("row", name=re.compile(r"^sms fr")).is_visible()
    assert table.get_by_role("row", name=re.compile(r"^voice fr")).is_visible()
    assert page.locator("svg.chart polyline").count() >= 2
    shots(page, "dashboard")
    delivered = Delivery.objects.filter(announcement=announcement, status="delivered")
    assert delivered.filter(channel="sms").count() == 3
    assert delivered.filter(channel="voice").count() == 1

    page.get_by_label("Langue").first.select_option("en")
    page.get_by_role("button", name="Change").click()
    page.get_by_role("heading", name=re.compile("Deliveries by channel and language")).wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    shots(page, "dashboard-english")
