from dataclasses import replace

import pytest

from renderers.print import render_weekly_letter, render_weekly_notice
from renderers.print.dates import weekly_title
from tests.renderers.print.factories import create_message, create_recipient, flat, open_pdf


@pytest.mark.parametrize(
    ("year", "week", "locale", "title"),
    [
        (2026, 47, "fr", "Avis à la population — semaine du 16 au 22 novembre 2026"),
        (2026, 49, "fr", "Avis à la population — semaine du 30 novembre au 6 décembre 2026"),
        (2026, 53, "fr", "semaine du 28 décembre 2026 au 3 janvier 2027"),
        (2026, 47, "en", "Public notice — week of November 16 to November 22, 2026"),
    ],
)
def test_weekly_title(year, week, locale, title):
    assert title in weekly_title(year, week, locale)


def messages():
    first = create_message()
    second = replace(
        first,
        title="Marché de Noël",
        urgency="info",
        verification_code="T3ST-CODE",
        public_url="https://x.example/v/T3ST-CODE",
    )
    third = replace(first, title="Sans code", verification_code="", public_url="")
    return [first, second, third]


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_weekly_notice_has_one_section_per_announcement(locale):
    rendition = render_weekly_notice(
        messages(), year=2026, week=47, locale=locale, organisation="Mairie de Saint-Crieur"
    )
    assert rendition.form == "weekly_notice" and rendition.meta["announcements"] == 3
    with open_pdf(rendition.body) as pdf:
        text = flat(" ".join(page.extract_text() for page in pdf.pages))
    assert weekly_title(2026, 47, locale) in text
    for expected in ("Coupure d’eau", "Marché de Noël", "Sans code", "K7QM-2XPA", "T3ST-CODE"):
        assert expected in text


def test_empty_week():
    rendition = render_weekly_notice([], year=2026, week=47, locale="fr", organisation="Mairie")
    with open_pdf(rendition.body) as pdf:
        assert "Aucune annonce cette semaine." in pdf.pages[0].extract_text()


def test_weekly_letter_in_the_recipients_language():
    english = [replace(m, locale="en") for m in messages()[:2]]
    recipient = create_recipient(locale="en", large_print=True)
    rendition = render_weekly_letter(
        english, recipient, year=2026, week=47, organisation="Mairie de Saint-Crieur"
    )
    assert rendition.form == "weekly_letter" and rendition.locale == "en"
    with open_pdf(rendition.body) as pdf:
        text = flat(" ".join(page.extract_text() for page in pdf.pages))
        sizes = {c["size"] for page in pdf.pages for c in page.chars if c["top"] > 300}
    assert "Subject: Public notice — week of November 16" in text
    assert "K7QM-2XPA" in text and "T3ST-CODE" in text
    assert min(sizes) >= 16
