"""Messaging work on the `callbacks` queue: WhatsApp webhooks (checked and stored by the hook,
applied here) and the replies to citizens' WhatsApp texts."""

from __future__ import annotations

import logging

from django.utils import timezone

from channels.base import Recipient
from channels.errors import ChannelError, RetryableChannelError, UnknownOutcomeError
from gateway.celery import app
from gateway.models import InboundMessage, ProviderAccount, WebhookEvent
from gateway.registry import for_organisation
from renderers.message import Rendition

logger = logging.getLogger(__name__)
REPLY_TRIES = 4


@app.task(name="crieur.whatsapp_webhook")
def whatsapp_webhook(event_id: int) -> dict[str, int]:
    """Apply a stored WhatsApp webhook, then forget it. Safe to run twice: statuses only move
    forward, inbound texts are stored once per wamid."""
    from gateway.messaging import whatsapp

    event = WebhookEvent.objects.filter(pk=event_id).select_related("account").first()
    if event is None or event.account is None:
        return {}
    done = whatsapp.apply(event.account, event.payload)
    WebhookEvent.objects.filter(pk=event_id).delete()
    return done


@app.task(name="crieur.whatsapp_reply", bind=True, max_retries=REPLY_TRIES)
def send_reply(self, account_id: int, message_id: str) -> bool:
    """Answer a citizen's WhatsApp text (inside the window it just opened), once: setting
    `replied_at` is the claim, so a task run again (a worker lost mid-send) sends nothing."""
    inbound = (
        InboundMessage.objects.filter(channel="whatsapp", provider_ref=message_id)
        .select_related("citizen")
        .first()
    )
    account = ProviderAccount.objects.filter(pk=account_id).first()
    if inbound is None or account is None or not inbound.reply or inbound.citizen is None:
        return False
    claimed = InboundMessage.objects.filter(pk=inbound.pk, replied_at__isnull=True).update(
        replied_at=timezone.now()
    )
    if not claimed:
        return False
    citizen = inbound.citizen
    channel = for_organisation(account.organisation_id).target("whatsapp").channel
    try:
        channel.send(
            Rendition("whatsapp_text", citizen.language, "text/plain", inbound.reply),
            Recipient(reference=citizen.reference, phone=citizen.phone, locale=citizen.language),
            idempotency_key=f"crieur-reply-{inbound.pk}",
        )
    except UnknownOutcomeError as exc:  # it may have gone: never send it twice
        logger.info("whatsapp reply to inbound %s: unknown outcome: %s", inbound.pk, exc)
        return False
    except RetryableChannelError as exc:  # not sent: give the claim back, try again later
        InboundMessage.objects.filter(pk=inbound.pk).update(replied_at=None)
        if self.request.retries < REPLY_TRIES:
            raise self.retry(countdown=2 ** (self.request.retries + 1)) from None
        logger.info("whatsapp reply to inbound %s not sent: %s", inbound.pk, exc)
        return False
    except ChannelError as exc:
        logger.info("whatsapp reply to inbound %s not sent: %s", inbound.pk, exc)
        return False
    return True
