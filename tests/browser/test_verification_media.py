"""The verification page with its card, video (captions track) and transcript, as a visitor
sees it in Chromium, in French and in Arabic (right to left); screenshots of both."""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from django.db import transaction

from gateway.publishing import publish
from gateway.ratelimit import backend
from tests.factories import ANNOUNCEMENT, create_account, create_announcement, create_organisation
from tests.fakes.visual import FakeFacebookMedia

pytestmark = pytest.mark.django_db(transaction=True)

ARABIC = {
    "title": "انقطاع المياه يوم الثلاثاء",
    "summary": "ستنقطع المياه يوم الثلاثاء من الساعة 8 إلى الساعة 12 في شارع الزنبق.",
    "body": "ستنقطع المياه صباح الثلاثاء لأعمال الصيانة.\n\nيرجى تخزين الماء.",
}


@pytest.fixture
def announcement(settings, tmp_path):
    settings.MEDIA_DIR = tmp_path / "media"
    backend.cache_clear()
    org = create_organisation(name="Mairie de Saint-Crieur")
    translations = {**ANNOUNCEMENT["translations"], "ar": ARABIC}
    with ExitStack() as stack:
        for locale in ("fr", "ar"):  # a page per language, posting the card and the video
            page = stack.enter_context(FakeFacebookMedia("1234", "fb-token"))
            create_account(
                org,
                "facebook",
                {
                    "page_id": "1234",
                    "page_token": "fb-token",
                    "base_url": page.base_url,
                    "attach_image": "yes",
                    "attach_video": "yes",
                },
                locale=locale,
            )
        announcement = create_announcement(org, translations=translations)
        with transaction.atomic():
            publish(announcement)
    announcement.refresh_from_db()
    return announcement


@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_the_page_shows_card_video_captions_and_transcript(
    browser, live_server, shots, announcement, locale
):
    page = browser.new_page(viewport={"width": 900, "height": 1200})
    page.goto(f"{live_server.url}/v/{announcement.verification_code}?lang={locale}")
    assert page.locator("html").get_attribute("lang") == locale
    assert page.locator("html").get_attribute("dir") == ("rtl" if locale == "ar" else "ltr")
    card = page.get_by_test_id("card")
    card.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('[data-testid=card]').naturalWidth > 0")
    title = ARABIC["title"] if locale == "ar" else ANNOUNCEMENT["title"]
    assert title in card.get_attribute("alt")
    video = page.get_by_test_id("video")
    track = page.evaluate(
        "() => { const t = document.querySelector('video track'); "
        "return {kind: t.kind, lang: t.srclang, src: t.src, isDefault: t.default}; }"
    )
    assert track["kind"] == "captions" and track["lang"] == locale and track["isDefault"]
    page.wait_for_function(
        "document.querySelector('video').textTracks[0].cues "
        "&& document.querySelector('video').textTracks[0].cues.length > 0",
        timeout=15000,
    )
    transcript = page.get_by_test_id("transcript").inner_text()
    assert title in transcript
    video.scroll_into_view_if_needed()
    shots(page, f"verification-{locale}")
    page.close()
