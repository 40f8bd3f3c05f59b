import pytest
from reportlab.lib.units import mm

from renderers.errors import RenderError, RenderErrorCode
from renderers.print import render_letter
from renderers.print.letter import WINDOW_HEIGHT, WINDOW_LEFT, WINDOW_TOP, WINDOW_WIDTH
from tests.renderers.print.factories import (
    CODE,
    create_message,
    create_recipient,
    long_body,
    open_pdf,
)

WINDOW = (WINDOW_LEFT, WINDOW_TOP, WINDOW_LEFT + WINDOW_WIDTH, WINDOW_TOP + WINDOW_HEIGHT)


def in_window(word) -> bool:
    # pdfplumber measures `top`/`bottom` from the top edge, like the envelope standard.
    left, top, right, bottom = WINDOW
    return (
        word["x0"] >= left + 10 * mm - 0.5
        and word["x1"] <= right
        and word["top"] >= top
        and word["bottom"] <= bottom
    )


@pytest.mark.parametrize("large_print", [False, True])
@pytest.mark.parametrize(
    "address",
    [
        ("Appartement 12", "Résidence Les Tilleuls", "5 bis, rue de l’Église", "13001 Marseille"),
        # Widest case: six lines of 38 wide capitals.
        (
            "Escalier MMMMMMMMMMMMMMMMMMMMMMMMMMMMM",
            "Résidence WWWWWWWWWWWWWWWWWWWWWWWWWWWW",
            "123 WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
            "LD MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM",
            "01234 WWWWWWWWWWWWWWWWWWWWWWW CEDEX 12",
        ),
    ],
)
def test_every_address_word_is_inside_the_window(address, large_print):
    recipient = create_recipient(address=address)
    rendition = render_letter(create_message(), recipient, large_print=large_print)
    expected = " ".join(recipient.address_lines()).split()
    with open_pdf(rendition.body) as pdf:
        words = pdf.pages[0].extract_words()
        inside = [w["text"] for w in words if in_window(w)]
        assert inside == expected
        # Nothing else strays into the window.
        left, top, right, bottom = WINDOW
        others = [
            w
            for w in words
            if w["x1"] > left
            and w["x0"] < right
            and w["bottom"] > top
            and w["top"] < bottom
            and not in_window(w)
        ]
        assert others == []


def test_fold_marks_at_99_and_198_mm():
    rendition = render_letter(create_message(), create_recipient())
    with open_pdf(rendition.body) as pdf:
        tops = sorted(round(line["top"] / mm, 1) for line in pdf.pages[0].lines)
    assert 99.0 in tops and 198.0 in tops


def test_place_date_title_and_signature():
    rendition = render_letter(create_message(), create_recipient(), place="Saint-Crieur")
    with open_pdf(rendition.body) as pdf:
        page = pdf.pages[0].extract_text()
    assert "Saint-Crieur, le 21 novembre 2026" in page
    assert "Objet : Coupure d’eau rue des Lilas mardi" in page
    assert "1 234,50 €" in page  # narrow no-break space survives (embedded DejaVu)
    assert page.count("Mairie de Saint-Crieur") == 2  # return address and signature


def test_english_letter():
    message = create_message(locale="en", title="Water cut")
    rendition = render_letter(message, create_recipient(locale="en"), place="Saint-Crieur")
    with open_pdf(rendition.body) as pdf:
        page = pdf.pages[0].extract_text()
    assert "Saint-Crieur, November 21, 2026" in page
    assert "Subject: Water cut" in page
    assert "Check authenticity: K7QM-2XPA" in page


def test_long_letter_flows_on_and_carries_the_code_on_every_page():
    message = create_message(body=long_body())
    rendition = render_letter(message, create_recipient())
    with open_pdf(rendition.body) as pdf:
        assert len(pdf.pages) == rendition.meta["pages"] >= 3
        texts = [page.extract_text() for page in pdf.pages]
    for number, page in enumerate(texts, start=1):
        assert CODE in page and message.public_url in page
        assert f"{number}/{len(texts)}" in page
    everything = " ".join(texts)
    for n in range(1, 31):  # never cut
        assert f"Paragraphe {n} :" in everything


@pytest.mark.parametrize("large_print, recipient_large", [(True, False), (False, True)])
def test_large_print_sizes(large_print, recipient_large):
    message = create_message(body=long_body(4))
    recipient = create_recipient(large_print=recipient_large)
    rendition = render_letter(message, recipient, large_print=large_print)
    assert rendition.meta["large_print"] is True
    with open_pdf(rendition.body) as pdf:
        for page in pdf.pages:
            chars = [c for c in page.chars if c["text"].strip() and not in_window(c)]
            assert chars and min(c["size"] for c in chars) >= 16
            headings = [
                c for c in chars if "Bold" in c["fontname"] and c["size"] > 17
            ]  # bold body text (signature) is 17 pt
            for c in headings:
                assert c["size"] >= 20
        subject = [c for c in pdf.pages[0].chars if c["text"] == "O"][0]
        assert subject["size"] >= 20 and "Bold" in subject["fontname"]


def test_normal_print_is_smaller():
    rendition = render_letter(create_message(), create_recipient())
    with open_pdf(rendition.body) as pdf:
        assert max(c["size"] for c in pdf.pages[0].chars) < 16


def test_no_verification_code_omits_the_block():
    message = create_message(verification_code="", public_url="")
    rendition = render_letter(message, create_recipient())
    with open_pdf(rendition.body) as pdf:
        text = pdf.pages[0].extract_text()
    assert "authenticité" not in text and "1/1" in text


def test_bad_address_raises():
    recipient = create_recipient(address=("3 rue des Lilas", "7500 Paris"))
    with pytest.raises(RenderError) as error:
        render_letter(create_message(), recipient)
    assert error.value.code is RenderErrorCode.INVALID_ADDRESS


def test_non_latin_text_does_not_crash():
    message = create_message(title="إعلان", body="مرحبا بكم — 你好")
    rendition = render_letter(message, create_recipient(name="Madame Fatima بن علي"))
    assert rendition.meta["pages"] == 1
