"""Telegram posts: HTML escaped and parsed as Telegram does, threads that never cut a word
or a link, the verification line whole and last."""

from __future__ import annotations

import pytest

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import gettext
from renderers.messaging import render_telegram
from renderers.messaging.telegram import LIMIT, MAX_MESSAGES
from tests.fakes.telegram import parse_html, utf16
from tests.renderers.messaging.factories import CODE, URL, create_message, long_body


def test_a_short_announcement_is_one_message_with_a_bold_title_and_the_verification_last():
    rendition = render_telegram(create_message())
    (message,) = rendition.meta["messages"]
    assert message.startswith("<b>Coupure d’eau rue des Lilas mardi</b>\n\n")
    plain, entities = parse_html(message)
    assert plain == rendition.meta["plain"][0]
    assert entities == [{"type": "bold", "offset": 0, "length": utf16(create_message().title)}]
    last_line = plain.splitlines()[-1].replace("\u00a0", " ")
    assert last_line == f"Vérifier l’authenticité : {CODE} {URL}"
    assert "#Eau #Travaux" in plain
    assert rendition.meta["parse_mode"] == "HTML" and rendition.meta["counts"] == (utf16(plain),)


def test_every_reserved_character_is_escaped_and_telegram_parses_it_back():
    message = create_message(
        title="Réunion <CM> & budget",
        body="Si a < b et b > c alors a < c & tout va bien. https://x.example/?a=1&b=<2>",
        contact="<script>alert(1)</script>",
    )
    (html,) = render_telegram(message).meta["messages"]
    assert "<CM>" not in html and "&lt;CM&gt; &amp; budget" in html
    plain, _ = parse_html(html)  # raises on any unescaped < > &
    assert "Si a < b et b > c alors a < c & tout va bien." in plain
    assert "https://x.example/?a=1&b=<2>" in plain
    assert "<script>alert(1)</script>" in plain


def test_a_long_announcement_becomes_a_thread_that_never_cuts_a_word_or_a_link():
    message = create_message(body=long_body(1500))
    rendition = render_telegram(message)
    messages, plain = rendition.meta["messages"], rendition.meta["plain"]
    assert 2 <= len(messages) <= MAX_MESSAGES
    for index, (html, text) in enumerate(zip(messages, plain, strict=True), start=1):
        parsed, _ = parse_html(html)
        assert parsed == text and utf16(parsed) <= LIMIT
        assert text.endswith(f" {index}/{len(messages)}")
    words = " ".join(p.rsplit(" ", 1)[0] for p in plain).split()
    source = [w for line in (message.title, message.body) for w in line.split()]
    for word in source:  # every word and link of the source appears whole
        assert word in words
    assert CODE in plain[-1] and URL in plain[-1]
    assert all(URL not in text for text in plain[:-1])


def test_the_limit_is_counted_after_entities_in_utf16_units():
    # 🌊 is two UTF-16 units: 2,100 of them (4,200 units) do not fit one message.
    rendition = render_telegram(create_message(body="🌊 " * 2100))
    assert len(rendition.meta["messages"]) == 2
    assert all(count <= LIMIT for count in rendition.meta["counts"])
    # Escaping makes the HTML longer than 4,096, yet it is still one message.
    text = "& " * 1800
    rendition = render_telegram(create_message(body=text, topics=()))
    (html,) = rendition.meta["messages"]
    assert len(html) > LIMIT and utf16(parse_html(html)[0]) <= LIMIT


def test_an_urgent_announcement_starts_with_the_alert_word_in_bold():
    message = create_message(urgency="urgent", locale="en")
    (html,) = render_telegram(message).meta["messages"]
    assert html.startswith(f"<b>{gettext('en', 'ALERTE :')} Coupure")


def test_an_empty_title_or_an_endless_text_is_a_typed_error():
    with pytest.raises(RenderError) as error:
        render_telegram(create_message(title="  "))
    assert error.value.code is RenderErrorCode.MISSING_FIELD and error.value.form == "telegram"
    with pytest.raises(RenderError) as error:
        render_telegram(create_message(body=long_body(12_000)))
    assert error.value.code is RenderErrorCode.TOO_LONG and error.value.form == "telegram"


def test_a_draft_without_code_or_link_has_no_verification_line():
    rendition = render_telegram(create_message(verification_code="", public_url=""))
    assert "Vérifier" not in rendition.meta["plain"][0]
