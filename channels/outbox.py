"""The outbox: the default channel wherever no provider is configured.

Each rendition becomes one file in a folder, named after the delivery's idempotency key, so a
retry overwrites the same file instead of adding a second one. A small JSON sidecar says what
the file is (form, locale, recipient reference) — never a phone number or an address.

One subclass per family (`OutboxSMSChannel` … `OutboxPrintChannel`) rather than one class
with a `family` argument: like every other channel, name, family and accepted forms are class
attributes, which previews, registries and the contract test read without an instance.
`outbox_channel(folder, family)` builds the right one. Give each family its own folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from channels.base import Channel, Receipt, Recipient
from renderers.message import Rendition
from renderers.messaging.email import fill_unsubscribe

EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "text/plain": ".txt",
    "application/json": ".json",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_LONG_DIGITS = re.compile(r"\d{8,}")  # anything that could be a phone number


class OutboxChannel(Channel):
    """Writes renditions to `folder`; the receipt's provider_ref is the file name."""

    family: ClassVar[str] = ""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt:
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = file_stem(idempotency_key, recipient)
        name = stem + extension(rendition)
        body = rendition.body if isinstance(rendition.body, bytes) else rendition.body.encode()
        _write_atomically(self.folder / name, body)
        sidecar = {
            "channel": self.name,
            "form": rendition.form,
            "locale": rendition.locale,
            "media_type": rendition.media_type,
            "recipient": recipient.reference,
            "file": name,
        }
        _write_atomically(self.folder / f"{stem}.meta.json", json.dumps(sidecar).encode())
        # Nothing went to a provider: it cost nothing, and the receipt says so.
        return Receipt(provider_ref=name, status="delivered", cost=Decimal(0))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} folder={str(self.folder)!r}>"


class OutboxSMSChannel(OutboxChannel):
    name: ClassVar[str] = "outbox_sms"
    family: ClassVar[str] = "sms"
    forms: ClassVar[tuple[str, ...]] = ("sms",)


class OutboxVoiceChannel(OutboxChannel):
    name: ClassVar[str] = "outbox_voice"
    family: ClassVar[str] = "voice"
    forms: ClassVar[tuple[str, ...]] = ("voice",)


class OutboxSocialChannel(OutboxChannel):
    name: ClassVar[str] = "outbox_social"
    family: ClassVar[str] = "social"
    forms: ClassVar[tuple[str, ...]] = ("social", "mastodon", "bluesky", "x")


class OutboxPrintChannel(OutboxChannel):
    name: ClassVar[str] = "outbox_print"
    family: ClassVar[str] = "print"
    forms: ClassVar[tuple[str, ...]] = ("print", "notice", "letter", "large_print", "digest")


class OutboxWhatsAppChannel(OutboxChannel):
    name: ClassVar[str] = "outbox_whatsapp"
    family: ClassVar[str] = "messaging"
    forms: ClassVar[tuple[str, ...]] = ("whatsapp_text", "whatsapp_template")


class OutboxEmailChannel(OutboxChannel):
    """The plain-text part, with the citizen's unsubscribe link filled in (as the email
    channel does), so the file reads as the citizen would."""

    name: ClassVar[str] = "outbox_email"
    family: ClassVar[str] = "email"
    forms: ClassVar[tuple[str, ...]] = ("email",)

    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt:
        url = str(rendition.meta.get("unsubscribe_url") or "")
        if url:
            text, _ = fill_unsubscribe(rendition, url)
            rendition = replace(rendition, body=text)
        return super().try_send(rendition, recipient, idempotency_key=idempotency_key)


OUTBOX_CHANNELS: dict[str, type[OutboxChannel]] = {
    cls.family: cls
    for cls in (
        OutboxSMSChannel,
        OutboxVoiceChannel,
        OutboxSocialChannel,
        OutboxPrintChannel,
        OutboxWhatsAppChannel,
        OutboxEmailChannel,
    )
}


def outbox_channel(folder: Path | str, family: str) -> OutboxChannel:
    """The outbox for one family (`sms`, `voice`, `social`, `print`, `messaging`, `email`)."""
    try:
        return OUTBOX_CHANNELS[family](folder)
    except KeyError:
        raise ValueError(f"no outbox for family {family!r}") from None


def file_stem(idempotency_key: str, recipient: Recipient) -> str:
    """The key made safe for a file name; hashed when it could reveal a phone number."""
    digits = re.sub(r"\D", "", recipient.phone)
    safe = _UNSAFE.sub("_", idempotency_key).replace("..", "_").strip("._")[:120]
    if not safe or _LONG_DIGITS.search(safe) or (digits and digits[-8:] in idempotency_key):
        return "k" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    if safe != idempotency_key:  # two keys sanitised alike must still get two files
        safe += "-" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:8]
    return safe


def extension(rendition: Rendition) -> str:
    known = EXTENSIONS.get(rendition.media_type.split(";")[0].strip())
    if known:
        return known
    return ".bin" if isinstance(rendition.body, bytes) else ".txt"


def _write_atomically(path: Path, data: bytes) -> None:
    # A crash mid-write must leave the old file or the new one, never half of one.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
