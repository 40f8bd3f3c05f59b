"""The FR-Alert cell-broadcast text: pages of 93 GSM-7 or 41 UCS-2 characters, 15 at most."""

from __future__ import annotations

import pytest

from renderers.cell_broadcast import (
    MAX_PAGES,
    analyse_pages,
    compose_cell_broadcast,
    render_cell_broadcast,
)
from renderers.errors import RenderError, RenderErrorCode
from renderers.message import Message, Urgency

URL = "https://crieur.example/v/K7P2"


pytestmark = pytest.mark.usefixtures("compiled_catalogs")


def create_message(**fields) -> Message:
    values = dict(
        organisation="Mairie de Crieur",
        locale="fr",
        title="Crue de la Loire",
        summary="Évacuez les quais avant 18 h. Ne prenez pas la voiture.",
        body="Texte long.",
        urgency=Urgency.URGENT,
        public_url=URL,
    )
    values.update(fields)
    return Message(**values)


@pytest.mark.parametrize(
    ("text", "encoding", "units", "pages"),
    [
        ("a" * 93, "GSM-7", 93, 1),
        ("a" * 94, "GSM-7", 94, 2),
        ("a" * 1395, "GSM-7", 1395, 15),
        ("€" * 46, "GSM-7", 92, 1),  # an extension character costs two septets
        ("€" * 47, "GSM-7", 94, 2),
        ("[" + "a" * 92, "GSM-7", 94, 2),
        ("a" * 92 + "]", "GSM-7", 94, 2),  # never split between its escape and its code
        ("ب" * 41, "UCS-2", 41, 1),
        ("ب" * 42, "UCS-2", 42, 2),
        ("ب" * 615, "UCS-2", 615, 15),
    ],
)
def test_pages_are_counted_as_the_network_cuts_them(text, encoding, units, pages):
    cb = analyse_pages(text)
    assert (cb.encoding, cb.units, len(cb.pages)) == (encoding, units, pages)
    assert "".join(cb.pages) == text
    assert all(len(page) <= cb.per_page for page in cb.pages)


def test_a_french_alert_is_smart_encoded_into_gsm7():
    rendition = render_cell_broadcast(create_message(summary="Évacuez les quais « maintenant »."))
    assert rendition.form == "cell-broadcast" and rendition.media_type == "text/plain"
    assert rendition.body == (
        "ALERTE : Crue de la Loire\n"
        'Évacuez les quais " maintenant ".\n'
        "Mairie de Crieur\n"
        f"Détails : {URL}"
    )
    meta = rendition.meta
    assert (meta["encoding"], meta["pages"], meta["per_page"], meta["max_pages"]) == (
        "GSM-7",
        2,  # 105 characters: UCS-2 (« ») would need 3 pages of 41
        93,
        15,
    )
    assert meta["units"] == len(rendition.body) and meta["sent_by_crieur"] is False


def test_euro_and_brackets_count_two_and_stay_gsm7():
    rendition = render_cell_broadcast(create_message(summary="Amende [art. 12] : 135 €."))
    assert rendition.meta["encoding"] == "GSM-7"
    assert "[art. 12]" in rendition.body and "135 €" in rendition.body
    assert rendition.meta["units"] == len(rendition.body) + 3  # [, ] and € cost two each


def test_arabic_is_ucs2_in_pages_of_41():
    rendition = render_cell_broadcast(
        create_message(
            locale="ar", title="فيضان نهر اللوار", summary="أخلوا الأرصفة قبل الساعة السادسة مساءً."
        )
    )
    meta = rendition.meta
    assert meta["encoding"] == "UCS-2" and meta["per_page"] == 41
    assert meta["pages"] == -(-meta["units"] // 41)
    assert rendition.body.startswith("تنبيه") or "فيضان نهر اللوار" in rendition.body


def test_the_smart_policy_is_the_sms_one():
    message = create_message(summary="Œuvre ’ici’.")
    assert compose_cell_broadcast(message, "off") != compose_cell_broadcast(message, "full")
    assert "OEuvre 'ici'." in compose_cell_broadcast(message, "full")
    assert "Œuvre ’ici’." in compose_cell_broadcast(message, "off")


@pytest.mark.parametrize(
    ("summary", "limit", "encoding"),
    [("Évacuez. " * 160, 1395, "GSM-7"), ("أخلوا. " * 100, 615, "UCS-2")],
)
def test_too_long_says_which_limit_and_by_how_much(summary, limit, encoding):
    message = create_message(summary=summary, locale="ar" if encoding == "UCS-2" else "fr")
    units = analyse_pages(compose_cell_broadcast(message)).units
    with pytest.raises(RenderError) as error:
        render_cell_broadcast(message)
    assert error.value.code is RenderErrorCode.TOO_LONG
    assert error.value.form == "cell-broadcast"
    text = str(error.value)
    assert f"limit is {MAX_PAGES} pages" in text and f"= {limit}" in text and encoding in text
    assert f"{units - limit} too many" in text


def test_an_empty_summary_is_refused():
    with pytest.raises(RenderError) as error:
        render_cell_broadcast(create_message(summary="  "))
    assert error.value.code is RenderErrorCode.MISSING_FIELD


def test_it_is_a_render_only_kind_never_an_account():
    from channels.kinds import kinds, render_only_kinds

    kind = render_only_kinds()["cell-broadcast"]
    assert kind.form == "cell-broadcast" and kind.urgent_only
    assert "préfecture" in kind.sent_by
    assert "cell-broadcast" not in kinds()
