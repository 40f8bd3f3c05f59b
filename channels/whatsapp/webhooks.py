"""WhatsApp webhooks, pure: the signature, the subscription handshake, and the payload read
into plain values (statuses, inbound messages, template changes) for the gateway to apply.

A `POST` is trusted only when `X-Hub-Signature-256` is the HMAC-SHA256 of the raw body
(the exact bytes received, before any JSON parsing) keyed with the app secret.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from channels.errors import ChannelError
from channels.whatsapp.errors import error_for_code

# Statuses move forward only; `failed` can follow `sent`, never `delivered` or `read`.
STATUS_RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3}


class WebhookPayloadError(ValueError):
    """The body is signed but not shaped like a WhatsApp webhook."""


def signature(raw_body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` value Meta sends for `raw_body`."""
    digest = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether `header` signs `raw_body` with `app_secret` (compared in constant time)."""
    if not header or not app_secret:
        return False
    return hmac.compare_digest(signature(raw_body, app_secret), header.strip())


def handshake(params: Mapping[str, str], verify_token: str) -> str | None:
    """The `hub.challenge` to echo for a valid subscription request, else None (answer 403)."""
    token = params.get("hub.verify_token", "")
    if params.get("hub.mode") != "subscribe" or not verify_token:
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    challenge = params.get("hub.challenge", "")
    return challenge or None


def moves_forward(current: str, new: str) -> bool:
    """Whether a delivery at status `current` may take status `new` (late or replayed
    webhooks never move it back)."""
    if new == "failed":
        return STATUS_RANK.get(current, 99) <= STATUS_RANK["sent"]
    return STATUS_RANK.get(new, -1) > STATUS_RANK.get(current, 99)


@dataclass(frozen=True)
class StatusUpdate:
    """sent, delivered, read or failed, for the message `message_id` (a wamid)."""

    message_id: str
    status: str
    timestamp: datetime
    phone_number_id: str
    callback_data: str = ""  # our idempotency key, echoed from `biz_opaque_callback_data`
    error_codes: tuple[int, ...] = ()
    pricing_category: str = ""
    recipient: str = field(default="", repr=False)  # E.164; never logged

    def error(self) -> ChannelError | None:
        """The channel error of a `failed` status (its first code), else None."""
        if self.status != "failed":
            return None
        return error_for_code(self.error_codes[0] if self.error_codes else None)


@dataclass(frozen=True)
class InboundMessage:
    """A citizen's message: its text feeds the same keywords (STOP, ARRET…) as an SMS."""

    message_id: str
    kind: str  # text, button, interactive, image, …
    text: str
    timestamp: datetime
    phone_number_id: str
    context_id: str = ""  # the wamid it replies to, if any
    sender: str = field(default="", repr=False)  # E.164; never logged


@dataclass(frozen=True)
class TemplateUpdate:
    """`message_template_status_update` or `template_category_update` for one template."""

    name: str
    language: str
    event: str  # APPROVED, REJECTED, PAUSED, DISABLED, … or the new category
    reason: str = ""


@dataclass(frozen=True)
class WebhookBatch:
    statuses: tuple[StatusUpdate, ...] = ()
    messages: tuple[InboundMessage, ...] = ()
    templates: tuple[TemplateUpdate, ...] = ()


def parse_webhook(payload: Any) -> WebhookBatch:
    """Read one webhook body (already JSON-decoded); raise `WebhookPayloadError` if it is
    not a `whatsapp_business_account` notification."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise WebhookPayloadError("not a whatsapp_business_account notification")
    statuses: list[StatusUpdate] = []
    messages: list[InboundMessage] = []
    templates: list[TemplateUpdate] = []
    try:
        for entry in payload.get("entry") or []:
            for change in entry.get("changes") or []:
                value = change.get("value") or {}
                if change.get("field") == "messages":
                    number = str((value.get("metadata") or {}).get("phone_number_id", ""))
                    statuses += [_status(s, number) for s in value.get("statuses") or []]
                    messages += [_message(m, number) for m in value.get("messages") or []]
                elif change.get("field") in (
                    "message_template_status_update",
                    "template_category_update",
                ):
                    templates.append(_template(value))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise WebhookPayloadError(f"malformed webhook ({type(exc).__name__})") from None
    return WebhookBatch(tuple(statuses), tuple(messages), tuple(templates))


def _when(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), tz=UTC)


def _e164(wa_id: Any) -> str:
    return f"+{wa_id}" if wa_id else ""


def _status(item: dict[str, Any], number: str) -> StatusUpdate:
    return StatusUpdate(
        message_id=str(item["id"]),
        status=str(item["status"]),
        timestamp=_when(item["timestamp"]),
        phone_number_id=number,
        callback_data=str(item.get("biz_opaque_callback_data") or ""),
        error_codes=tuple(int(e["code"]) for e in item.get("errors") or [] if "code" in e),
        pricing_category=str((item.get("pricing") or {}).get("category") or ""),
        recipient=_e164(item.get("recipient_id")),
    )


def _message(item: dict[str, Any], number: str) -> InboundMessage:
    kind = str(item.get("type", ""))
    interactive = item.get("interactive") or {}
    reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
    text = {
        "text": (item.get("text") or {}).get("body"),
        "button": (item.get("button") or {}).get("text"),
        "interactive": reply.get("title"),
    }.get(kind)
    return InboundMessage(
        message_id=str(item["id"]),
        kind=kind,
        text=str(text or ""),
        timestamp=_when(item["timestamp"]),
        phone_number_id=number,
        context_id=str((item.get("context") or {}).get("id") or ""),
        sender=_e164(item.get("from")),
    )


def _template(value: dict[str, Any]) -> TemplateUpdate:
    return TemplateUpdate(
        name=str(value.get("message_template_name", "")),
        language=str(value.get("message_template_language", "")),
        event=str(value.get("event") or value.get("new_category") or ""),
        reason=str(value.get("reason") or ""),
    )
