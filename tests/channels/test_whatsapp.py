"""WhatsApp channel against the local Cloud API fake: text and template sends, errors by
code as the delivery engine needs them, the lost-reply key, and `check()`."""

from __future__ import annotations

import pytest

from channels.base import Recipient
from channels.errors import (
    ChannelConfigError,
    PermanentChannelError,
    RetryableChannelError,
    UnknownOutcomeError,
)
from channels.whatsapp import (
    OutsideWindowError,
    WhatsAppChannel,
    WhatsAppConfig,
    WhatsAppCredentialsError,
    WhatsAppFallbackError,
    WhatsAppRateLimitError,
)
from renderers.messaging import render_whatsapp_template, render_whatsapp_text
from tests.fakes.whatsapp import FakeWhatsApp, error, template
from tests.renderers.messaging.factories import URL, create_message, create_template

PHONE = "+33612345678"
CITIZEN = Recipient(reference="citizen-7", phone=PHONE, locale="fr")
BODY = "Information de votre mairie : {{1}}\n\n{{2}}\n\nDétails : {{3}}"


@pytest.fixture
def fake():
    templates = [
        template("crieur_annonce", "fr", BODY),
        template("crieur_annonce", "en_US", "{{title}} {{link}}"),
        template("promo", "fr", "{{1}}", category="MARKETING", status="REJECTED"),
    ]
    with FakeWhatsApp(templates=templates) as server:
        yield server


def create_channel(fake: FakeWhatsApp, **overrides) -> WhatsAppChannel:
    values = {**fake.settings(), "timeout": 0.5}
    return WhatsAppChannel(WhatsAppConfig(**{**values, **overrides}))


def test_a_text_goes_to_the_citizen_with_the_delivery_key_for_its_statuses(fake):
    fake.open_window(PHONE)
    rendition = render_whatsapp_text(create_message())
    receipt = create_channel(fake).send(rendition, CITIZEN, idempotency_key="crieur-delivery-7")
    (sent,) = fake.messages
    assert sent["to"] == PHONE and sent["type"] == "text"
    assert sent["text"] == {"body": rendition.text, "preview_url": True}
    assert sent["callback_data"] == "crieur-delivery-7"
    assert receipt.provider_ref == sent["id"] and receipt.provider_ref.startswith("wamid.")
    assert receipt.extra == {"message_status": "accepted"}


def test_a_template_goes_with_its_language_and_parameters_in_order(fake):
    rendition = render_whatsapp_template(create_message(), [create_template(body=BODY)])
    create_channel(fake).send(rendition, CITIZEN, idempotency_key="crieur-delivery-8")
    (sent,) = fake.messages
    assert sent["template"]["name"] == "crieur_annonce"
    assert sent["template"]["language"] == {"code": "fr"}
    values = [p["text"] for p in sent["template"]["components"][0]["parameters"]]
    assert values == ["Coupure d’eau rue des Lilas mardi", create_message().summary, URL]


def test_a_named_template_sends_parameter_names(fake):
    templates = [create_template(language="en_US", named=True, parameters=("title", "link"))]
    rendition = render_whatsapp_template(create_message(locale="en"), templates)
    create_channel(fake).send(rendition, CITIZEN, idempotency_key="k")
    parameters = fake.messages[0]["template"]["components"][0]["parameters"]
    assert [p["parameter_name"] for p in parameters] == ["title", "link"]


def test_a_template_meta_does_not_know_is_refused_permanently(fake):
    rendition = render_whatsapp_template(
        create_message(), [create_template(name="inconnu", body=BODY)]
    )
    with pytest.raises(PermanentChannelError) as refused:
        create_channel(fake).send(rendition, CITIZEN, idempotency_key="k")
    assert refused.value.code == 132001 and fake.messages == []


@pytest.mark.parametrize(
    "code, kind, retryable, retry_after",
    [
        (130429, WhatsAppRateLimitError, True, 1.0),
        (131056, WhatsAppRateLimitError, True, 60.0),
        (131000, RetryableChannelError, True, None),
        (131047, OutsideWindowError, False, None),
        (131048, WhatsAppFallbackError, False, None),
        (131049, WhatsAppFallbackError, False, None),
        (131026, PermanentChannelError, False, None),
        (190, WhatsAppCredentialsError, False, None),
    ],
)
def test_errors_are_classified_by_code(fake, code, kind, retryable, retry_after):
    fake.fail_next(error(code, f"details quoting {PHONE}"))
    with pytest.raises(kind) as raised:
        create_channel(fake).send(
            render_whatsapp_text(create_message()), CITIZEN, idempotency_key="k"
        )
    assert raised.value.retryable is retryable and raised.value.code == code
    assert getattr(raised.value, "retry_after", None) == retry_after
    assert PHONE not in str(raised.value) and "\n" not in str(raised.value)


def test_outside_the_window_the_typed_error_asks_for_sms():
    assert OutsideWindowError.fallback == "sms"
    assert issubclass(OutsideWindowError, PermanentChannelError)


def test_the_same_citizen_twice_too_fast_is_a_pair_rate_limit_not_a_second_message(fake):
    channel = create_channel(fake)
    fake.open_window(PHONE)
    channel.send(render_whatsapp_text(create_message()), CITIZEN, idempotency_key="a")
    with pytest.raises(WhatsAppRateLimitError) as limited:
        channel.send(render_whatsapp_text(create_message()), CITIZEN, idempotency_key="b")
    assert limited.value.code == 131056 and len(fake.messages) == 1


def test_over_the_number_throughput_sends_are_told_to_retry(fake):
    fake.throughput, fake.pair_interval = 3, 0
    channel = create_channel(fake)
    outcomes = []
    for n in range(5):
        recipient = Recipient(reference=f"c{n}", phone=f"+3361234560{n}")
        try:
            channel.send(render_whatsapp_text(create_message()), recipient, idempotency_key=str(n))
            outcomes.append("sent")
        except WhatsAppRateLimitError as exc:
            outcomes.append(exc.code)
    assert outcomes == ["sent", "sent", "sent", 130429, 130429]
    assert len(fake.messages) == 3


def test_a_lost_reply_is_an_unknown_outcome_and_the_message_carries_the_key(fake):
    fake.fail_next("timeout_after_accept", delay=1.0)
    rendition = render_whatsapp_text(create_message())
    with pytest.raises(UnknownOutcomeError):
        create_channel(fake).send(rendition, CITIZEN, idempotency_key="crieur-delivery-9")
    (sent,) = fake.messages  # it went out: its statuses will say whose it is
    assert sent["callback_data"] == "crieur-delivery-9"


def test_a_refused_connection_is_retryable_not_unknown(fake):
    channel = create_channel(fake, base_url="http://127.0.0.1:9")
    with pytest.raises(RetryableChannelError) as raised:
        channel.send(render_whatsapp_text(create_message()), CITIZEN, idempotency_key="k")
    assert not isinstance(raised.value, UnknownOutcomeError)


def test_a_citizen_without_a_mobile_number_is_refused(fake):
    with pytest.raises(PermanentChannelError):
        create_channel(fake).send(
            render_whatsapp_text(create_message()),
            Recipient("c", phone="0612"),
            idempotency_key="k",
        )


def test_check_lists_every_template_with_its_status(fake):
    line = create_channel(fake).check()
    assert line == (
        "whatsapp: Mairie de Saint-Crieur (quality GREEN); 3 templates: "
        "crieur_annonce (fr) APPROVED UTILITY, crieur_annonce (en_US) APPROVED UTILITY, "
        "promo (fr) REJECTED MARKETING"
    )
    assert fake.messages == []


def test_templates_are_read_page_after_page(fake):
    fake.templates = [template(f"t_{n:03d}", "fr", "{{1}}") for n in range(130)]
    found = create_channel(fake).templates()
    assert [t.name for t in found] == [f"t_{n:03d}" for n in range(130)]
    assert found[0].body == "{{1}}" and found[0].status == "APPROVED"


def test_a_bad_token_fails_check_as_a_credentials_error(fake):
    with pytest.raises(WhatsAppCredentialsError) as error_:
        create_channel(fake, access_token="EAAGwrong").check()
    assert isinstance(error_.value, ChannelConfigError) and "EAAGwrong" not in str(error_.value)


def test_the_config_never_shows_its_secrets(fake):
    channel = create_channel(fake)
    for secret in (fake.access_token, fake.app_secret, fake.verify_token):
        assert secret not in repr(channel) and secret not in repr(channel.config)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"phone_number_id": "+33612"}, "phone_number_id must be"),
        ({"verify_token": "short"}, "at least 16"),
        ({"api_version": "21"}, "api_version"),
        ({"app_secret": ""}, "app_secret is empty"),
    ],
)
def test_bad_settings_are_refused_at_once(fake, change, message):
    with pytest.raises(ChannelConfigError) as refused:
        create_channel(fake, **change)
    assert message in str(refused.value)
