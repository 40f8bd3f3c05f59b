"""Email channel against a local SMTP server (aiosmtpd) that parses every message: headers
of RFC 8058, both parts, TLS and login, kept-alive sessions, SMTP codes classified."""

from __future__ import annotations

import email.policy
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import lxml.html
import pytest

from channels.base import Recipient
from channels.email import (
    EmailChannel,
    EmailConfig,
    EmailCredentialsError,
    RecipientRefusedError,
    message_id,
)
from channels.errors import (
    ChannelConfigError,
    PermanentChannelError,
    RetryableChannelError,
    UnknownOutcomeError,
)
from renderers.messaging import render_email
from tests.fakes.smtp import FakeSMTP
from tests.renderers.messaging.factories import CODE, URL, create_message

FROM = "Mairie de Saint-Crieur <infos@saint-crieur.example>"
ADDRESS = "jeanne.dupont@example.org"
CITIZEN = Recipient(reference="citizen-3", name="Jeanne Dupont", email=ADDRESS)
UNSUBSCRIBE = "https://saint-crieur.example/u/Zk3m9QpL2x"
USERS = {"crieur": "mot-de-passe-long"}


@pytest.fixture
def smtp():
    with FakeSMTP(security="starttls", users=USERS, unknown={"nobody@example.org"}) as fake:
        yield fake


def create_config(fake: FakeSMTP, **overrides) -> EmailConfig:
    values = {
        "host": fake.host,
        "port": fake.port,
        "from_address": FROM,
        "security": fake.security,
        "username": "crieur" if fake.users else "",
        "password": USERS["crieur"] if fake.users else "",
        "ca_file": fake.ca_file,
        "unsubscribe_mailto": "desinscription@saint-crieur.example",
        "timeout": 2.0,
    }
    return EmailConfig(**{**values, **overrides})


def for_citizen(rendition, url: str = UNSUBSCRIBE):
    return replace(rendition, meta={**rendition.meta, "unsubscribe_url": url})


def test_a_message_arrives_with_both_parts_and_one_click_unsubscribe(smtp):
    rendition = for_citizen(render_email(create_message()))
    receipt = EmailChannel(create_config(smtp)).send(rendition, CITIZEN, idempotency_key="d-1")
    (received,) = smtp.received
    message = received.message
    assert received.mail_from == "infos@saint-crieur.example" and received.rcpt_tos == [ADDRESS]
    assert received.login == "crieur"
    assert message["From"] == FROM and message["To"] == f"Jeanne Dupont <{ADDRESS}>"
    assert message["Subject"] == "Coupure d’eau rue des Lilas mardi"
    assert message["List-Unsubscribe"] == (
        f"<{UNSUBSCRIBE}>, <mailto:desinscription@saint-crieur.example?subject=unsubscribe>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Content-Language"] == "fr" and message["Date"]
    assert message["Message-ID"] == message_id("d-1", "saint-crieur.example")
    assert receipt.provider_ref == message["Message-ID"].strip("<>")
    assert receipt.extra["smtp_reply"].startswith("250 2.0.0 Ok: queued as")
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    page = message.get_body(("html",)).get_content()
    assert f"Se désabonner : {UNSUBSCRIBE}" in text and CODE in text and URL in text
    document = lxml.html.document_fromstring(page)
    assert document.get("lang") == "fr" and UNSUBSCRIBE in document.xpath("//a/@href")
    assert b"\r\n" in received.raw and all(len(line) <= 998 for line in received.raw.split(b"\r\n"))


def test_an_arabic_message_keeps_its_subject_language_and_direction(smtp):
    message = create_message(
        locale="ar", title="انقطاع المياه يوم الثلاثاء", body="سيتم قطع المياه."
    )
    rendition = for_citizen(render_email(message))
    EmailChannel(create_config(smtp)).send(rendition, CITIZEN, idempotency_key="d-2")
    received = smtp.received[0].message
    assert received["Subject"] == "انقطاع المياه يوم الثلاثاء"
    assert received["Content-Language"] == "ar"
    page = lxml.html.document_fromstring(received.get_body(("html",)).get_content())
    assert (page.get("lang"), page.get("dir")) == ("ar", "rtl")


@pytest.mark.parametrize("security", ["tls", "none"])
def test_implicit_tls_and_a_local_relay_work_too(security):
    users = USERS if security == "tls" else None
    with FakeSMTP(security=security, users=users) as fake:
        config = create_config(fake, port=fake.port)
        EmailChannel(config).send(
            for_citizen(render_email(create_message())), CITIZEN, idempotency_key="d-3"
        )
        assert fake.count() == 1


def test_one_session_per_thread_is_kept_alive_and_renewed_when_the_server_drops_it(smtp):
    channel = EmailChannel(create_config(smtp))
    rendition = for_citizen(render_email(create_message()))
    for n in range(5):
        channel.send(rendition, CITIZEN, idempotency_key=f"k{n}")
    assert smtp.sessions == 1
    smtp.drop_sessions()  # an idle session closed by the server: sent again on a fresh one
    channel.send(rendition, CITIZEN, idempotency_key="k5")
    assert smtp.count() == 6 and smtp.sessions == 2
    with ThreadPoolExecutor(4) as pool:
        list(
            pool.map(lambda n: channel.send(rendition, CITIZEN, idempotency_key=f"t{n}"), range(40))
        )
    assert smtp.count() == 46 and smtp.sessions <= 2 + 4


@pytest.mark.parametrize(
    "fault, kind, code",
    [
        ("451", RetryableChannelError, 451),
        ("452", RetryableChannelError, 452),
        ("554", PermanentChannelError, 554),
    ],
)
def test_smtp_codes_are_classified_4xx_retry_5xx_permanent(smtp, fault, kind, code):
    smtp.fail_next(fault)
    with pytest.raises(kind) as raised:
        EmailChannel(create_config(smtp)).send(
            for_citizen(render_email(create_message())), CITIZEN, idempotency_key="d"
        )
    assert raised.value.code == code and smtp.count() == 0
    assert ADDRESS not in str(raised.value)


def test_an_unknown_mailbox_is_a_hard_bounce_that_names_no_address(smtp):
    nobody = Recipient(reference="c", email="nobody@example.org")
    channel = EmailChannel(create_config(smtp))
    rendition = for_citizen(render_email(create_message()))
    with pytest.raises(RecipientRefusedError) as raised:
        channel.send(rendition, nobody, idempotency_key="d")
    assert str(raised.value) == "email: recipient refused (550 5.1.1) (code 550)"
    channel.send(rendition, CITIZEN, idempotency_key="d2")  # the session is still usable
    assert smtp.count() == 1


def test_a_reply_lost_after_data_is_an_unknown_outcome_and_a_resend_keeps_the_message_id(smtp):
    smtp.fail_next("timeout_after_accept", delay=1.5)
    channel = EmailChannel(create_config(smtp, timeout=0.5))
    rendition = for_citizen(render_email(create_message()))
    with pytest.raises(UnknownOutcomeError):
        channel.send(rendition, CITIZEN, idempotency_key="d-9")
    channel.send(rendition, CITIZEN, idempotency_key="d-9")
    first, second = (r.message["Message-ID"] for r in smtp.received)
    assert first == second  # mailbox providers show a duplicate Message-ID once


def test_no_unsubscribe_link_or_no_address_means_nothing_is_sent(smtp):
    channel = EmailChannel(create_config(smtp))
    rendition = render_email(create_message())
    for bad, recipient in [
        (rendition, CITIZEN),
        (for_citizen(rendition, "http://saint-crieur.example/u/x"), CITIZEN),
        (for_citizen(rendition), Recipient(reference="c")),
        (for_citizen(rendition), Recipient(reference="c", email="pas-une-adresse")),
    ]:
        with pytest.raises(PermanentChannelError):
            channel.send(bad, recipient, idempotency_key="d")
    assert smtp.count() == 0


def test_a_name_cannot_inject_a_header(smtp):
    sneaky = Recipient(reference="c", name="Jeanne\r\nBcc: x@evil.example", email=ADDRESS)
    EmailChannel(create_config(smtp)).send(
        for_citizen(render_email(create_message())), sneaky, idempotency_key="d"
    )
    (received,) = smtp.received
    assert received.rcpt_tos == [ADDRESS] and received.message["Bcc"] is None


def test_check_logs_in_and_offers_the_sender_without_sending(smtp):
    line = EmailChannel(create_config(smtp)).check()
    assert line.startswith(f"email: {smtp.host}:{smtp.port} TLSv1.")
    assert line.endswith("logged in as crieur, sender accepted (NOOP 250)")
    assert "sender and recipient accepted" in EmailChannel(create_config(smtp)).check(ADDRESS)
    with pytest.raises(RecipientRefusedError):
        EmailChannel(create_config(smtp)).check("nobody@example.org")
    assert smtp.count() == 0


@pytest.mark.parametrize(
    "change, cause",
    [
        ({"password": "faux-mot-de-passe"}, "login refused (535)"),
        ({"ca_file": ""}, "TLS certificate is not trusted"),
    ],
)
def test_bad_credentials_or_an_untrusted_certificate_are_config_errors(smtp, change, cause):
    with pytest.raises(EmailCredentialsError) as raised:
        EmailChannel(create_config(smtp, **change)).check()
    assert isinstance(raised.value, ChannelConfigError) and cause in str(raised.value)
    assert "faux-mot-de-passe" not in str(raised.value)


def test_starttls_against_a_server_without_it_is_a_config_error():
    with FakeSMTP(security="none") as fake:
        with pytest.raises(EmailCredentialsError) as raised:
            EmailChannel(create_config(fake, host="localhost", security="starttls")).check()
        assert "no STARTTLS" in str(raised.value)


def test_a_server_that_is_down_is_retryable():
    with FakeSMTP(security="none") as fake:
        port = fake.port
    config = EmailConfig("127.0.0.1", FROM, port=port, security="none")
    with pytest.raises(RetryableChannelError) as raised:
        EmailChannel(config).send(
            for_citizen(render_email(create_message())), CITIZEN, idempotency_key="d"
        )
    assert not isinstance(raised.value, UnknownOutcomeError)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"security": "none", "host": "smtp.example.org"}, "only for a relay on this machine"),
        ({"security": "ssl"}, "security must be one of"),
        ({"from_address": "Mairie"}, "from_address must be an email address"),
        ({"username": "crieur", "password": ""}, "both username and password"),
        ({"ca_file": "/nonexistent.pem"}, "ca_file"),
        ({"port": 0}, "port must be"),
    ],
)
def test_bad_settings_are_refused_at_once(change, message):
    values = {"host": "smtp.example.org", "from_address": FROM, **change}
    with pytest.raises(ChannelConfigError) as raised:
        EmailConfig(**values)
    assert message in str(raised.value)


def test_the_password_is_never_shown(smtp):
    channel = EmailChannel(create_config(smtp))
    assert USERS["crieur"] not in repr(channel) and USERS["crieur"] not in repr(channel.config)


def test_message_ids_are_stable_per_delivery_and_differ_between_deliveries():
    assert message_id("a", "x.example") == message_id("a", "x.example")
    assert message_id("a", "x.example") != message_id("b", "x.example")
    assert email.policy.default.header_factory("Message-ID", message_id("a", "x.example"))
