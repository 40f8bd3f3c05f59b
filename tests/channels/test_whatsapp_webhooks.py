"""WhatsApp webhooks: the signature on the raw body, the handshake, the payloads read into
plain values, and the whole loop with the fake POSTing signed statuses to a receiver."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from channels.base import Recipient
from channels.whatsapp import (
    OutsideWindowError,
    WebhookPayloadError,
    WhatsAppChannel,
    WhatsAppConfig,
    handshake,
    moves_forward,
    parse_webhook,
    signature,
    verify_signature,
)
from renderers.messaging import render_whatsapp_text
from tests.fakes.whatsapp import FakeWhatsApp
from tests.renderers.messaging.factories import create_message

SECRET = "0123456789abcdef0123456789abcdef"
PHONE = "+33612345678"


def test_the_signature_is_checked_on_the_raw_bytes_in_constant_time():
    raw = b'{"object":"whatsapp_business_account","entry":[]}'
    header = signature(raw, SECRET)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify_signature(raw, header, SECRET)
    assert not verify_signature(raw + b" ", header, SECRET)  # one byte more
    assert not verify_signature(json.dumps(json.loads(raw)).encode(), header, SECRET)
    assert not verify_signature(raw, header, "another-secret")
    assert not verify_signature(raw, header.removeprefix("sha256="), SECRET)
    assert not verify_signature(raw, None, SECRET) and not verify_signature(raw, header, "")


def test_the_handshake_echoes_the_challenge_only_for_our_token():
    params = {"hub.mode": "subscribe", "hub.verify_token": "t" * 20, "hub.challenge": "1158201444"}
    assert handshake(params, "t" * 20) == "1158201444"
    assert handshake(params, "u" * 20) is None
    assert handshake({**params, "hub.mode": "unsubscribe"}, "t" * 20) is None
    assert handshake(params, "") is None


def test_statuses_messages_and_template_changes_are_read_into_plain_values():
    fake = FakeWhatsApp()
    message = {"id": "wamid.A1", "to": PHONE, "callback_data": "crieur-delivery-3"}
    status = parse_webhook(fake.status_payload(message, "failed", 131047)).statuses[0]
    assert (status.message_id, status.status, status.callback_data) == (
        "wamid.A1",
        "failed",
        "crieur-delivery-3",
    )
    assert status.recipient == PHONE and PHONE not in repr(status)
    assert status.phone_number_id == fake.phone_number_id
    assert isinstance(status.error(), OutsideWindowError)
    inbound = parse_webhook(fake.inbound_payload(PHONE, "STOP")).messages[0]
    assert (inbound.kind, inbound.text, inbound.sender) == ("text", "STOP", PHONE)
    assert PHONE not in repr(inbound) and "33612345678" not in repr(inbound)
    button = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "metadata": {"phone_number_id": "1"},
                            "messages": [
                                {
                                    "from": "33612345678",
                                    "id": "wamid.B",
                                    "timestamp": "1767225600",
                                    "type": "interactive",
                                    "context": {"id": "wamid.A1"},
                                    "interactive": {
                                        "type": "button_reply",
                                        "button_reply": {"id": "1", "title": "Oui"},
                                    },
                                }
                            ],
                        },
                    }
                ]
            }
        ],
    }
    reply = parse_webhook(button).messages[0]
    assert (reply.text, reply.context_id, reply.timestamp.year) == ("Oui", "wamid.A1", 2026)
    template = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "changes": [
                    {
                        "field": "message_template_status_update",
                        "value": {
                            "event": "PAUSED",
                            "message_template_name": "crieur_annonce",
                            "message_template_language": "fr",
                            "reason": "LOW_QUALITY",
                        },
                    }
                ]
            }
        ],
    }
    (update,) = parse_webhook(template).templates
    assert (update.name, update.language, update.event) == ("crieur_annonce", "fr", "PAUSED")


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        {"object": "page", "entry": []},
        {
            "object": "whatsapp_business_account",
            "entry": [{"changes": [{"field": "messages", "value": {"statuses": [{"id": "w"}]}}]}],
        },
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "statuses": [{"id": "w", "status": "sent", "timestamp": "soon"}]
                            },
                        }
                    ]
                }
            ],
        },
    ],
    ids=["null", "list", "other-object", "no-status", "bad-timestamp"],
)
def test_a_malformed_payload_is_a_typed_error(payload):
    with pytest.raises(WebhookPayloadError):
        parse_webhook(payload)


@pytest.mark.parametrize(
    "current, new, forward",
    [
        ("sent", "delivered", True),
        ("delivered", "read", True),
        ("read", "delivered", False),
        ("delivered", "sent", False),
        ("sent", "failed", True),
        ("delivered", "failed", False),
        ("read", "read", False),
    ],
)
def test_statuses_only_move_forward(current, new, forward):
    assert moves_forward(current, new) is forward


class Receiver:
    """A stand-in for the gateway's `/hooks/whatsapp`: 403 unless the signature holds."""

    def __init__(self, app_secret: str) -> None:
        self.accepted: list[dict] = []
        self.refused = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                if verify_signature(raw, self.headers.get("X-Hub-Signature-256"), app_secret):
                    receiver.accepted.append(json.loads(raw))
                    self.send_response(200)
                else:
                    receiver.refused += 1
                    self.send_response(403)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/whatsapp"

    def statuses(self, count: int, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [s for p in self.accepted for s in parse_webhook(p).statuses]
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{len(found)} statuses, {count} expected")


def test_signed_statuses_come_back_with_the_delivery_key_and_unsigned_ones_are_refused():
    with FakeWhatsApp(auto_statuses=True) as fake:
        receiver = Receiver(fake.app_secret)
        fake.webhook_url = receiver.url
        channel = WhatsAppChannel(WhatsAppConfig(**fake.settings()))
        fake.open_window(PHONE)
        rendition = render_whatsapp_text(create_message())
        inside = channel.send(rendition, Recipient("a", phone=PHONE), idempotency_key="key-in")
        outside = Recipient("b", phone="+33698765432")  # never wrote: the window is closed
        late = channel.send(rendition, outside, idempotency_key="key-out")
        statuses = receiver.statuses(3)
        by_message = {(s.message_id, s.status): s for s in statuses}
        assert by_message[(inside.provider_ref, "sent")].callback_data == "key-in"
        assert (inside.provider_ref, "delivered") in by_message
        failed = by_message[(late.provider_ref, "failed")]
        assert failed.callback_data == "key-out" and isinstance(failed.error(), OutsideWindowError)
        payload = fake.status_payload(fake.messages[0], "read")
        assert fake.post_webhook(payload, signed=False) == 403
        assert receiver.refused == 1 and len(receiver.accepted) == 3
        receiver.server.shutdown()
