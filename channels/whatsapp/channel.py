"""WhatsApp Business Platform, Cloud API: send a text (inside the 24-hour window) or an
approved template (outside it) to one citizen, over plain httpx.

The caller says which by the rendition's form (`whatsapp_text` or `whatsapp_template`):
whether a citizen's window is open is known from the inbound messages the gateway keeps.

The Cloud API has no idempotency key. Each send carries the delivery's key in
`biz_opaque_callback_data`, which Meta echoes in every status webhook of that message: after
a lost reply (`UnknownOutcomeError`) the gateway waits for a status bearing the key before
it resends, instead of sending blind.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from channels.base import Channel, Receipt, Recipient
from channels.config import INTERNAL, SECRET, mask
from channels.errors import (
    ChannelConfigError,
    ChannelError,
    PermanentChannelError,
    RetryableChannelError,
    UnknownOutcomeError,
)
from channels.jsonhttp import json_object, never_sent
from channels.whatsapp.errors import error_for_code
from renderers.message import Rendition

_ID = re.compile(r"^\d{5,20}$")
_VERSION = re.compile(r"^v\d{1,3}\.\d$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
POOL_SIZE = 32  # the delivery engine sends from 8 threads; room for checks beside them


@dataclass(frozen=True, repr=False)
class WhatsAppConfig:
    """One WhatsApp business number: its Cloud API ids, a system-user access token, the app
    secret that signs webhooks, and the verify token the webhook handshake echoes."""

    phone_number_id: str
    waba_id: str
    access_token: str = field(metadata=SECRET)
    app_secret: str = field(metadata=SECRET)
    verify_token: str = field(metadata=SECRET)
    api_version: str = "v21.0"
    base_url: str = "https://graph.facebook.com"
    timeout: float = field(default=10.0, metadata=INTERNAL)

    def __post_init__(self) -> None:
        for name in ("phone_number_id", "waba_id"):
            if not _ID.match(getattr(self, name)):
                raise ChannelConfigError(f"whatsapp: {name} must be the numeric id Meta shows")
        for name in ("access_token", "app_secret", "verify_token"):
            if not getattr(self, name):
                raise ChannelConfigError(f"whatsapp: {name} is empty")
        if len(self.verify_token) < 16:
            raise ChannelConfigError("whatsapp: verify_token must have at least 16 characters")
        if not _VERSION.match(self.api_version):
            raise ChannelConfigError("whatsapp: api_version looks like v21.0")
        if not self.base_url.startswith(("http://", "https://")):
            raise ChannelConfigError("whatsapp: base_url must start with http:// or https://")
        if not self.timeout > 0:
            raise ChannelConfigError("whatsapp: timeout must be positive")

    def __repr__(self) -> str:
        return (
            f"WhatsAppConfig(phone_number_id={self.phone_number_id!r}, "
            f"waba_id={self.waba_id!r}, access_token={mask(self.access_token)!r}, "
            f"app_secret='***', base_url={self.base_url!r})"
        )


@dataclass(frozen=True)
class RemoteTemplate:
    """A template as Meta lists it for the account (`check()` and the gateway's sync)."""

    name: str
    language: str
    status: str  # APPROVED, PENDING, REJECTED, PAUSED, DISABLED
    category: str
    body: str = ""


class WhatsAppChannel(Channel):
    name: ClassVar[str] = "whatsapp"
    family: ClassVar[str] = "messaging"
    forms: ClassVar[tuple[str, ...]] = ("whatsapp_text", "whatsapp_template")
    body_maxlen: ClassVar[int | None] = 4096
    request_rate_per_sec: ClassVar[float | None] = 80.0  # per number by default (130429 above)

    def __init__(self, config: WhatsAppConfig) -> None:
        self.config = config
        self._client: tuple[int, httpx.Client] | None = None
        self._lock = threading.Lock()

    @property
    def account_key(self) -> str:
        return f"whatsapp:{self.config.phone_number_id}"

    @property
    def http(self) -> httpx.Client:
        """One pooled client per process: a kept-alive socket must not cross a fork."""
        with self._lock:
            if self._client is None or self._client[0] != os.getpid():
                limits = httpx.Limits(
                    max_connections=POOL_SIZE, max_keepalive_connections=POOL_SIZE
                )
                client = httpx.Client(
                    base_url=f"{self.config.base_url}/{self.config.api_version}",
                    timeout=self.config.timeout,
                    limits=limits,
                    headers={"Authorization": f"Bearer {self.config.access_token}"},
                )
                self._client = (os.getpid(), client)
            return self._client[1]

    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt:
        if not _E164.match(recipient.phone):
            raise PermanentChannelError("whatsapp: the recipient has no phone number in E.164")
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": recipient.phone.removeprefix("+"),
            "biz_opaque_callback_data": idempotency_key[:512],
        }
        if rendition.form == "whatsapp_text":
            payload |= {"type": "text", "text": {"body": rendition.text, "preview_url": True}}
        else:
            payload |= {"type": "template", "template": template_payload(rendition)}
        answer = self._call("POST", f"/{self.config.phone_number_id}/messages", json=payload)
        messages = answer.get("messages") or [{}]
        wamid = str(messages[0].get("id") or "")
        if not wamid:
            raise UnknownOutcomeError("whatsapp: accepted without a message id")
        status = str(messages[0].get("message_status") or "accepted")
        return Receipt(provider_ref=wamid, status="sent", extra={"message_status": status})

    def templates(self) -> list[RemoteTemplate]:
        """Every template of the business account, page after page."""
        found: list[RemoteTemplate] = []
        params = {"fields": "name,language,status,category,components", "limit": "100"}
        while True:
            page = self._call("GET", f"/{self.config.waba_id}/message_templates", params=params)
            for item in page.get("data") or []:
                body = next(
                    (
                        c.get("text", "")
                        for c in item.get("components") or []
                        if c.get("type") == "BODY"
                    ),
                    "",
                )
                found.append(
                    RemoteTemplate(
                        name=str(item.get("name", "")),
                        language=str(item.get("language", "")),
                        status=str(item.get("status", "")),
                        category=str(item.get("category", "")),
                        body=str(body),
                    )
                )
            after = ((page.get("paging") or {}).get("cursors") or {}).get("after")
            if not after or not (page.get("paging") or {}).get("next"):
                return found
            params = {**params, "after": str(after)}

    def check(self, to: str = "") -> str:
        """The number's name and quality, and every template with its status (no message is
        sent: `to` is not used)."""
        number = self._call(
            "GET",
            f"/{self.config.phone_number_id}",
            params={"fields": "verified_name,quality_rating"},
        )
        templates = self.templates()
        listed = ", ".join(f"{t.name} ({t.language}) {t.status} {t.category}" for t in templates)
        name = number.get("verified_name") or self.config.phone_number_id
        quality = number.get("quality_rating") or "unknown"
        count = f"{len(templates)} template{'s' if len(templates) != 1 else ''}"
        return f"whatsapp: {name} (quality {quality}); {count}" + (f": {listed}" if listed else "")

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise _transport_error(exc, creates=method == "POST") from None
        data = json_object(response)
        if response.is_success:
            return data
        error = data.get("error") or {}
        code = error.get("code")
        raise error_for_code(code if isinstance(code, int) else None, status=response.status_code)

    def __repr__(self) -> str:
        return f"<WhatsAppChannel {self.config!r}>"


def template_payload(rendition: Rendition) -> dict[str, Any]:
    """The `template` object of a send from a `whatsapp_template` rendition's meta."""
    meta = rendition.meta
    named = bool(meta.get("named"))
    parameters = []
    for name, value in meta["parameters"]:
        parameter = {"type": "text", "text": value}
        if named:
            parameter["parameter_name"] = name
        parameters.append(parameter)
    return {
        "name": meta["template"],
        "language": {"code": meta["language"]},
        "components": [{"type": "body", "parameters": parameters}],
    }


def _transport_error(exc: httpx.TransportError, *, creates: bool) -> ChannelError:
    if creates and not never_sent(exc):
        return UnknownOutcomeError(f"whatsapp: no reply ({type(exc).__name__})")
    return RetryableChannelError(f"whatsapp: {type(exc).__name__}")
