"""Email: the subject, the plain text and an accessible, self-contained HTML part."""

from __future__ import annotations

import re
from dataclasses import replace

import lxml.html
import pytest

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import gettext
from renderers.messaging import UNSUBSCRIBE_PLACEHOLDER, fill_unsubscribe, render_email
from tests.renderers.messaging.factories import CODE, URL, create_message


def html_of(rendition) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(rendition.meta["html"])


def test_subject_text_and_html_say_the_same_things():
    rendition = render_email(create_message())
    assert rendition.form == "email" and rendition.media_type == "text/plain"
    assert rendition.meta["subject"] == "Coupure d’eau rue des Lilas mardi"
    text = rendition.text
    assert text.startswith("Coupure d’eau rue des Lilas mardi\n\nEn raison de travaux")
    assert f"Vérifier l’authenticité : {CODE}\n{URL}" in text
    assert "Contact : Services techniques, 01 23 45 67 89" in text
    assert text.rstrip().endswith(f"Se désabonner : {UNSUBSCRIBE_PLACEHOLDER}")
    page = html_of(rendition)
    assert page.findtext(".//h1") == rendition.meta["subject"]
    assert [p.text_content() for p in page.findall(".//p")][:2] == [
        "En raison de travaux, l’eau sera coupée mardi 24 novembre de 8 h à 12 h.",
        "Pensez à faire des réserves.",
    ]
    links = {a.get("href"): a.text_content() for a in page.iter("a")}
    assert links[URL] == "Page officielle de vérification"
    assert links[UNSUBSCRIBE_PLACEHOLDER] == "Se désabonner"
    assert CODE in page.text_content()


def test_the_html_has_no_remote_resource_and_no_fixed_colours_for_text():
    source = render_email(create_message()).meta["html"]
    page = lxml.html.document_fromstring(source)
    assert not page.xpath("//img|//script|//link|//iframe|//object|//*[@src]|//*[@background]")
    assert "url(" not in source and "@import" not in source
    assert page.xpath("//meta[@name='color-scheme']/@content") == ["light dark"]
    # No text or background colour is forced: the client's own (light or dark) stays.
    style = page.findtext(".//style")
    assert not re.search(r"(?<![-\w])(color|background(-color)?)\s*:\s*#(000|fff)", style)
    assert "prefers-color-scheme: dark" in style


@pytest.mark.parametrize("locale, direction", [("fr", "ltr"), ("ar", "rtl"), ("br", "ltr")])
def test_lang_and_dir_are_set_on_the_document_and_the_wrapper(locale, direction):
    rendition = render_email(create_message(locale=locale))
    page = html_of(rendition)
    wrapper = page.find(".//div[@class='crieur']")
    for element in (page, wrapper):
        assert element.get("lang") == locale and element.get("dir") == direction
    assert (
        wrapper.get("role") == "article" and wrapper.get("aria-label") == rendition.meta["subject"]
    )
    assert rendition.meta["direction"] == direction


def test_markup_in_the_announcement_is_shown_never_run():
    message = create_message(title="<b>Réunion</b> & vote", body="<script>x()</script> a < b")
    rendition = render_email(message)
    page = html_of(rendition)
    assert not page.xpath("//script|//h1/b")
    assert page.findtext(".//h1") == "<b>Réunion</b> & vote"
    assert "<script>x()</script> a < b" in page.text_content()


def test_urls_in_the_body_become_links_and_an_alert_is_said_with_words():
    message = create_message(urgency="urgent", body="Plan : https://x.example/p?a=1&b=2.")
    page = html_of(render_email(message))
    assert page.xpath("//a/@href")[0] == "https://x.example/p?a=1&b=2"
    alert = page.find(".//div[@role='alert']")
    assert alert is not None and alert.text_content().startswith(gettext("fr", "ALERTE :"))


def test_the_unsubscribe_link_is_filled_per_citizen_and_escaped_in_html():
    rendition = render_email(create_message())
    url = "https://saint-crieur.example/u/AbC123?lang=fr&x=1"
    text, page = fill_unsubscribe(rendition, url)
    assert UNSUBSCRIBE_PLACEHOLDER not in text + page
    assert f"Se désabonner : {url}" in text
    assert 'href="https://saint-crieur.example/u/AbC123?lang=fr&amp;x=1"' in page
    assert lxml.html.document_fromstring(page).xpath("//footer//a/@href") == [url]


def test_missing_or_oversized_fields_are_typed_errors():
    with pytest.raises(RenderError) as error:
        render_email(create_message(body=" ", summary=""))
    assert error.value.code is RenderErrorCode.MISSING_FIELD and error.value.form == "email"
    with pytest.raises(RenderError) as error:
        render_email(create_message(title="x" * 300))
    assert error.value.code is RenderErrorCode.TOO_LONG
    # A title on several lines is one subject line (no header injection).
    subject = render_email(replace(create_message(), title="A\r\nBcc: x@y.z")).meta["subject"]
    assert subject == "A Bcc: x@y.z"
