"""Weekly print from the database: the week's notice, one letter per postal subscriber, the CLI."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from gateway.cli import main
from gateway.models import Organisation
from gateway.weekly import (
    postal_subscribers,
    published_in_week,
    week_bounds,
    weekly_letters,
    weekly_notice,
)
from tests.factories import create_announcement, create_citizen, create_organisation

PARIS = ZoneInfo("Europe/Paris")


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def published(org, when, *, title="Coupure d’eau rue des Lilas", status="sent", **fields):
    announcement = create_announcement(org, title=title, **fields)
    announcement.status = status
    announcement.published_at = when
    announcement.save()
    return announcement


def pdf_text(source) -> str:
    reader = PdfReader(source if not isinstance(source, bytes) else io.BytesIO(source))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def test_week_bounds_are_monday_midnight_to_next_monday_in_the_time_zone():
    start, end = week_bounds(2026, 47, "Europe/Paris")
    assert (start, end) == (paris(2026, 11, 16), paris(2026, 11, 23))
    assert start.utcoffset().total_seconds() == 3600


@pytest.mark.django_db
def test_published_in_week_takes_the_week_in_paris_time():
    org = create_organisation()
    other = create_organisation()
    inside = [
        published(org, paris(2026, 11, 22, 23, 59), title="Dimanche soir"),
        published(org, paris(2026, 11, 16, 0, 0), title="Lundi minuit"),
        published(org, paris(2026, 11, 18, 12), title="Mercredi", status="sending"),
    ]
    published(org, paris(2026, 11, 15, 23, 59), title="Dimanche d’avant")
    published(org, paris(2026, 11, 23, 0, 0), title="Lundi d’après")
    published(org, paris(2026, 11, 18, 12), title="Brouillon", status="draft")
    published(org, paris(2026, 11, 18, 12), title="Annulée", status="cancelled")
    published(other, paris(2026, 11, 18, 12), title="Autre mairie")

    week = published_in_week(org, 2026, 47)

    assert [a.pk for a in week] == [inside[1].pk, inside[2].pk, inside[0].pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("locale", "title", "expected"),
    [
        ("fr", "semaine du 16 au 22 novembre 2026", "Coupure d’eau rue des Lilas"),
        ("en", "week of November 16 to November 22, 2026", "Water cut on Rue des Lilas"),
    ],
)
def test_weekly_notice_title_and_sections(locale, title, expected):
    org = create_organisation(name="Mairie de Saint-Crieur")
    published(org, paris(2026, 11, 17, 9))

    rendition = weekly_notice(org, 2026, 47, locale)

    text = pdf_text(rendition.body)
    assert rendition.meta["announcements"] == 1 and rendition.locale == locale
    assert title in text and expected in text and "Mairie de Saint-Crieur" in text


@pytest.mark.django_db
def test_postal_subscribers_need_the_channel_a_granted_consent_and_an_address():
    org = create_organisation()
    subscriber = create_citizen(org, channels=("post",))
    create_citizen(org, channels=("post",), consents=())  # no consent
    create_citizen(org, channels=("post",), opted_out=("post",))  # withdrawn
    create_citizen(org, channels=("sms",), consents=("sms", "post"))  # did not ask for post
    create_citizen(org, channels=("post",), address_lines=[])  # no address
    erased = create_citizen(org, channels=("post",))
    erased.erased_at = paris(2026, 1, 1)
    erased.save()
    create_citizen(create_organisation(), channels=("post",))  # another town

    assert [c.pk for c in postal_subscribers(org)] == [subscriber.pk]


def manifest(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.django_db
def test_weekly_letters_one_per_concerned_subscriber(tmp_path):
    org = create_organisation()
    published(org, paris(2026, 11, 17, 9), title="Travaux partout", topics=["travaux"])
    published(org, paris(2026, 11, 18, 9), title="Eau au nord", topics=["eau"], areas=["nord"])
    published(
        org,
        paris(2026, 11, 19, 9),
        title="Alerte nord",
        topics=["eau"],
        areas=["nord"],
        urgency="urgent",
    )
    published(org, paris(2026, 11, 10, 9), title="Semaine d’avant", topics=[])
    travaux_centre = create_citizen(org, channels=("post",), topics=("travaux",), area="centre")
    eau_nord = create_citizen(org, channels=("post",), topics=("eau",), area="nord")
    rien_nord = create_citizen(org, channels=("post",), topics=(), area="nord")
    nothing = create_citizen(org, channels=("post",), topics=("eau",), area="centre")
    create_citizen(org, channels=("post",), consents=(), topics=("travaux",))  # no consent

    result = weekly_letters(org, 2026, 47, tmp_path)

    rows = manifest(result.standard.manifest)
    assert [r["reference"] for r in rows] == [
        travaux_centre.reference,
        eau_nord.reference,
        rien_nord.reference,
    ]
    assert nothing.reference not in {r["reference"] for r in rows}
    assert result.large_print is None and result.rejected == 0 and result.letters == 3

    reader = PdfReader(result.standard.pdf)
    assert len(reader.pages) == result.standard.pages == sum(int(r["pages"]) for r in rows)

    def letter(row) -> str:
        first = int(row["first_page"]) - 1
        pages = reader.pages[first : first + int(row["pages"])]
        return " ".join(" ".join(p.extract_text() for p in pages).split())

    texts = [letter(r) for r in rows]
    assert "Travaux partout" in texts[0] and "nord" not in texts[0].lower()
    assert "Eau au nord" in texts[1] and "Alerte nord" in texts[1]
    assert "Travaux partout" not in texts[1]  # not one of their topics
    assert "Alerte nord" in texts[2] and "Eau au nord" not in texts[2]  # urgent: every topic
    assert all("semaine du 16 au 22 novembre 2026" in t for t in texts)
    assert all("Semaine d’avant" not in t for t in texts)


@pytest.mark.django_db
def test_weekly_letters_language_per_citizen_and_large_print_apart(tmp_path):
    org = create_organisation()
    published(org, paris(2026, 11, 17, 9), topics=[])
    english = create_citizen(org, channels=("post",), language="en")
    german = create_citizen(org, channels=("post",), language="de")  # no translation
    large = create_citizen(org, channels=("post",), large_print=True)
    bad = create_citizen(org, channels=("post",), address_lines=["49123 SAINT CRIEUR"] * 7)

    result = weekly_letters(org, 2026, 47, tmp_path)

    standard = manifest(result.standard.manifest)
    assert [(r["reference"], r["locale"]) for r in standard] == [
        (english.reference, "en"),
        (german.reference, "fr"),
    ]
    large_rows = manifest(result.large_print.manifest)
    assert [(r["reference"], r["large_print"]) for r in large_rows] == [(large.reference, "yes")]
    assert result.large_print.pdf.name == "letters-large-print.pdf"
    assert result.rejects()[0][0] == bad.reference and result.rejected == 1
    reader = PdfReader(result.standard.pdf)
    first = " ".join(reader.pages[0].extract_text().split())
    assert "Water cut on Rue des Lilas" in first and "week of" in first


@pytest.mark.django_db
def test_weekly_letters_never_mix_languages(tmp_path):
    org = create_organisation()
    published(org, paris(2026, 11, 17, 9), topics=[])
    published(org, paris(2026, 11, 18, 9), topics=[], title="Marché", translations={})
    create_citizen(org, channels=("post",), language="en")

    result = weekly_letters(org, 2026, 47, tmp_path)

    (row,) = manifest(result.standard.manifest)
    text = pdf_text(str(result.standard.pdf))
    assert row["locale"] == "fr"
    assert "Coupure d’eau rue des Lilas" in text and "Water cut" not in text


@pytest.mark.django_db
def test_weekly_letters_without_announcements_write_no_letter(tmp_path):
    org = create_organisation()
    create_citizen(org, channels=("post",))

    result = weekly_letters(org, 2026, 47, tmp_path)

    assert result.letters == 0 and result.standard is None and result.large_print is None


# The CLI, in-process (the test database is visible to it).


@pytest.fixture
def only_org(transactional_db):
    Organisation.objects.all().delete()
    return create_organisation(name="Mairie de Saint-Crieur")


@pytest.mark.django_db(transaction=True)
def test_cli_weekly_writes_the_notice(only_org, tmp_path, capsys):
    published(only_org, paris(2026, 11, 17, 9))
    out = tmp_path / "notice.pdf"

    status = main(["print", "weekly", "--week", "2026-W47", "-o", str(out)])

    assert status == 0
    printed = capsys.readouterr().out
    assert str(out) in printed and "1 announcement(s)" in printed
    assert "semaine du 16 au 22 novembre 2026" in pdf_text(out)


@pytest.mark.django_db(transaction=True)
def test_cli_weekly_letters_writes_the_merge(only_org, tmp_path, capsys):
    published(only_org, paris(2026, 11, 17, 9), topics=[])
    create_citizen(only_org, channels=("post",))
    create_citizen(only_org, channels=("post",), large_print=True)

    status = main(
        [
            "print",
            "weekly-letters",
            "--week",
            "2026-W47",
            "--organisation",
            only_org.slug,
            "-o",
            str(tmp_path),
        ]
    )

    assert status == 0
    assert {p.name for p in tmp_path.iterdir()} == {
        "letters.pdf",
        "letters.csv",
        "letters-large-print.pdf",
        "letters-large-print.csv",
        "rejects.csv",
    }
    assert "2 letter(s), 0 rejected" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["weekly", "--week", "2026-47"], "--week must look like 2026-W47"),
        (["weekly", "--week", "2026-W54"], "--week must look like 2026-W47"),
        (["weekly-letters", "--week", "W47"], "--week must look like 2026-W47"),
        (["weekly", "--week", "2026-W47", "--organisation", "nope"], "unknown organisation"),
    ],
)
def test_cli_weekly_bad_input_is_one_line_and_exit_2(only_org, tmp_path, capsys, args, expected):
    status = main(["print", *args, "-o", str(tmp_path / "out")])

    err = capsys.readouterr().err
    assert status == 2 and expected in err and err.count("\n") == 1


@pytest.mark.django_db(transaction=True)
def test_cli_weekly_needs_the_organisation_when_there_are_several(only_org, capsys):
    other = create_organisation()

    status = main(["print", "weekly", "--week", "2026-W47"])

    err = capsys.readouterr().err
    assert status == 2 and "--organisation is required" in err
    assert only_org.slug in err and other.slug in err


@pytest.mark.django_db(transaction=True)
def test_cli_letters_from_the_database(only_org, tmp_path, capsys):
    from gateway.models import Delivery

    announcement = published(only_org, paris(2026, 11, 17, 9))
    for language in ("fr", "en"):
        citizen = create_citizen(only_org, channels=("post",), language=language)
        Delivery.objects.create(
            announcement=announcement, citizen=citizen, channel="post", locale=language
        )

    status = main(["print", "letters", "--announcement", str(announcement.pk), "-o", str(tmp_path)])

    assert status == 0, capsys.readouterr().err
    rows = manifest(tmp_path / "letters.csv")
    assert [r["locale"] for r in rows] == ["fr", "en"]
    assert "2 letter(s)" in capsys.readouterr().out


def test_letters_help_documents_both_modes(capsys):
    with pytest.raises(SystemExit):
        main(["print", "letters", "--help"])
    out = capsys.readouterr().out
    assert "File mode" in out and "Database mode" in out
