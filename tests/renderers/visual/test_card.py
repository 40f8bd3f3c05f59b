"""The image card read back with Pillow: size, format, margins, text fit, Arabic, QR, logo."""

from __future__ import annotations

import io
import unicodedata

import pytest
from bidi import get_display
from PIL import Image

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import shipped_locales
from renderers.print.bidi import has_rtl, visual
from renderers.visual import alt_text, render_card, render_card_square
from renderers.visual.card import CARD, CARD_SQUARE, MAX_BYTES
from renderers.visual.fonts import raqm_available
from renderers.visual.textlayout import Typesetter
from renderers.visual.typography import NNBSP
from tests.renderers.print.factories import create_message
from tests.renderers.test_locales import message_in
from tests.renderers.visual.images import (
    drawn_alone,
    ink,
    margin_is_blank,
    open_image,
    overlap,
    qr_modules,
)

RENDERERS = {"card": (render_card, CARD), "card-square": (render_card_square, CARD_SQUARE)}
ENGINES = ["raqm", "basic"] if raqm_available() else ["basic"]


@pytest.mark.parametrize("form", sorted(RENDERERS))
@pytest.mark.parametrize("locale", shipped_locales())
def test_a_baseline_jpeg_of_the_right_size_in_every_locale(locale, form):
    render, fmt = RENDERERS[form]
    message = message_in(locale)
    rendition = render(message)
    image = open_image(rendition.body)
    assert (rendition.form, rendition.media_type) == (form, "image/jpeg")
    assert image.format == "JPEG" and image.mode == "RGB"
    assert image.size == (fmt.width, fmt.height)
    assert "progressive" not in image.info and "progression" not in image.info  # baseline
    assert len(rendition.body) < MAX_BYTES
    assert message.summary in rendition.meta["alt"] == alt_text(message)
    assert margin_is_blank(image, fmt.margin) == []


@pytest.mark.parametrize("form", sorted(RENDERERS))
def test_every_line_is_drawn_inside_the_safe_box(form):
    render, fmt = RENDERERS[form]
    rendition = render(create_message(summary="Coupure d’eau mardi 24 novembre. " * 4))
    x0, y0, x1, y1 = rendition.meta["safe_box"]
    assert (x0, y0, x1, y1) == (
        fmt.margin,
        fmt.margin,
        fmt.width - fmt.margin,
        fmt.height - fmt.margin,
    )
    roles = set()
    for line in rendition.meta["lines"]:
        left, top, right, bottom = line["box"]
        assert x0 <= left and right <= x1 and y0 <= top and bottom <= y1, line
        roles.add(line["role"])
    assert roles >= {"organisation", "urgency", "date", "title", "summary", "verification", "url"}


def test_no_word_is_lost_or_cut():
    message = create_message(
        title="Travaux de voirie avenue de la République et boulevard Jean-Jaurès",
        summary="La circulation sera alternée du lundi 3 au vendredi 7 mars, de 7 h 30 à 17 h. "
        "Les bus de la ligne 12 seront déviés par la rue Pasteur.",
    )
    lines = render_card(message).meta["lines"]
    for role, text in (("title", message.title), ("summary", message.summary)):
        drawn = " ".join(line["text"] for line in lines if line["role"] == role)
        normalise = str.maketrans({"\u00a0": " ", NNBSP: " "})
        assert drawn.translate(normalise).split() == text.split()


def test_a_longer_text_gets_smaller_sizes_and_still_fits():
    short = render_card(create_message()).meta["sizes"]
    longer = render_card(create_message(summary="Coupure d’eau mardi de 8 h à 12 h. " * 12))
    assert longer.meta["sizes"]["summary"] < short["summary"]
    assert longer.meta["sizes"]["summary"] >= CARD.summary[1]


def test_a_text_that_cannot_fit_is_refused_naming_the_sizes():
    with pytest.raises(RenderError) as error:
        render_card_square(create_message(summary="Coupure d’eau mardi de 8 h à 12 h. " * 30))
    assert error.value.code is RenderErrorCode.TOO_LONG and error.value.form == "card-square"
    assert f"{CARD_SQUARE.title[1]} px" in str(error.value)
    assert f"{CARD_SQUARE.summary[1]} px" in str(error.value)


def test_a_word_wider_than_the_card_is_refused_not_cut():
    url = "https://saint-crieur.example/" + "tres-long-chemin-" * 12
    with pytest.raises(RenderError) as error:
        render_card(create_message(summary=f"Voir {url}"))
    assert error.value.code is RenderErrorCode.TOO_LONG and "wider than the card" in str(
        error.value
    )


def test_french_spacing_keeps_punctuation_off_the_start_of_a_line():
    summary = " ".join(
        ["Attention: coupure!", "Pourquoi?", "Des travaux ; enfin", "« urgents »"] * 6
    )
    rendition = render_card(create_message(summary=summary))
    lines = [line["text"] for line in rendition.meta["lines"] if line["role"] == "summary"]
    assert len(lines) > 4
    assert not any(line.startswith((":", ";", "!", "?", "»")) for line in lines)
    assert f"Attention{NNBSP}:" in " ".join(lines) and f"coupure{NNBSP}!" in " ".join(lines)


def rtl_visual(line: str) -> str:
    """A line of a right-to-left paragraph in visual order, shaped as the letters shape it."""
    return visual(line, "R") if has_rtl(line) else str(get_display(line, base_dir="R"))


@pytest.mark.parametrize("engine", ENGINES)
def test_an_arabic_card_is_shaped_and_right_to_left(engine):
    message = message_in("ar")
    rendition = render_card(message, engine=engine)
    image = open_image(rendition.body)
    lines = [line for line in rendition.meta["lines"] if line["role"] in ("title", "summary")]
    assert " ".join(line["text"] for line in lines if line["role"] == "title") == message.title
    checked = 0
    for line in lines:
        box = tuple(line["box"])
        card = ink(image, box)
        # The letters' path (arabic-reshaper + python-bidi) draws the expected glyph order…
        expected_text = rtl_visual(line["text"])
        logical = unicodedata.normalize("NFKC", get_display(expected_text, base_dir="R"))
        assert logical == unicodedata.normalize("NFKC", line["text"])
        expected = drawn_alone(expected_text, line["size"], line["bold"], line["anchor"], box)
        # …and two classic bugs draw others: logical order unshaped, and words reversed.
        unshaped = drawn_alone(line["text"], line["size"], line["bold"], line["anchor"], box)
        words = rtl_visual(" ".join(reversed(line["text"].split())))
        reversed_words = drawn_alone(words, line["size"], line["bold"], line["anchor"], box)
        right = overlap(card, expected)
        assert right > 0.75, (line["text"], right)
        assert right > overlap(card, unshaped) + 0.3
        if len(line["text"].split()) > 1:
            assert right > overlap(card, reversed_words) + 0.3
        # Right-aligned at the safe margin, like every line of a right-to-left page.
        assert box[2] == pytest.approx(CARD.width - CARD.margin, abs=3)
        checked += 1
    assert checked >= 2
    assert rendition.meta["engine"] == engine


def test_the_layout_path_is_said():
    rendition = render_card(message_in("ar"), engine="basic")
    assert "arabic-reshaper" in rendition.meta["layout"]
    if raqm_available():
        assert render_card(message_in("ar")).meta["layout"].startswith("raqm")


@pytest.mark.parametrize("form", sorted(RENDERERS))
def test_the_qr_code_leads_to_the_verification_page(form):
    render, _ = RENDERERS[form]
    message = create_message()
    rendition = render(message)
    qr = rendition.meta["qr"]
    assert qr["data"] == message.public_url
    assert qr_modules(open_image(rendition.body), qr["box"], message.public_url)
    assert any(message.verification_code in line["text"] for line in rendition.meta["lines"])


def _logo(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (300, 150), colour).save(buffer, "PNG")
    return buffer.getvalue()


def test_the_logo_is_drawn_in_the_header_at_the_start_side():
    plain = open_image(render_card(create_message()).body)
    for locale, side in (("fr", "left"), ("ar", "right")):
        image = open_image(render_card(message_in(locale), logo=_logo("#00A000")).body)
        x = CARD.margin + 40 if side == "left" else CARD.width - CARD.margin - 40
        red, green, blue = image.getpixel((x, CARD.margin + 56))
        assert green > 120 and red < 80 and blue < 80, (locale, image.getpixel((x, 100)))
    assert plain.getpixel((CARD.margin + 40, CARD.margin + 56))[1] < 120


def test_a_logo_that_is_not_an_image_is_a_typed_error():
    with pytest.raises(RenderError) as error:
        render_card(create_message(), logo=b"<svg>not a raster</svg>")
    assert error.value.code is RenderErrorCode.INVALID_INPUT and "logo" in str(error.value)


def test_typesetter_lines_are_wrapped_between_words_only():
    setter = Typesetter("fr")
    lines = setter.wrap("un deux trois quatre cinq six sept huit neuf dix", 40, 300)
    assert (
        len(lines) > 1
        and " ".join(lines).split() == "un deux trois quatre cinq six sept huit neuf dix".split()
    )
    assert all(setter.length(line, 40) <= 300 for line in lines)
