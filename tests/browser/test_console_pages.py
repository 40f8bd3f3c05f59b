"""Subscribers, replies, settings and the dashboard in Chromium, in French and in Arabic (right
to left), with screenshots of every step under var/test-output/browser/."""

from __future__ import annotations

import io
import re
import time

import pytest
from django.db import transaction
from PIL import Image

from gateway import registry
from gateway.conversation.models import PollAnswer
from gateway.models import ApiKey, Delivery, InboundMessage, Membership, OrganisationLogo, Role
from gateway.publishing import publish
from tests.browser.pages import log_in, switch
from tests.factories import (
    create_announcement,
    create_citizen,
    create_citizens,
    create_organisation,
    create_user,
)
from tests.fakes.twilio import FakeTwilio
from tests.gateway.conversation.factories import create_poll

pytestmark = pytest.mark.django_db(transaction=True)


def rtl(page) -> bool:
    return page.locator("html").get_attribute("dir") == "rtl"


def test_subscribers_pages_filters_and_the_citizen_page(browser, live_server, shots):
    org = create_organisation()
    admin = create_user(org, Role.ADMIN)
    create_citizens(org, 120)
    anne = create_citizen(org, channels=("sms", "post"), name="Madame Anne Dupont", area="nord")
    announcement = create_announcement(org)
    announcement.deliveries.create(
        citizen=anne, channel="sms", locale="fr", status="failed", last_error="30003 unreachable"
    )
    InboundMessage.objects.create(
        organisation=org, citizen=anne, announcement=announcement, body="Merci pour l’info"
    )

    page = log_in(browser, live_server, admin)
    page.get_by_role("link", name="Abonnés").first.click()
    table = page.get_by_test_id("subscribers")
    assert "121 abonnés — Page 1 sur 3" in table.locator("caption").inner_text()
    assert table.locator("tbody tr").count() == 50
    shots(page, "subscribers-page-1")
    page.get_by_role("link", name="Page suivante").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert "Page 2 sur 3" in page.get_by_test_id("pager").inner_text()
    page.get_by_role("link", name="Référence").click()  # sort by reference
    page.wait_for_url(re.compile(r"sort=reference"))
    page.get_by_label("Quartier").select_option("nord")
    page.get_by_label("Canal", exact=True).select_option("post")
    page.get_by_role("button", name="Filtrer").click()
    assert table.locator("tbody tr").count() == 1
    shots(page, "subscribers-filtered")

    page.get_by_role("link", name="Madame Anne Dupont").click()
    page.get_by_role("heading", name=f"Abonné {anne.reference}").wait_for()
    assert anne.phone in page.get_by_test_id("details").inner_text()  # admins see it whole
    assert "Merci pour l’info" in page.get_by_test_id("citizen-replies").inner_text()
    assert "30003 unreachable" in page.get_by_test_id("citizen-deliveries").inner_text()
    assert page.get_by_test_id("consent-history").locator("tbody tr").count() >= 1
    shots(page, "citizen-page")

    page.get_by_role("link", name="Modifier").click()
    page.get_by_label("Civilité, prénom et nom").fill("Madame Anne Durand")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_text("Abonné enregistré.").wait_for()
    assert "Madame Anne Durand" in page.get_by_test_id("details").inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter ses données (JSON)").click()
    assert '"name": "Madame Anne Durand"' in open(download.value.path(), encoding="utf-8").read()

    switch(page, "ar")
    assert rtl(page)
    page.get_by_role("heading", name=f"المشترك {anne.reference}").wait_for()
    shots(page, "citizen-page-ar")
    page.get_by_role("link", name="حذف بياناته").click()
    page.get_by_role("button", name="حذف نهائي").click()
    assert page.locator("#confirm-error").is_visible()  # not confirmed: nothing erased
    shots(page, "citizen-erase-unconfirmed-ar")
    page.get_by_label("أؤكد الحذف النهائي").check()
    page.get_by_role("button", name="حذف نهائي").click()
    page.get_by_text(f"حُذفت بيانات المشترك {anne.reference}.").wait_for()
    anne.refresh_from_db()
    assert anne.erased_at is not None and anne.name == ""
    shots(page, "subscribers-ar")


def test_replies_list_filter_and_search(browser, live_server, shots):
    org = create_organisation()
    agent = create_user(org, Role.AUTHOR)
    citizen = create_citizen(org)
    poll = create_poll(org)
    InboundMessage.objects.create(
        organisation=org, citizen=citizen, announcement=poll.announcement, body="Et le lundi ?"
    )
    InboundMessage.objects.create(organisation=org, body="STOP", keyword="stop")
    PollAnswer.objects.create(
        poll=poll, voter="v1", choice=1, channel="voice", locale="fr", citizen=citizen
    )

    page = log_in(browser, live_server, agent)
    page.get_by_role("link", name="Réponses", exact=True).click()
    replies = page.get_by_test_id("replies")
    assert replies.locator("tbody tr").count() == 3
    assert "1. Oui" in replies.inner_text() and "Et le lundi ?" in replies.inner_text()
    shots(page, "replies")
    page.get_by_label("Rechercher dans les messages").fill("lundi")
    page.get_by_role("button", name="Filtrer").click()
    assert replies.locator("tbody tr").count() == 1
    page.get_by_role("link", name=poll.announcement.text().title).click()
    page.get_by_test_id("about").wait_for()
    assert replies.locator("tbody tr").count() == 2  # the message and the poll answer
    shots(page, "replies-one-announcement")
    switch(page, "ar")
    assert rtl(page) and "1. Oui" in page.get_by_test_id("replies").inner_text()
    shots(page, "replies-ar")


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 120), "#00458f").save(out, "PNG")
    return out.getvalue()


def test_each_settings_screen(browser, live_server, shots):
    org = create_organisation(name="Mairie de Saint-Crieur")
    admin = create_user(org, Role.ADMIN)
    page = log_in(browser, live_server, admin)
    page.get_by_role("link", name="Réglages").first.click()
    page.get_by_label("Adresse de retour des lettres").fill(
        "Mairie de Saint-Crieur\n1 place de la Mairie\n49123 SAINT-CRIEUR"
    )
    page.get_by_label("Pays desservis").fill("FR ZZ")
    page.get_by_label("Fuseau horaire").select_option("Europe/Paris")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    assert "Code de pays inconnu : ZZ" in page.locator("#id_countries-error").inner_text()
    shots(page, "settings-organisation-error")
    page.get_by_label("Pays desservis").fill("FR BE")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_text("Modifications enregistrées.").wait_for()
    org.refresh_from_db()
    assert org.countries == ["FR", "BE"] and org.address_lines[1] == "1 place de la Mairie"
    logo = {"name": "logo.png", "mimeType": "image/png", "buffer": png()}
    page.get_by_label(re.compile("Logo pour l’impression")).set_input_files(logo)
    page.get_by_role("button", name="Envoyer le logo").click()
    page.get_by_test_id("logo").wait_for()
    assert OrganisationLogo.objects.filter(organisation=org).exists()
    shots(page, "settings-organisation")

    page.get_by_role("link", name="Thèmes et quartiers").click()
    new_topic = page.get_by_test_id("new-topic")
    new_topic.locator("#id_topic-slug").fill("ecoles")
    new_topic.locator("#id_topic-name").fill("Écoles")
    new_topic.locator("#id_topic-keywords").fill("ECOLE SCHOOL")
    page.get_by_role("button", name="Ajouter le thème").click()
    page.get_by_text("Modifications enregistrées.").wait_for()
    assert page.get_by_test_id("topics").get_by_role("cell", name="ecoles", exact=True).is_visible()
    shots(page, "settings-topics")

    page.get_by_role("link", name="Membres et rôles").click()
    page.get_by_label("Identifiant de connexion").fill("claire")
    page.locator("#id_role").select_option("approver")
    page.get_by_role("button", name="Inviter", exact=True).click()
    link = page.get_by_test_id("invitation").locator("code").inner_text()
    assert "/console/invitation/" in link
    shots(page, "settings-members")

    page.get_by_role("link", name="Clés d’API").click()
    page.get_by_label("Nom de la clé").fill("site web")
    page.get_by_role("button", name="Créer la clé").click()
    key = page.get_by_test_id("new-key").locator("code").inner_text()
    assert ApiKey.objects.get(name="site web").digest == ApiKey.hash(key)
    shots(page, "settings-keys-created")
    page.get_by_role("link", name="Clés d’API").click()
    assert key not in page.content()  # shown once
    page.get_by_role("button", name="Révoquer site web").click()
    page.get_by_text("Clé « site web » révoquée.").wait_for()

    switch(page, "ar")
    assert rtl(page)
    screens = {
        "organisation": "المؤسسة",
        "topics": "المواضيع والأحياء",
        "members": "الأعضاء والأدوار",
        "keys": "مفاتيح API",
    }
    for screen, name in screens.items():
        page.locator("nav.subnav").get_by_role("link", name=name).click()
        page.wait_for_load_state()
        shots(page, f"settings-{screen}-ar")

    invited = browser.new_page(locale="fr-FR")
    invited.goto(live_server.url + link[link.index("/console/invitation/") :])
    invited.locator("#id_new_password1").fill("Lilas-2026-crieur")
    invited.locator("#id_new_password2").fill("Lilas-2026-crieur")
    invited.get_by_role("button", name="Enregistrer le mot de passe").click()
    invited.get_by_text("Mot de passe enregistré").wait_for()
    assert Membership.objects.get(user__username="claire").role == "approver"


@pytest.fixture
def twilio(settings, live_server):
    settings.PUBLIC_URL = live_server.url
    with FakeTwilio(prices={"sms": "0.0725", "call": "0.0130"}, price_unit="EUR") as fake:
        settings.TWILIO_ACCOUNT_SID = fake.account_sid
        settings.TWILIO_AUTH_TOKEN = fake.auth_token
        settings.TWILIO_FROM_NUMBER = "+33700000001"
        settings.TWILIO_BASE_URL = fake.base_url
        registry.cache_clear()
        yield fake
    registry.cache_clear()


def test_the_dashboard_after_a_publication_with_delays_and_failures(
    browser, live_server, shots, twilio
):
    org = create_organisation(name="Mairie de Saint-Crieur")
    agent = create_user(org, Role.AUTHOR)
    for index in range(8):
        create_citizen(org, channels=("sms",), language="en" if index < 2 else "fr")
    for _ in range(3):
        create_citizen(org, channels=("post",), area="nord")
    announcement = create_announcement(org, author=agent)
    with transaction.atomic():
        publish(announcement)
    messages = list(twilio.messages)
    assert len(messages) == 8
    for index, message in enumerate(messages):  # delivered one after another; two fail
        time.sleep(0.3)
        if index in (3, 6):
            twilio.send_status_callback(message["sid"], "undelivered", 30003)
        else:
            twilio.send_status_callback(message["sid"], "delivered")

    page = log_in(browser, live_server, agent)
    page.goto(f"{live_server.url}/console/announcements/{announcement.pk}/dashboard/")
    channels = page.get_by_test_id("reach-channel")
    assert channels.get_by_role("row", name=re.compile(r"^SMS 8 8 6 6 2 75")).is_visible()
    assert page.get_by_test_id("weekly").inner_text() == "3"
    assert "3 abonnés par courrier la recevront" in page.get_by_test_id("weekly-note").inner_text()
    assert page.get_by_test_id("times").get_by_role("row", name=re.compile("^SMS 6")).is_visible()
    assert "30003" in page.get_by_test_id("failure-reasons").inner_text()
    assert page.locator("svg[data-testid=timeline] text.tick").count() >= 2
    assert page.get_by_test_id("timeline-table").locator("tbody tr").count() >= 1
    # Twilio charges the undelivered too: 8 × 0,0725
    assert "Facturé : 0,58" in page.get_by_test_id("actual-cost").inner_text()
    shots(page, "dashboard-fake-twilio")
    with page.expect_download() as download:
        page.get_by_test_id("report-csv").click()
    report = open(download.value.path(), encoding="utf-8-sig").read()
    assert '"reach_by_channel","sms","SMS","8","8","6","6","2","75"' in report
    with page.expect_download() as download:
        page.get_by_test_id("deliveries-csv").click()
    lines = open(download.value.path(), encoding="utf-8-sig").read().splitlines()
    assert len(lines) == 1 + Delivery.objects.filter(announcement=announcement).count()
    switch(page, "ar")
    assert rtl(page)
    shots(page, "dashboard-fake-twilio-ar")
