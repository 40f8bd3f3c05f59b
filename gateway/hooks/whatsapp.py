"""The WhatsApp Cloud API webhook, `/hooks/whatsapp` (the callback URL set at Meta).

- `GET`: the subscription handshake; `hub.challenge` is echoed when `hub.verify_token` is the
  verify token of one of the WhatsApp accounts, else 403.
- `POST`: trusted only when `X-Hub-Signature-256` is the HMAC of the raw body with the app
  secret of the account the body names (its phone number id, or WABA id for template
  changes); otherwise 403 and nothing changes. A trusted body is stored and answered 200 at
  once (Meta retries slow or failed answers, and may disable a webhook that keeps failing);
  the `callbacks` queue applies it (`gateway.messaging.tasks.whatsapp_webhook`).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gateway.audience.text import readable
from gateway.messaging import whatsapp
from gateway.messaging.tasks import whatsapp_webhook
from gateway.models import WebhookEvent

logger = logging.getLogger(__name__)


def _clean(value: Any) -> Any:
    """Every string without control characters (PostgreSQL refuses a NUL, even in JSON)."""
    if isinstance(value, str):
        return readable(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {readable(str(k)): _clean(v) for k, v in value.items()}
    return value


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        answer = whatsapp.challenge({k: readable(v) for k, v in request.GET.items()})
        if answer is None:
            logger.warning("whatsapp webhook handshake refused")
            return HttpResponseForbidden()
        return HttpResponse(answer, content_type="text/plain")
    raw = request.body
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        payload = None
    account = whatsapp.signed_by(raw, request.headers.get("X-Hub-Signature-256"), payload)
    if account is None:
        logger.warning("whatsapp webhook refused: bad or missing signature")
        return HttpResponseForbidden()
    event = WebhookEvent.objects.create(
        provider="whatsapp", account=account, payload=_clean(payload)
    )
    whatsapp_webhook.apply_async((event.pk,), queue="callbacks")
    return HttpResponse(status=200)
