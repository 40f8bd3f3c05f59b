"""An agent's day in the browser, in French and Arabic: a sent-back announcement edited and
resubmitted (reason and history shown), print downloads, cancelling with a confirmation."""

from __future__ import annotations

import re

import pytest

from gateway import publishing
from gateway.models import Announcement, Role, Status
from tests.factories import create_announcement, create_organisation, create_user

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(browser, live_server, user, language="fr"):
    page = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/console/")
    page.get_by_label("Identifiant").fill(user.username)
    page.get_by_label("Mot de passe").fill("x")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/console/$"))
    if language != "fr":
        page.get_by_label("Langue").first.select_option(language)
        page.get_by_role("button", name="Changer").click()
        page.locator(f"html[lang={language}]").wait_for(state="attached")
    return page


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_edit_a_sent_back_announcement_and_resubmit(browser, live_server, shots, language):
    org = create_organisation(sms_policy="off")
    author = create_user(org, Role.AUTHOR)
    approver = create_user(org, Role.APPROVER)
    announcement = create_announcement(org, approved=False, author=author)
    publishing.submit(announcement, actor=author)
    publishing.reject(announcement, actor=approver, reason="Précisez la rue et l’heure")

    page = log_in(browser, live_server, author, language)
    table = page.get_by_test_id("announcements")
    assert "Précisez la rue et l’heure" in table.inner_text()
    assert page.locator("header.top .logout button").evaluate(
        "b => b.getClientRects().length === 1 && b.offsetHeight < 2 * parseFloat("
        "getComputedStyle(b).lineHeight) + 20"
    )  # the logout button stays on one line at 1280 px
    shots(page, f"home-sent-back-{language}")
    page.get_by_role("link", name=announcement.text().title).click()
    assert "Précisez la rue et l’heure" in page.get_by_test_id("sent-back").inner_text()
    shots(page, f"announcement-sent-back-{language}")
    page.locator(f"a[href='/console/announcements/{announcement.pk}/edit/']").first.click()
    page.wait_for_url(re.compile(r"/edit/$"))
    title = page.locator("#id_title")
    assert title.input_value() == announcement.text().title
    page.get_by_test_id("sms").wait_for()  # the live preview works on the edit page
    title.fill("Coupure d’eau rue des Lilas, de 8 h à 12 h")
    assert page.locator("details.translation[data-locale=fr]").is_hidden()
    assert page.locator("details.translation[data-locale=en]").is_visible()
    shots(page, f"edit-{language}")
    page.locator("button[name=then][value=submit]").click()
    page.wait_for_url(re.compile(rf"/announcements/{announcement.pk}/$"))
    history = page.get_by_test_id("history")
    history.wait_for()
    assert history.locator("li").count() == 5  # created, submitted, sent back, edited, submitted
    assert "Précisez la rue et l’heure" in history.inner_text()
    shots(page, f"history-{language}")
    announcement = Announcement.objects.get(pk=announcement.pk)
    assert announcement.status == Status.PENDING_APPROVAL
    assert announcement.text().title == "Coupure d’eau rue des Lilas, de 8 h à 12 h"


def test_cancel_asks_for_a_confirmation(browser, live_server, shots):
    org = create_organisation(sms_policy="off")
    approver = create_user(org, Role.APPROVER)
    announcement = create_announcement(org)
    page = log_in(browser, live_server, approver)
    page.goto(f"{live_server.url}/console/announcements/{announcement.pk}/")
    page.get_by_role("link", name="Annuler l’annonce").click()
    page.get_by_test_id("cancel-warning").wait_for()
    shots(page, "cancel-confirm")
    page.get_by_role("link", name="Non, revenir à l’annonce").click()
    assert Announcement.objects.get(pk=announcement.pk).status == Status.APPROVED
    page.get_by_role("link", name="Annuler l’annonce").click()
    page.get_by_role("button", name="Oui, annuler définitivement").click()
    page.get_by_test_id("status").filter(has_text="Annulée").wait_for()
    assert Announcement.objects.get(pk=announcement.pk).status == Status.CANCELLED


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_print_downloads_from_the_announcement_and_the_print_page(
    browser, live_server, shots, language
):
    import io
    import zipfile
    from datetime import timedelta

    from django.utils import timezone
    from pypdf import PdfReader

    from gateway.models import Delivery
    from tests.factories import create_citizen

    org = create_organisation(sms_policy="off")
    agent = create_user(org, Role.AUTHOR)
    announcement = create_announcement(org)
    Announcement.objects.filter(pk=announcement.pk).update(
        status=Status.SENT, published_at=timezone.now() - timedelta(minutes=5)
    )
    citizen = create_citizen(org, channels=("post",))
    Delivery.objects.create(announcement=announcement, citizen=citizen, channel="post", locale="fr")

    page = log_in(browser, live_server, agent, language)
    page.goto(f"{live_server.url}/console/announcements/{announcement.pk}/")
    links = page.get_by_test_id(f"print-{announcement.pk}")
    links.wait_for()
    shots(page, f"announcement-print-{language}")
    large = links.locator("a[href*='large=1']").first.get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{large}")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert announcement.text().title.split()[0] in text
    thumb = page.get_by_test_id("notice-pdf")
    assert "/notice.pdf?locale=fr" in thumb.get_attribute("href")  # the thumbnail opens the PDF
    with page.expect_download() as download:
        links.locator("a[href$='letters.zip']").click()
    archive = zipfile.ZipFile(download.value.path())
    assert {"letters.pdf", "letters.csv", "rejects.csv"} <= set(archive.namelist())
    assert citizen.reference in archive.read("letters.csv").decode()

    page.locator("header.top nav a[href='/console/print/']").click()
    page.locator(f"img[src='/console/announcements/{announcement.pk}/notice.png']").wait_for()
    thumbnail = page.locator("img[src$='notice.png']")
    for _ in range(50):  # the thumbnail loads lazily, by URL
        if thumbnail.evaluate("i => i.complete && i.naturalWidth > 0"):
            break
        page.wait_for_timeout(100)
    assert thumbnail.evaluate("i => i.naturalWidth") > 100
    shots(page, f"print-page-{language}")
    with page.expect_download() as download:
        page.get_by_test_id("weekly-letters").click()
    archive = zipfile.ZipFile(download.value.path())
    assert citizen.reference in archive.read("letters.csv").decode()


def test_the_translation_list_follows_the_source_language(browser, live_server, shots):
    org = create_organisation(sms_policy="off")
    page = log_in(browser, live_server, create_user(org, Role.AUTHOR))
    page.goto(f"{live_server.url}/console/announcements/new/")
    assert page.locator("details.translation[data-locale=fr]").is_hidden()
    assert page.locator("details.translation[data-locale=en]").is_visible()
    page.locator("#id_locale").select_option("en")
    assert page.locator("details.translation[data-locale=en]").is_hidden()
    assert page.locator("details.translation[data-locale=fr]").is_visible()
    page.locator("#id_title").fill("Water cut on Tuesday from 8 to 12")
    page.locator("#id_summary").fill("Water cut on Tuesday from 8 am to noon.")
    page.locator("#id_body").fill("No water on Tuesday morning.")
    notice = page.get_by_test_id("notice").locator("img")
    notice.wait_for()
    assert "/console/preview/page/notice/" in notice.get_attribute("src")
    for _ in range(50):  # the page image loads by URL, after the text forms
        if notice.evaluate("i => i.complete && i.naturalWidth > 0"):
            break
        page.wait_for_timeout(100)
    assert notice.evaluate("i => i.naturalWidth") > 100
    shots(page, "compose-source-english")
