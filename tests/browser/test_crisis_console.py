"""An urgent announcement in the console, in French and in Arabic: the FR-Alert text with its
pages, and when everyone will have it."""

from __future__ import annotations

import re

import pytest

from gateway.models import Role
from tests.factories import create_announcement, create_citizen, create_organisation, create_user

pytestmark = pytest.mark.django_db(transaction=True)

ARABIC = {
    "title": "فيضان نهر اللوار",
    "summary": "أخلوا الأرصفة قبل الساعة السادسة مساءً ولا تستعملوا السيارة.",
    "body": "أخلوا الأرصفة قبل الساعة السادسة مساءً.",
}


def test_urgent_announcement_shows_the_cell_broadcast_and_the_eta(
    browser, live_server, shots, settings
):
    settings.PROVIDER_RATES = {"outbox_voice": 1.0}
    org = create_organisation()
    for _ in range(30):
        create_citizen(org, channels=("voice",), is_mobile=False)
    for _ in range(5):
        create_citizen(org, channels=("sms",), language="ar")
    announcement = create_announcement(
        org,
        urgency="urgent",
        title="Crue de la Loire",
        summary="Évacuez les quais avant 18 h. Ne prenez pas la voiture.",
        translations={"ar": ARABIC},
    )
    admin = create_user(org, Role.ADMIN)
    for ui, name in (("fr-FR", "fr"), ("ar", "ar")):
        page = browser.new_page(locale=ui, viewport={"width": 1400, "height": 900})
        page.goto(f"{live_server.url}/console/")
        page.locator("input[name=username]").fill(admin.username)
        page.locator("input[name=password]").fill("x")
        page.locator("form button").last.click()
        page.wait_for_url(re.compile(r"/console/$"))
        page.goto(f"{live_server.url}/console/announcements/{announcement.pk}/?locale={name}")
        eta = page.get_by_test_id("reach-eta")
        eta.wait_for()
        cell = page.get_by_test_id("cell-broadcast")
        assert cell.is_visible()
        pages = page.get_by_test_id("cell-broadcast-pages").inner_text()
        encoding = page.get_by_test_id("cell-broadcast-encoding").inner_text()
        if name == "fr":
            assert encoding == "GSM-7" and pages.endswith("/ 15")
            assert re.match(
                r"Tout le monde l’aura vers .+ — .+ Appel vocal : 2\s+min\.", eta.inner_text()
            )
        else:
            assert encoding == "UCS-2"
            assert page.locator("html").get_attribute("dir") == "rtl"
        cell.scroll_into_view_if_needed()
        shots(page, f"urgent-{name}")
        page.close()
