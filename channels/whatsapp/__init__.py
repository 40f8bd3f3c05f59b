"""WhatsApp Business Platform (Cloud API): the channel, its errors by code, its webhooks."""

from channels.whatsapp.channel import (
    RemoteTemplate,
    WhatsAppChannel,
    WhatsAppConfig,
    template_payload,
)
from channels.whatsapp.errors import (
    OutsideWindowError,
    WhatsAppCredentialsError,
    WhatsAppFallbackError,
    WhatsAppRateLimitError,
    error_for_code,
)
from channels.whatsapp.webhooks import (
    InboundMessage,
    StatusUpdate,
    TemplateUpdate,
    WebhookBatch,
    WebhookPayloadError,
    handshake,
    moves_forward,
    parse_webhook,
    signature,
    verify_signature,
)

__all__ = [
    "InboundMessage",
    "OutsideWindowError",
    "RemoteTemplate",
    "StatusUpdate",
    "TemplateUpdate",
    "WebhookBatch",
    "WebhookPayloadError",
    "WhatsAppChannel",
    "WhatsAppConfig",
    "WhatsAppCredentialsError",
    "WhatsAppFallbackError",
    "WhatsAppRateLimitError",
    "error_for_code",
    "handshake",
    "moves_forward",
    "parse_webhook",
    "signature",
    "verify_signature",
    "template_payload",
]
