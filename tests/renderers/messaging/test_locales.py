"""Every messaging renderer × every shipped locale: fixed words from the catalogs, the
language and direction set, the verification line present."""

from __future__ import annotations

from collections.abc import Callable

import lxml.html
import pytest

from renderers.i18n import gettext, shipped_locales
from renderers.message import Message, Rendition
from renderers.messaging import (
    render_email,
    render_telegram,
    render_whatsapp_template,
    render_whatsapp_text,
)
from tests.fakes.telegram import parse_html
from tests.renderers.messaging.factories import CODE, create_message, create_template
from tests.renderers.test_locales import TEXTS

SHIPPED = shipped_locales()


def message_in(locale: str) -> Message:
    title, body = TEXTS[locale]
    return create_message(locale=locale, title=title, summary=body, body=body, urgency="urgent")


RENDERERS: dict[str, Callable[[Message], Rendition]] = {
    "telegram": render_telegram,
    "email": render_email,
    "whatsapp_text": render_whatsapp_text,
    "whatsapp_template": lambda m: render_whatsapp_template(
        m, [create_template(language=code) for code in ("fr", "en_GB", "es", "pt_BR", "ar", "br")]
    ),
}


@pytest.mark.parametrize("locale", SHIPPED)
@pytest.mark.parametrize("form", sorted(RENDERERS))
def test_every_messaging_renderer_speaks_every_shipped_locale(form, locale):
    message = message_in(locale)
    rendition = RENDERERS[form](message)
    assert rendition.locale == locale and rendition.form == form
    alert = gettext(locale, "ALERTE :")
    verify = gettext(locale, "Vérifier l’authenticité : {code}").format(code=CODE)
    if form == "telegram":
        (html,) = rendition.meta["messages"]
        plain, _ = parse_html(html)
        assert plain.startswith(f"{alert} {message.title}")
        assert verify.replace(" ", "\u00a0") in plain
    elif form == "email":
        page = lxml.html.document_fromstring(rendition.meta["html"])
        assert page.get("lang") == locale
        assert page.get("dir") == ("rtl" if locale == "ar" else "ltr")
        assert page.findtext(".//h1").startswith(alert)
        assert verify in rendition.text and verify in page.text_content()
        assert gettext(locale, "Se désabonner") in page.text_content()
    elif form == "whatsapp_text":
        assert rendition.text.startswith(f"*{alert} {message.title}*")
        assert rendition.text.endswith(
            gettext(locale, "Pour ne plus recevoir ces messages, répondez STOP.")
        )
    else:
        assert dict(rendition.meta["parameters"])["title"] == f"{alert} {message.title}"


@pytest.mark.parametrize("locale", [loc for loc in SHIPPED if loc != "fr"])
def test_the_new_fixed_words_are_translated(locale):
    for words in (
        "Pour ne plus recevoir ces messages, répondez STOP.",
        "Se désabonner",
        "Se désabonner : {url}",
        "Courriel envoyé par {organisation} : votre adresse est inscrite à ses informations.",
    ):
        assert gettext(locale, words) != words
