"""Messaging apps and email: Telegram channel posts, WhatsApp texts and templates, email."""

from renderers.messaging.email import (
    UNSUBSCRIBE_PLACEHOLDER,
    fill_unsubscribe,
    render_email,
)
from renderers.messaging.telegram import render_telegram
from renderers.messaging.whatsapp import (
    WhatsAppTemplate,
    pick_template,
    render_whatsapp_template,
    render_whatsapp_text,
)

__all__ = [
    "UNSUBSCRIBE_PLACEHOLDER",
    "WhatsAppTemplate",
    "fill_unsubscribe",
    "pick_template",
    "render_email",
    "render_telegram",
    "render_whatsapp_template",
    "render_whatsapp_text",
]
