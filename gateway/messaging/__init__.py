"""WhatsApp and email as per-citizen channels: templates, unsubscribe links, webhooks, delivery
helpers. The pure layers are `renderers/messaging/`, `channels/whatsapp/`, `channels/email.py`."""
