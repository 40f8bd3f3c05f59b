"""The citizen-facing pages share one look: `lang` and `dir` (right to left for Arabic), a
language switch naming every language in its own words, a label for every input, an error
summary linking to the fields, and HTML (not bare text) for 404 and 429."""

from __future__ import annotations

import pytest
from django.test import Client
from lxml import html

from gateway import verification
from gateway.models import Role
from gateway.public.signup import preferences_url
from gateway.publishing import approve, publish, submit
from tests.factories import create_announcement, create_citizen, create_organisation, create_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_buckets")]
OWN_NAMES = ["Français", "English", "Español", "Português", "العربية", "Brezhoneg"]
ARABIC = {
    "title": "انقطاع المياه في شارع الليلك",
    "summary": "انقطاع المياه يوم الثلاثاء من الساعة 8 إلى 12 في شارع الليلك.",
    "body": "ستنقطع المياه يوم الثلاثاء من الساعة 8 إلى 12.\n\nيرجى تخزين الماء.",
}


@pytest.fixture
def org():
    return create_organisation()


def doc(response):
    return html.fromstring(response.content)


def unlabelled(page) -> list[str]:
    """The names of the inputs and selects that no <label for> names."""
    fields = page.xpath("//input[@type!='hidden'] | //select | //textarea")
    labelled = set(page.xpath("//label/@for"))
    return [f.get("name") for f in fields if not f.get("id") or f.get("id") not in labelled]


@pytest.mark.parametrize(("lang", "direction"), [("fr", "ltr"), ("en", "ltr"), ("ar", "rtl")])
def test_the_subscription_page_has_lang_and_direction(org, lang, direction):
    page = doc(Client().get(f"/inscription/?lang={lang}"))
    assert (page.get("lang"), page.get("dir")) == (lang, direction)
    assert page.xpath("//link[@rel='stylesheet']/@href") == ["/static/public/public.css"]


def test_the_six_languages_are_listed_by_their_own_names(org):
    page = doc(Client().get("/inscription/?lang=ar"))
    switch = page.xpath("//nav[contains(@class, 'languages')]//a")
    assert [a.text_content() for a in switch] == OWN_NAMES
    assert [a.get("lang") for a in switch] == ["fr", "en", "es", "pt", "ar", "br"]
    assert [a.get("aria-current") for a in switch].count("true") == 1
    assert switch[4].get("aria-current") == "true"
    options = page.xpath("//select[@id='language']/option")
    assert [o.text_content() for o in options] == OWN_NAMES


def test_the_switch_keeps_the_other_parameters(org):
    page = doc(Client().get(f"/inscription/?commune={org.slug}&lang=fr"))
    hrefs = page.xpath("//nav[contains(@class, 'languages')]//a/@href")
    assert f"?commune={org.slug}&lang=br" in hrefs


def test_every_input_has_a_label_on_every_page(org):
    client = Client()
    assert unlabelled(doc(client.get("/inscription/"))) == []
    wrong = client.post("/inscription/", {"channels": ["post"], "language": "fr"})
    assert wrong.status_code == 422 and unlabelled(doc(wrong)) == []
    citizen = create_citizen(org, channels=("sms",))
    assert unlabelled(doc(client.get(preferences_url(citizen)))) == []
    from gateway.audience.signup_codes import pending

    session = client.session
    session["signup"] = pending(org, "+33612345678", {}, "123456").pk
    session.save()
    assert unlabelled(doc(client.get("/inscription/code/"))) == []


def test_the_error_summary_links_to_the_fields_in_error(org):
    page = doc(Client().post("/inscription/", {"channels": ["sms"], "language": "fr"}))
    summary = page.xpath("//div[@class='error-summary']")[0]
    assert summary.get("role") == "alert"
    targets = [a.get("href")[1:] for a in summary.xpath(".//a")]
    assert "phone" in targets and "consent-box" in targets
    for target in targets:
        assert page.xpath(f"//*[@id='{target}']"), target
    phone = page.get_element_by_id("phone")
    assert phone.get("aria-invalid") == "true"
    described = phone.get("aria-describedby").split()
    assert all(page.xpath(f"//*[@id='{d}']") for d in described)
    assert page.get_element_by_id("consent-box").get("aria-invalid") == "true"


def test_the_verification_page_is_right_to_left_in_arabic(org):
    author = create_user(org, Role.AUTHOR)
    announcement = create_announcement(
        org, approved=False, author=author, translations={"ar": ARABIC}
    )
    submit(announcement, actor=author)
    approve(announcement, actor=create_user(org, Role.APPROVER))
    publish(announcement, actor=author)
    announcement.refresh_from_db()
    page = doc(Client().get(f"/v/{announcement.verification_code}?lang=ar"))
    assert (page.get("lang"), page.get("dir")) == ("ar", "rtl")
    assert ARABIC["title"] in page.xpath("string(//h1)")
    switch = page.xpath("//nav[contains(@class, 'languages')]//a")
    assert [a.text_content() for a in switch] == ["Français", "العربية"]
    french = doc(Client().get(f"/v/{announcement.verification_code}?lang=fr"))
    assert (french.get("lang"), french.get("dir")) == ("fr", "ltr")


def test_404_and_429_are_pages_in_the_visitors_language(org):
    missing = Client().get("/inscription/preferences/forged/?lang=ar")
    assert missing.status_code == 404
    page = doc(missing)
    assert (page.get("lang"), page.get("dir")) == ("ar", "rtl") and page.find(".//h1") is not None
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="2001:db8::429")
    for _ in range(int(verification.PUBLIC.burst)):
        assert client.get("/v/ZZZZ-ZZZZ").status_code == 404
    limited = client.get("/v/ZZZZ-ZZZZ")
    assert limited.status_code == 429
    assert limited["Content-Type"].startswith("text/html") and limited["Retry-After"]
    assert doc(limited).get("lang") == "en" and "Too many requests" in limited.content.decode()


def test_the_console_is_right_to_left_in_arabic():
    page = doc(Client(HTTP_ACCEPT_LANGUAGE="ar").get("/console/login/"))
    assert (page.get("lang"), page.get("dir")) == ("ar", "rtl")
