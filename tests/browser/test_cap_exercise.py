"""A CAP exercise in the console: the page says it is one, and the publish button does nothing
until the agent ticks the box that sends it to citizens anyway (French and Arabic)."""

from __future__ import annotations

import re

import pytest

from gateway.alerts.importer import import_alert
from gateway.models import Announcement, Area, Role, Status
from tests.browser.test_console_flow import log_in
from tests.factories import create_organisation, create_user
from tests.gateway.alerts.test_import import fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_exercise_is_published_only_once_ticked(browser, live_server, shots):
    org = create_organisation()
    Area.objects.filter(organisation=org, slug="centre").update(
        geocodes=[{"valueName": "INSEE", "value": "49123"}]
    )
    admin = create_user(org, Role.ADMIN)
    pk = import_alert(org, fixture("prefecture_exercise.xml")).announcement_id
    Announcement.objects.filter(pk=pk).update(status=Status.APPROVED)

    page = log_in(browser, live_server, admin)
    page.goto(f"{live_server.url}/console/announcements/{pk}/")
    warning = page.get_by_test_id("exercise")
    assert "exercice" in warning.inner_text()
    shots(page, "exercise-fr")
    page.get_by_role("button", name="Publier maintenant").click()  # the browser refuses
    page.wait_for_timeout(300)
    assert Announcement.objects.get(pk=pk).status == Status.APPROVED
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page.reload()
    assert page.locator("html").get_attribute("dir") == "rtl"
    shots(page, "exercise-ar")
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.reload()
    page.get_by_label("Envoyer quand même cet exercice aux citoyens").check()
    page.get_by_role("button", name="Publier maintenant").click()
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    assert Announcement.objects.get(pk=pk).status in (Status.SENDING, Status.SENT)
    page.goto(f"{live_server.url}/console/announcements/{pk}/")
    page.get_by_test_id("cap-alerts").get_by_role("link").first.wait_for()
    shots(page, "exercise-published-cap-link")
    href = page.get_by_test_id("cap-alerts").get_by_role("link").first.get_attribute("href")
    alert = page.request.get(live_server.url + href)
    assert alert.status == 200 and "<status>Exercise</status>" in alert.text()
    # the correction: a prefilled compose page that follows it
    page.goto(f"{live_server.url}/console/announcements/{pk}/")
    page.get_by_test_id("follow-up").click()
    page.get_by_test_id("follows").wait_for()
    assert page.get_by_label("Titre", exact=False).first.input_value().startswith("Évacuation")
    shots(page, "follow-up-fr")
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page.reload()
    page.get_by_test_id("follows").wait_for()
    shots(page, "follow-up-ar")
