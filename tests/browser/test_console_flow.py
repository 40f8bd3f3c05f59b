"""The agent's path in a real browser: compose → live preview → submit → approve as a second
user → publish → the dashboard shows the deliveries; a paper form, then the reach before
publishing."""

from __future__ import annotations

import re

import pytest

from gateway.models import Announcement, Citizen, Delivery, Role, Status
from tests.factories import (
    create_announcement,
    create_citizen,
    create_organisation,
    create_user,
)

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
    assert (
        page.get_by_test_id("warnings")
        .get_by_text("Pas de traduction en anglais : 1 abonné")
        .is_visible()
    )
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
    assert table.get_by_role("row", name=re.compile(r"^SMS français")).is_visible()
    assert table.get_by_role("row", name=re.compile(r"^Appel vocal français")).is_visible()
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


def test_paper_form_then_search_and_reach_before_publishing(browser, live_server, shots):
    org = create_organisation()
    agent = create_user(org, Role.AUTHOR)
    create_citizen(org, channels=("sms",), language="en", area="nord")
    announcement = create_announcement(org)  # approved, not published

    page = log_in(browser, live_server, agent)
    page.get_by_role("link", name="Abonnés").click()
    page.get_by_role("link", name="Saisir un formulaire papier").click()
    page.get_by_label("Numéro du formulaire").fill("PF-2026-0042")
    page.get_by_label("Signé le").fill("2026-11-18")
    page.get_by_label("Civilité, prénom et nom").fill("Madame Lucie Marchand")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_label("Adresse, ligne 2").fill("Résidence des Grands Chênes, escalier B, porte 12")
    page.get_by_label("Adresse, ligne 3").fill("Bâtiment B")
    page.get_by_label("Adresse, ligne 4").fill("5 bis rue des Lilas")
    page.get_by_label("Code postal").fill("49123")
    page.get_by_label("Commune").fill("Saint-Crieur")
    page.get_by_role("group", name=re.compile("Consentement par canal")).get_by_label("SMS").check()
    page.get_by_role("group", name=re.compile("Consentement par canal")).get_by_label(
        "Courrier"
    ).check()
    page.get_by_label("Travaux").check()
    page.get_by_label("Quartier").select_option("centre")
    unlabelled = page.eval_on_selector_all(
        "main input:not([type=hidden]), main textarea, main select",
        "els => els.filter(e => e.labels.length === 0).map(e => e.name)",
    )
    assert unlabelled == []
    shots(page, "paper-form")
    page.get_by_role("button", name="Enregistrer le formulaire").click()

    summary = page.get_by_role("alert")
    assert "la ligne 2 fait 49 caractères, au plus 38" in summary.inner_text()
    line2 = page.get_by_label("Adresse, ligne 2")
    assert "au plus 38" in page.locator("#id_address1-error").inner_text()
    assert "id_address1-error" in line2.get_attribute("aria-describedby")
    assert line2.get_attribute("aria-invalid") == "true"
    shots(page, "paper-form-address-error")
    line2.fill("Résidence des Grands Chênes")
    page.get_by_role("button", name="Enregistrer le formulaire").click()

    page.get_by_text("Formulaire enregistré").wait_for()
    row = page.get_by_test_id("subscribers").get_by_role("row", name=re.compile("Lucie Marchand"))
    assert "+336••••••78" in row.inner_text() and "12 34 56" not in row.inner_text()
    shots(page, "subscriber-found")
    page.get_by_label("Rechercher par nom ou référence").fill("Marchand")
    page.get_by_role("button", name="Filtrer").click()
    assert page.get_by_test_id("subscribers").get_by_role("row").count() == 2  # header + one

    page = log_in(browser, live_server, create_user(org, Role.ADMIN))
    page.goto(f"{live_server.url}/console/announcements/{announcement.pk}/")
    total = page.get_by_test_id("reach-total")
    total.wait_for()
    assert "atteindra 2 abonnés — SMS : 2" in total.inner_text()
    assert "atteindra 2 abonnés" in page.locator("#publish-reach").inner_text()
    channels = page.get_by_test_id("reach-channels")
    assert channels.get_by_role("row", name=re.compile("^SMS 2$")).is_visible()
    assert page.get_by_test_id("reach-areas").get_by_role("row", name="Nord 1").is_visible()
    assert not Delivery.objects.exists()
    shots(page, "reach-before-publishing")

    page.get_by_role("link", name="Abonnés").click()
    page.get_by_role("link", name="Importer un fichier CSV").click()
    csv = (
        "reference,name,phone,language,channels\nB-1,Anne,06 98 76 54 32,fr,sms\nB-2,Paul,,xx,sms\n"
    )
    files = {"name": "abonnes.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    page.get_by_label("Fichier CSV").set_input_files(files)
    page.get_by_role("button", name="Importer", exact=True).click()
    problems = page.get_by_test_id("import-problems")
    assert problems.get_by_role("row", name=re.compile(r"^3 language unknown")).is_visible()
    assert not Citizen.objects.filter(reference="B-1").exists()
    shots(page, "import-report")
    fixed = csv.replace("B-2,Paul,,xx,sms", "B-2,Paul,06 11 22 33 44,en,sms")
    page.get_by_label("Fichier CSV").set_input_files({**files, "buffer": fixed.encode()})
    page.get_by_role("button", name="Importer", exact=True).click()
    page.get_by_text("2 créés, 0 mis à jour.").wait_for()
    shots(page, "import-done")
