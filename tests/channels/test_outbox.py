"""The outbox channel: one file per idempotency key, never a phone number in a name."""

from __future__ import annotations

import json

import pytest

from channels.base import Recipient
from channels.errors import RetryableChannelError
from channels.outbox import (
    OutboxPrintChannel,
    OutboxSMSChannel,
    OutboxVoiceChannel,
    outbox_channel,
)
from renderers.message import Rendition

PHONE = "+33612345678"


def create_recipient(reference: str = "citizen-1") -> Recipient:
    return Recipient(reference=reference, phone=PHONE, address=("1 rue de la Mairie",))


def create_sms(text: str = "Coupure d'eau demain") -> Rendition:
    return Rendition(form="sms", locale="fr", media_type="text/plain", body=text)


def test_writes_one_text_file_per_key(tmp_path):
    channel = OutboxSMSChannel(tmp_path)
    receipt = channel.send(create_sms(), create_recipient(), idempotency_key="delivery-1")

    assert receipt.status == "delivered" and receipt.provider_ref == "delivery-1.txt"
    assert (tmp_path / "delivery-1.txt").read_text() == "Coupure d'eau demain"
    meta = json.loads((tmp_path / "delivery-1.meta.json").read_text())
    assert meta["recipient"] == "citizen-1" and meta["form"] == "sms"
    assert PHONE not in json.dumps(meta)


def test_retry_overwrites_the_same_file(tmp_path):
    channel = OutboxSMSChannel(tmp_path)
    channel.send(create_sms("first"), create_recipient(), idempotency_key="delivery-1")
    channel.send(create_sms("second"), create_recipient(), idempotency_key="delivery-1")
    channel.send(create_sms("other"), create_recipient("c2"), idempotency_key="delivery-2")

    bodies = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".meta.json"))
    assert bodies == ["delivery-1.txt", "delivery-2.txt"]
    assert (tmp_path / "delivery-1.txt").read_text() == "second"


def test_twiml_is_xml_and_pdf_is_bytes(tmp_path):
    voice = Rendition("voice", "fr", "application/xml", "<Response><Say>Bonjour</Say></Response>")
    letter = Rendition("letter", "fr", "application/pdf", b"%PDF-1.4 fake")
    assert (
        OutboxVoiceChannel(tmp_path)
        .send(voice, create_recipient(), idempotency_key="v")
        .provider_ref
        == "v.xml"
    )
    assert (
        OutboxPrintChannel(tmp_path)
        .send(letter, create_recipient(), idempotency_key="p")
        .provider_ref
        == "p.pdf"
    )
    assert (tmp_path / "p.pdf").read_bytes() == b"%PDF-1.4 fake"


@pytest.mark.parametrize(
    "key",
    [f"delivery:{PHONE}", "sms-33612345678", "d/../../etc/passwd", "a b:c", "12345678901"],
)
def test_file_name_never_holds_a_phone_number_or_a_path(tmp_path, key):
    receipt = OutboxSMSChannel(tmp_path).send(create_sms(), create_recipient(), idempotency_key=key)
    name = receipt.provider_ref
    assert "/" not in name and ".." not in name.removesuffix(".txt")
    assert "612345678" not in name and "12345678" not in name
    assert (tmp_path / name).exists()


def test_keys_that_sanitise_alike_get_two_files(tmp_path):
    channel = OutboxSMSChannel(tmp_path)
    first = channel.send(create_sms(), create_recipient(), idempotency_key="a:b")
    second = channel.send(create_sms(), create_recipient(), idempotency_key="a/b")
    assert first.provider_ref != second.provider_ref


def test_unwritable_folder_is_a_channel_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(RetryableChannelError):
        OutboxSMSChannel(blocker).send(create_sms(), create_recipient(), idempotency_key="k")


def test_factory_by_family(tmp_path):
    assert outbox_channel(tmp_path, "sms").name == "outbox_sms"
    assert outbox_channel(tmp_path, "print").name == "outbox_print"
    with pytest.raises(ValueError):
        outbox_channel(tmp_path, "pigeon")
