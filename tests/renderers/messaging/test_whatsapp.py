"""WhatsApp: the free text inside the window, the UTILITY template's parameters outside."""

from __future__ import annotations

import pytest

from renderers.errors import RenderError, RenderErrorCode
from renderers.messaging import render_whatsapp_template, render_whatsapp_text
from renderers.messaging.whatsapp import TEMPLATE_BODY_LIMIT, TEXT_LIMIT
from tests.renderers.messaging.factories import CODE, URL, create_message, create_template


def test_the_text_has_a_bold_title_the_long_form_the_verification_and_how_to_stop():
    rendition = render_whatsapp_text(create_message())
    text = rendition.text
    assert text.startswith("*Coupure d’eau rue des Lilas mardi*\n\nEn raison de travaux")
    assert f"Vérifier l’authenticité : {CODE} {URL}" in text
    assert text.endswith("Pour ne plus recevoir ces messages, répondez STOP.")
    assert rendition.meta == {"characters": len(text), "limit": TEXT_LIMIT, "shortened": False}


def test_a_body_too_long_for_one_message_gives_way_to_the_summary():
    message = create_message(body="Les travaux avancent. " * 300)
    rendition = render_whatsapp_text(message)
    assert rendition.meta["shortened"] is True and message.summary in rendition.text
    assert "Les travaux avancent." not in rendition.text
    with pytest.raises(RenderError) as error:
        render_whatsapp_text(create_message(body="x " * 3000, summary="y " * 3000))
    assert error.value.code is RenderErrorCode.TOO_LONG and error.value.form == "whatsapp_text"


def test_the_template_is_filled_from_the_announcement_in_order():
    rendition = render_whatsapp_template(create_message(), [create_template()])
    meta = rendition.meta
    assert (meta["template"], meta["language"], meta["category"]) == (
        "crieur_annonce",
        "fr",
        "UTILITY",
    )
    assert meta["parameters"] == (
        ("title", "Coupure d’eau rue des Lilas mardi"),
        ("summary", create_message().summary),
        ("link", URL),
    )
    assert rendition.text == (
        f"Information de votre mairie : Coupure d’eau rue des Lilas mardi\n\n"
        f"{create_message().summary}\n\nDétails : {URL}"
    )


def test_parameters_are_one_line_as_meta_requires():
    message = create_message(summary="Ligne un\n\nligne\tdeux      fin")
    rendition = render_whatsapp_template(message, create_template())
    assert dict(rendition.meta["parameters"])["summary"] == "Ligne un ligne deux fin"


def test_the_template_of_the_citizen_language_is_picked_and_named_parameters_work():
    templates = [
        create_template(
            language="en_US", named=True, parameters=("title", "link"), body="{{title}} — {{link}}"
        ),
        create_template(),
    ]
    english = render_whatsapp_template(create_message(locale="en"), templates)
    assert english.meta["language"] == "en_US" and english.meta["named"] is True
    assert english.text == f"Coupure d’eau rue des Lilas mardi — {URL}"
    assert render_whatsapp_template(create_message(), templates).meta["language"] == "fr"


@pytest.mark.parametrize(
    "templates, message, code",
    [
        ([create_template(language="es")], create_message(), RenderErrorCode.UNSUPPORTED_LOCALE),
        ([create_template(category="MARKETING")], create_message(), RenderErrorCode.INVALID_INPUT),
        ([create_template()], create_message(public_url=""), RenderErrorCode.MISSING_FIELD),
        (
            [create_template(parameters=("title", "iban"))],
            create_message(),
            RenderErrorCode.INVALID_INPUT,
        ),
        ([create_template()], create_message(summary="mot " * 300), RenderErrorCode.TOO_LONG),
    ],
    ids=["no-language", "marketing-only", "no-link", "unknown-parameter", "over-1024"],
)
def test_what_cannot_be_sent_as_a_template_is_a_typed_error(templates, message, code):
    with pytest.raises(RenderError) as error:
        render_whatsapp_template(message, templates)
    assert error.value.code is code and error.value.form == "whatsapp_template"


def test_without_the_approved_body_the_parameters_alone_are_held_to_the_limit():
    template = create_template(body="")
    rendition = render_whatsapp_template(create_message(), template)
    assert rendition.meta["characters"] == sum(len(v) for _, v in rendition.meta["parameters"])
    assert rendition.meta["limit"] == TEMPLATE_BODY_LIMIT
