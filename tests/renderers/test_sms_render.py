"""render_sms: the exact text sent, its cost, the short form and the hard limit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from renderers.errors import RenderError, RenderErrorCode
from renderers.message import Message
from renderers.sms import SMSConfig, analyse, render_sms

URL = "https://crieur.example/v/K7P2"


pytestmark = pytest.mark.usefixtures("compiled_catalogs")


def create_message(**fields) -> Message:
    values = dict(
        organisation="Mairie de Lyon",
        locale="fr",
        title="Coupure d’eau rue Garibaldi",
        summary="Coupure d’eau rue Garibaldi mardi 12 mars de 8\u00a0h à 12\u00a0h.",
        body="Texte long.",
        public_url=URL,
    )
    values.update(fields)
    return Message(**values)


def test_french_sms_is_smart_encoded_signed_and_has_opt_out():
    rendition = render_sms(create_message())
    assert rendition.form == "sms" and rendition.media_type == "text/plain"
    assert rendition.text == (
        "Coupure d'eau rue Garibaldi mardi 12 mars de 8 h à 12 h.\n"
        "Mairie de Lyon\n"
        "Stop SMS : répondez STOP"
    )
    assert rendition.meta["encoding"] == "GSM-7"
    assert rendition.meta["segments"] == 1
    assert rendition.meta["shortened"] is False


def test_meta_describes_exactly_the_body():
    rendition = render_sms(create_message(), SMSConfig(prices={"FR": Decimal("0.0725")}))
    sms = analyse(rendition.text)
    meta = rendition.meta
    assert (meta["encoding"], meta["segments"], meta["units"]) == (
        sms.encoding, sms.segments, sms.units,
    )  # fmt: skip
    assert meta["characters"] == len(rendition.text)
    assert meta["cost"] == "0.0725" and meta["currency"] == "EUR"
    assert meta["policy"] == "full"
    assert "".join(meta["parts"]) == rendition.text


@pytest.mark.parametrize(("country", "cost"), [("FR", "0.2175"), ("be", "0.27"), ("DE", "")])
def test_cost_is_price_per_segment_times_segments(country, cost):
    message = create_message(summary="Travaux. " * 40)  # 360 + signature → 3 GSM segments
    config = SMSConfig(prices={"FR": "0.0725", "BE": "0.09"})
    rendition = render_sms(message, config, country=country)
    assert rendition.meta["segments"] == 3
    assert rendition.meta["cost"] == cost


@pytest.mark.parametrize(
    ("locale", "prefix", "opt_out"),
    [("fr", "ALERTE : ", "Stop SMS : répondez STOP"), ("en", "ALERT: ", "Reply STOP to opt out")],
)
def test_urgent_prefix_and_opt_out_are_translated(locale, prefix, opt_out):
    message = create_message(locale=locale, urgency="urgent", summary="Flood warning.")
    text = render_sms(message).text
    assert text.startswith(prefix + "Flood warning.")
    assert text.endswith("\n" + opt_out)


def test_no_prefix_when_not_urgent_and_opt_out_can_be_switched_off():
    text = render_sms(create_message(summary="Info."), SMSConfig(opt_out=False)).text
    assert text == "Info.\nMairie de Lyon"


def test_configured_signature_replaces_organisation_name():
    text = render_sms(create_message(summary="Info."), SMSConfig(signature="Ville de Lyon")).text
    assert text.splitlines()[1] == "Ville de Lyon"


def test_policy_off_keeps_the_typography():
    rendition = render_sms(create_message(), SMSConfig(policy="off"))
    assert "d’eau" in rendition.text and rendition.meta["encoding"] == "UCS-2"


def test_too_long_summary_becomes_title_and_link():
    message = create_message(summary="Les travaux continuent. " * 30)
    rendition = render_sms(message, SMSConfig(max_parts=2))
    assert rendition.meta["shortened"] is True
    assert rendition.text.startswith("Coupure d'eau rue Garibaldi\nDétails : " + URL)
    assert rendition.meta["segments"] <= 2


def test_too_long_without_link_raises_naming_sizes():
    message = create_message(summary="Les travaux continuent. " * 30, public_url="")
    with pytest.raises(RenderError) as caught:
        render_sms(message, SMSConfig(max_parts=2))
    assert caught.value.code is RenderErrorCode.TOO_LONG
    assert "5 segments" in str(caught.value) and "limit is 2" in str(caught.value)


def test_too_long_even_as_short_form_raises():
    message = create_message(summary="x " * 400, title="Titre " * 40)
    with pytest.raises(RenderError) as caught:
        render_sms(message, SMSConfig(max_parts=1))
    assert caught.value.code is RenderErrorCode.TOO_LONG
    assert "short form" in str(caught.value)


def test_empty_summary_is_a_missing_field():
    with pytest.raises(RenderError) as caught:
        render_sms(create_message(summary="  "))
    assert caught.value.code is RenderErrorCode.MISSING_FIELD


@pytest.mark.parametrize("max_parts", [1, 2, 3])
def test_never_exceeds_max_parts(max_parts):
    for n in range(1, 60, 3):
        message = create_message(summary="Fête de l’école, rue Sœur-Bouvier. " * n)
        try:
            rendition = render_sms(message, SMSConfig(max_parts=max_parts))
        except RenderError:
            continue
        assert rendition.meta["segments"] <= max_parts
