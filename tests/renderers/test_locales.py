"""Every renderer × every shipped locale renders or raises a typed RenderError."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable

import pytest
from bidi import get_display
from pypdf import PdfReader

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import gettext, ngettext, shipped_locales
from renderers.message import Message, Rendition
from renderers.print import (
    render_letter,
    render_notice,
    render_weekly_letter,
    render_weekly_notice,
)
from renderers.print.dates import weekly_title
from renderers.sms import render_sms
from renderers.social import render_bluesky, render_facebook, render_mastodon, render_x
from renderers.voice import render_voice
from tests.renderers.print.factories import create_message, create_recipient, open_pdf

SHIPPED = shipped_locales()

TEXTS = {
    "fr": ("Coupure d’eau mardi", "L’eau sera coupée mardi 24/11/2026 de 8 h à 12 h."),
    "en": ("Water cut on Tuesday", "Water will be cut on 24/11/2026 from 8 am to noon."),
    "es": ("Corte de agua el martes", "El agua se cortará el 24/11/2026 de 8h a 12h."),
    "pt": ("Corte de água na terça-feira", "A água será cortada a 24/11/2026 das 8h às 12h."),
    "ar": ("انقطاع المياه يوم الثلاثاء", "سيتم قطع المياه يوم 24/11/2026 من 8h إلى 12h."),
    "br": ("Troc’h dour d’ar Meurzh", "Troc’het e vo an dour d’ar 24/11/2026 eus 8e da 12e."),
}


def message_in(locale: str, **changes: object) -> Message:
    title, body = TEXTS[locale]
    fields: dict[str, object] = {"title": title, "summary": body, "body": body, **changes}
    return create_message(locale=locale, **fields)


def test_every_catalog_is_a_shipped_locale_and_every_text_sample_has_one():
    assert set(TEXTS) == set(SHIPPED) == {"fr", "en", "es", "pt", "ar", "br"}


def _weekly_letter(m: Message) -> Rendition:
    recipient = create_recipient(locale=m.locale)
    return render_weekly_letter([m], recipient, year=2026, week=47, organisation=m.organisation)


def _weekly_notice(m: Message) -> Rendition:
    return render_weekly_notice(
        [m], year=2026, week=47, locale=m.locale, organisation=m.organisation
    )


RENDERERS: dict[str, Callable[[Message], Rendition]] = {
    "sms": render_sms,
    "mastodon": render_mastodon,
    "bluesky": render_bluesky,
    "x": render_x,
    "facebook": render_facebook,
    "voice": render_voice,
    "notice": render_notice,
    "letter": lambda m: render_letter(m, create_recipient(locale=m.locale)),
    "weekly_notice": _weekly_notice,
    "weekly_letter": _weekly_letter,
}
# No Twilio/Polly voice (nor espeak-ng) speaks Breton: the call is refused, typed.
REFUSED = {("voice", "br"): RenderErrorCode.UNSUPPORTED_LOCALE}


@pytest.mark.parametrize("locale", SHIPPED)
@pytest.mark.parametrize("form", sorted(RENDERERS))
def test_every_renderer_renders_every_shipped_locale_or_raises_a_typed_error(form, locale):
    message = message_in(locale, urgency="urgent")
    if (form, locale) in REFUSED:
        with pytest.raises(RenderError) as error:
            RENDERERS[form](message)
        assert error.value.code == REFUSED[(form, locale)]
        return
    rendition = RENDERERS[form](message)
    assert rendition.locale == locale
    if isinstance(rendition.body, bytes):
        with open_pdf(rendition.body) as pdf:
            words = unicodedata.normalize("NFKC", pdf.pages[0].extract_text())
        fixed = gettext(locale, "Urgent").upper()
        assert (fixed if locale != "ar" else fixed[::-1]) in words
    elif form == "voice":
        assert gettext(locale, "Je répète.") in rendition.meta["transcript"]
        assert rendition.meta["language"].split("-")[0] in (locale, "arb")
    elif form == "sms":
        assert rendition.body.startswith(gettext(locale, "ALERTE :"))


WEEKLY_TITLES = {
    "fr": "Avis à la population — semaine du 16 au 22 novembre 2026",
    "en": "Public notice — week of November 16 to November 22, 2026",
    "es": "Aviso a la población — semana del 16 al 22 de noviembre de 2026",
    "pt": "Aviso à população — semana de 16 a 22 de novembro de 2026",
    "ar": "إعلان إلى السكان — الأسبوع من 16 إلى 22 نوفمبر 2026",
    "br": "Kemenn d’an annezidi — sizhun eus 16 da 22 Du 2026",
}


@pytest.mark.parametrize("locale", SHIPPED)
def test_the_weekly_notice_title_in_each_locale(locale):
    assert weekly_title(2026, 47, locale) == WEEKLY_TITLES[locale]
    notice = render_weekly_notice([], year=2026, week=47, locale=locale, organisation="Mairie")
    assert PdfReader(io.BytesIO(notice.body)).metadata.title == WEEKLY_TITLES[locale]


def test_an_arabic_sms_is_counted_as_ucs2():
    rendition = render_sms(message_in("ar"))
    assert rendition.meta["encoding"] == "UCS-2"
    assert rendition.meta["per_segment"] in (70, 67)
    units = len(rendition.body.encode("utf-16-le")) // 2
    assert rendition.meta["units"] == units
    assert rendition.meta["segments"] == (1 if units <= 70 else -(-units // 67))


ARABIC_BODY = (
    "بسبب أعمال الصيانة سيتم قطع المياه يوم الثلاثاء من الساعة 8 إلى الساعة 12 "
    "ونرجو منكم تخزين كمية كافية من الماء قبل هذا الموعد ونعتذر عن الإزعاج.\n\n"
    "للتواصل مع المصالح التقنية اتصلوا على 01 23 45 67 89 طوال الأسبوع."
)
SUBJECT = "انقطاع المياه في شارع الليلك"


def _arabic_letter() -> bytes:
    message = message_in("ar", title=SUBJECT, body=ARABIC_BODY, contact="", links=())
    return render_letter(message, create_recipient(locale="ar")).body


def _tokens(text: str) -> list[str]:
    """Words and numbers, whatever spaces or punctuation an extractor put between them."""
    text = re.sub(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)
    text = unicodedata.normalize("NFKC", text)
    return re.findall(r"[\u0600-\u06ff]+|[A-Za-z]+|\d+", text)


def _arabic_letter_char(char: str) -> bool:
    base = unicodedata.normalize("NFKC", char)[:1]
    return "\u0600" <= base <= "\u06ff" and unicodedata.category(base) == "Lo"


def test_an_arabic_letter_is_shaped_and_drawn_right_to_left():
    with open_pdf(_arabic_letter()) as pdf:
        page = pdf.pages[0]
        lines = page.extract_text().splitlines()
        subject = next(line for line in lines if "ﻉﻮﺿﻮﻤﻟﺍ" in line)  # shaped forms, visual
        body_chars = [c for c in page.chars if _arabic_letter_char(c["text"])]
    # Read back: undoing the visual order gives the logical subject line, letter for letter.
    logical = unicodedata.normalize("NFKC", get_display(subject, base_dir="R"))
    assert logical == gettext("ar", "Objet : {subject}").format(subject=SUBJECT)
    # Contextual forms, not bare letters: the text was shaped before it was drawn.
    assert all(0xFE70 <= ord(c["text"]) <= 0xFEFF for c in body_chars)
    # Right-aligned: every Arabic line ends at the right margin.
    assert max(c["x1"] for c in body_chars) == pytest.approx(595.27 - 56.69, abs=1)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext not installed")
def test_an_arabic_letter_reads_back_in_logical_order_with_an_independent_reader():
    # Poppler applies its own bidi to what it extracts: the words come back in reading order.
    result = subprocess.run(
        ["pdftotext", "-", "-"], input=_arabic_letter(), capture_output=True, check=True
    )
    said = _tokens(result.stdout.decode("utf-8"))
    for paragraph in ARABIC_BODY.split("\n\n"):
        expected = _tokens(paragraph)
        start = said.index(expected[0])
        assert said[start : start + len(expected)] == expected


def test_french_source_words_take_the_singular_for_zero_and_one():
    words = ("{n} abonné", "{n} abonnés")
    assert [ngettext("fr", *words, n) for n in (0, 1, 2, 1_000_000)] == [
        "{n} abonné",
        "{n} abonné",
        "{n} abonnés",
        "{n} abonnés",
    ]
