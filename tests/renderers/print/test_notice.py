import pytest

from renderers.print import render_notice
from tests.renderers.print.factories import CODE, create_message, flat, long_body, open_pdf


def test_notice_content():
    rendition = render_notice(create_message())
    assert (rendition.form, rendition.media_type) == ("notice", "application/pdf")
    with open_pdf(rendition.body) as pdf:
        assert len(pdf.pages) == rendition.meta["pages"] == 1
        text = flat(pdf.pages[0].extract_text())
    for expected in (
        "Mairie de Saint-Crieur",
        "IMPORTANT",
        "Coupure d’eau rue des Lilas mardi",
        "samedi 21 novembre 2026",
        "Contact : Services techniques",
        f"Vérifier l’authenticité : {CODE}",
        "1 234,50 €",
    ):
        assert expected in text


@pytest.mark.parametrize(("urgency", "banner"), [("urgent", "URGENT"), ("info", None)])
def test_banner_follows_urgency(urgency, banner):
    rendition = render_notice(create_message(urgency=urgency))
    with open_pdf(rendition.body) as pdf:
        text = flat(pdf.pages[0].extract_text())
    if banner:
        assert banner in text
    else:
        assert "IMPORTANT" not in text and "URGENT" not in text


def test_english_notice():
    rendition = render_notice(create_message(locale="en", urgency="urgent"))
    with open_pdf(rendition.body) as pdf:
        text = flat(pdf.pages[0].extract_text())
    assert "Saturday, November 21, 2026" in text and "Check authenticity" in text


@pytest.mark.parametrize("large_print", [False, True])
def test_long_notice_flows_onto_pages_with_the_code_on_each(large_print):
    rendition = render_notice(create_message(body=long_body()), large_print=large_print)
    with open_pdf(rendition.body) as pdf:
        texts = [page.extract_text() for page in pdf.pages]
        sizes = [c["size"] for page in pdf.pages for c in page.chars if c["text"].strip()]
        title_sizes = {c["size"] for c in pdf.pages[0].chars if c["text"] == "C"}
    assert len(texts) == rendition.meta["pages"] >= 2
    for number, text in enumerate(texts, start=1):
        assert CODE in text and f"{number}/{len(texts)}" in text
    assert all(f"Paragraphe {n} :" in " ".join(texts) for n in range(1, 31))
    if large_print:
        assert min(sizes) >= 16 and max(title_sizes) >= 20


def test_notice_without_code_or_date_does_not_crash():
    rendition = render_notice(
        create_message(verification_code="", public_url="", published_at=None)
    )
    with open_pdf(rendition.body) as pdf:
        assert "authenticité" not in pdf.pages[0].extract_text()
