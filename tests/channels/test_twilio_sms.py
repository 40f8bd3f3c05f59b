"""TwilioSMSChannel over real HTTP against the fake Twilio, with the unmodified SDK."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
from twilio.request_validator import RequestValidator

from channels.base import Recipient
from channels.errors import (
    ChannelConfigError,
    PermanentChannelError,
    RetryableChannelError,
    UnknownOutcomeError,
)
from channels.twilio import TwilioCredentialsError, TwilioSMSChannel
from renderers.message import Rendition
from tests.channels.conftest import OPTED_OUT, SENDER, create_twilio_config

CITIZEN = "+33612345678"


def create_sms(text: str = "Coupure d'eau rue des Lilas demain 9h-12h. STOP au 36111") -> Rendition:
    return Rendition(form="sms", locale="fr", media_type="text/plain", body=text)


def create_recipient(phone: str = CITIZEN, reference: str = "citizen-1") -> Recipient:
    return Recipient(reference=reference, phone=phone)


def test_sms_is_sent_with_the_right_fields(fake_twilio, sms_channel):
    receipt = sms_channel.send(create_sms(), create_recipient(), idempotency_key="d-1")

    [message] = fake_twilio.messages
    assert receipt.provider_ref == message["sid"]
    assert message["sid"].startswith("SM") and len(message["sid"]) == 34
    assert receipt.status == "queued" and receipt.cost is None
    assert (message["to"], message["from"]) == (CITIZEN, SENDER)
    assert message["body"] == create_sms().text
    assert fake_twilio.count_by_to() == {CITIZEN: 1}


def test_sms_through_a_messaging_service(fake_twilio):
    service = "MG" + "1" * 32
    config = create_twilio_config(fake_twilio, from_number="", messaging_service_sid=service)
    receipt = TwilioSMSChannel(config).send(create_sms(), create_recipient(), idempotency_key="k")

    [message] = fake_twilio.messages
    assert message["messaging_service_sid"] == service and message["from"] is None
    assert receipt.status == "accepted"


def test_status_callback_url_carries_the_idempotency_key(fake_twilio, httpserver):
    httpserver.expect_request("/twilio/status", method="POST").respond_with_data("<Response/>")
    url = httpserver.url_for("/twilio/status")
    config = create_twilio_config(fake_twilio, status_callback_url=url)
    receipt = TwilioSMSChannel(config).send(create_sms(), create_recipient(), idempotency_key="d 7")

    assert fake_twilio.send_status_callback(receipt.provider_ref, "delivered") == 200
    [(request, _)] = httpserver.log
    assert request.args["d"] == "d 7"
    assert request.form["MessageSid"] == receipt.provider_ref
    assert request.form["MessageStatus"] == "delivered"


def test_signed_status_callback_verifies(fake_twilio, httpserver):
    httpserver.expect_request("/twilio/status", method="POST").respond_with_data("<Response/>")
    url = httpserver.url_for("/twilio/status")
    config = create_twilio_config(fake_twilio, status_callback_url=url)
    receipt = TwilioSMSChannel(config).send(create_sms(), create_recipient(), idempotency_key="d-9")

    fake_twilio.send_status_callback(receipt.provider_ref, "undelivered", error_code=30003)

    [(request, _)] = httpserver.log
    params = {k: v[-1] for k, v in parse_qs(request.get_data(as_text=True)).items()}
    assert set(params) >= {"MessageSid", "MessageStatus", "ErrorCode", "To", "From", "AccountSid"}
    assert params["ErrorCode"] == "30003"
    signature = request.headers["X-Twilio-Signature"]
    validator = RequestValidator(fake_twilio.auth_token)
    assert validator.validate(request.url, params, signature)
    assert not RequestValidator("another-token").validate(request.url, params, signature)
    assert not validator.validate(request.url, {**params, "MessageStatus": "delivered"}, signature)


def test_auto_callbacks_send_sent_then_delivered(fake_twilio, httpserver):
    httpserver.expect_request("/cb", method="POST").respond_with_data("<Response/>")
    config = create_twilio_config(fake_twilio, status_callback_url=httpserver.url_for("/cb"))
    fake_twilio.auto_callbacks = True
    try:
        TwilioSMSChannel(config).send(create_sms(), create_recipient(), idempotency_key="a")
        deadline = datetime.now() + timedelta(seconds=5)
        while len(fake_twilio.callback_results) < 2 and datetime.now() < deadline:
            pass
    finally:
        fake_twilio.auto_callbacks = False
    assert [status for _, status, _ in fake_twilio.callback_results] == ["sent", "delivered"]
    assert fake_twilio.messages[0]["status"] == "delivered"


def test_opted_out_number_is_permanent_21610(fake_twilio, sms_channel):
    with pytest.raises(PermanentChannelError) as error:
        sms_channel.send(create_sms(), create_recipient(OPTED_OUT), idempotency_key="k")
    assert error.value.code == 21610 and error.value.status == 400
    assert OPTED_OUT not in str(error.value)
    assert fake_twilio.messages == []


def test_invalid_number_is_permanent_21211_without_leaking_it(fake_twilio, sms_channel):
    with pytest.raises(PermanentChannelError) as error:
        sms_channel.send(create_sms(), create_recipient("0612345678"), idempotency_key="k")
    assert error.value.code == 21211
    assert "0612345678" not in str(error.value)  # Twilio's own message quotes the number


def test_recipient_without_phone_is_permanent(sms_channel):
    with pytest.raises(PermanentChannelError):
        sms_channel.send(create_sms(), create_recipient(""), idempotency_key="k")


@pytest.mark.parametrize("kind, status", [("429", 429), ("500", 500), ("503", 503)])
def test_busy_or_failing_twilio_is_retryable(fake_twilio, sms_channel, kind, status):
    fake_twilio.faults(rate=1.0, kinds=(kind,))
    with pytest.raises(RetryableChannelError) as error:
        sms_channel.send(create_sms(), create_recipient(), idempotency_key="k")
    assert error.value.status == status
    assert fake_twilio.messages == []


@pytest.mark.parametrize("kind", ["timeout", "disconnect"])
def test_no_reply_is_retryable_and_records_nothing(fake_twilio, sms_channel, kind):
    fake_twilio.faults(rate=1.0, kinds=(kind,), delay=1.0)
    with pytest.raises(RetryableChannelError):
        sms_channel.send(create_sms(), create_recipient(), idempotency_key="k")
    assert fake_twilio.messages == []


def test_unreachable_twilio_is_retryable():
    from channels.config import TwilioConfig

    config = TwilioConfig(
        "AC" + "0" * 32, "token", from_number=SENDER, base_url="http://127.0.0.1:9", timeout=0.5
    )
    with pytest.raises(RetryableChannelError) as error:
        TwilioSMSChannel(config).send(create_sms(), create_recipient(), idempotency_key="k")
    assert not isinstance(error.value, UnknownOutcomeError)  # refused: surely not sent


def test_timeout_after_accept_is_unknown_outcome_then_reconciled(fake_twilio, sms_channel):
    """The double-send trap: Twilio took the message but the reply came too late."""
    before = datetime.now(UTC)
    fake_twilio.faults(rate=1.0, kinds=("timeout_after_accept",), delay=1.0)
    with pytest.raises(UnknownOutcomeError):
        sms_channel.send(create_sms(), create_recipient(), idempotency_key="d-42")
    fake_twilio.faults(rate=0)

    assert fake_twilio.count_by_to() == {CITIZEN: 1}
    found = sms_channel.find_sent(CITIZEN, before, "d-42", body=create_sms().text)
    assert found is not None and found.provider_ref == fake_twilio.messages[0]["sid"]


def test_bad_credentials_are_permanent_and_a_config_error(fake_twilio):
    config = create_twilio_config(fake_twilio, auth_token="wrong-token")
    channel = TwilioSMSChannel(config)
    with pytest.raises(TwilioCredentialsError) as error:
        channel.send(create_sms(), create_recipient(), idempotency_key="k")
    assert isinstance(error.value, PermanentChannelError)
    assert isinstance(error.value, ChannelConfigError)
    assert (error.value.status, error.value.code) == (401, 20003)
    assert "wrong-token" not in str(error.value)
    with pytest.raises(ChannelConfigError):
        channel.check()  # what the registry calls at start-up


def test_check_passes_with_good_credentials(sms_channel):
    sms_channel.check()


def test_find_sent_finds_a_sent_message_and_not_a_never_sent_one(fake_twilio, sms_channel):
    since = datetime.now(UTC) - timedelta(seconds=1)
    other = create_sms("Réunion publique jeudi 18h en mairie.")
    receipt = sms_channel.send(create_sms(), create_recipient(), idempotency_key="d-1")
    sms_channel.send(other, create_recipient("+33611111111"), idempotency_key="d-2")
    # Both stay queued, so date_sent is empty: only the newest-page scan can find them.

    found = sms_channel.find_sent(CITIZEN, since, "d-1", body=create_sms().text)
    assert found is not None and found.provider_ref == receipt.provider_ref
    assert sms_channel.find_sent(CITIZEN, since, "d-3", body=other.text) is None
    assert sms_channel.find_sent("+33622222222", since, "d-4", body=create_sms().text) is None
    later = datetime.now(UTC) + timedelta(hours=1)
    assert sms_channel.find_sent(CITIZEN, later, "d-1", body=create_sms().text) is None


def test_find_sent_uses_the_date_sent_filter_for_sent_messages(fake_twilio, sms_channel):
    since = datetime.now(UTC) - timedelta(seconds=1)
    for n in range(60):  # more than the newest page holds: only DateSent> can find the first
        sms_channel.send(create_sms(f"message {n}"), create_recipient(), idempotency_key=f"d{n}")
    first = fake_twilio.messages[0]
    fake_twilio.set_status(first["sid"], "sent")  # as Twilio does once the carrier took it

    found = sms_channel.find_sent(CITIZEN, since, "d0", body="message 0")
    assert found is not None and found.provider_ref == first["sid"]


def test_list_endpoint_pages_like_twilio(fake_twilio, sms_channel):
    for n in range(5):
        sms_channel.send(create_sms(f"m{n}"), create_recipient(), idempotency_key=f"k{n}")
    sms_channel.send(create_sms("other"), create_recipient("+33611111111"), idempotency_key="o")

    page = sms_channel.client.messages.page(to=CITIZEN, page_size=2)
    assert [m.body for m in page] == ["m4", "m3"]
    assert page.next_page_url is not None
    listed = sms_channel.client.messages.list(to=CITIZEN, page_size=2)
    assert [m.body for m in listed] == ["m4", "m3", "m2", "m1", "m0"]
    assert sms_channel.client.messages(listed[0].sid).fetch().body == "m4"


def test_one_client_and_one_session_per_channel(sms_channel):
    first = sms_channel.client
    sms_channel.send(create_sms(), create_recipient(), idempotency_key="a")
    sms_channel.send(create_sms(), create_recipient(), idempotency_key="b")
    assert sms_channel.client is first
    assert first.http_client.pool is not None and first.http_client.timeout == 0.5


def test_fake_runs_as_a_process_with_a_control_api(tmp_path):
    """CI and benchmarks start the fake alone and inspect it over HTTP."""
    import json
    import socket
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path

    from channels.config import TwilioConfig

    with socket.socket() as probe:  # a free port for the child
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sid, token = "AC" + "b" * 32, "process-token"
    command = [sys.executable, "-m", "tests.fakes.twilio", "--port", str(port)]
    command += ["--account-sid", sid, "--auth-token", token, "--opted-out", OPTED_OUT]
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("ready http://127.0.0.1:")
        base = f"http://127.0.0.1:{port}"
        config = TwilioConfig(sid, token, from_number=SENDER, base_url=base, timeout=2)
        TwilioSMSChannel(config).send(create_sms(), create_recipient(), idempotency_key="p-1")

        def control(method: str, path: str, data: dict | None = None):
            body = json.dumps(data).encode() if data is not None else None
            request = urllib.request.Request(base + path, data=body, method=method)
            with urllib.request.urlopen(request, timeout=2) as reply:
                return json.loads(reply.read())

        assert control("GET", "/_fake/count_by_to") == {CITIZEN: 1}
        assert control("GET", "/_fake/messages")[0]["body"] == create_sms().text
        control("POST", "/_fake/faults", {"rate": 1.0, "kinds": ["429"], "seed": 3})
        with pytest.raises(RetryableChannelError):
            TwilioSMSChannel(config).send(create_sms(), create_recipient(), idempotency_key="p-2")
        control("POST", "/_fake/reset", {})
        assert control("GET", "/_fake/messages") == []
    finally:
        process.terminate()
        process.wait(timeout=5)
