"""The tracking webhook of an email account that sends through an ESP:
`/hooks/email/<account id>/<esp>/tracking/`, the URL set in the ESP's webhook settings.

Checked as django-anymail checks that ESP's webhook: HTTP basic auth with the account's
`webhook_secret` and, for ESPs that sign (Mailgun, Mandrill, Postal, MailerSend, Resend), the
signature with its `webhook_signing_key`. Anything else is 403 and changes nothing. Hard
bounces suspend the address, complaints withdraw the email consent
(`gateway.messaging.feedback`), once per delivery and kind.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gateway.accounts.models import ProviderAccount
from gateway.accounts.services import config_of

logger = logging.getLogger(__name__)


def _config(account_id: int, esp: str):
    account = ProviderAccount.objects.current().filter(pk=account_id, kind="email").first()
    if account is None or not account.enabled:
        return None, None
    try:
        config = config_of(account)
    except Exception:  # secrets that cannot be read authenticate nothing
        return account, None
    return account, (config if config.esp and config.esp == esp else None)


@csrf_exempt
@require_http_methods(["POST", "HEAD"])
def tracking(request: HttpRequest, account_id: int, esp: str) -> HttpResponse:
    from anymail.exceptions import AnymailError, AnymailWebhookValidationFailure

    from gateway.messaging.esp import apply_events, tracking_view

    account, config = _config(account_id, esp)
    if config is None:
        logger.warning("email tracking webhook refused: no %s account %s", esp[:20], account_id)
        return HttpResponseForbidden()
    if request.method == "HEAD":  # some ESPs check the URL answers when it is saved
        return HttpResponse()
    view = tracking_view(config)
    try:
        view.run_validators(request)
    except AnymailWebhookValidationFailure:
        logger.warning("email tracking webhook refused: bad auth or signature (%s)", esp)
        return HttpResponseForbidden()
    try:
        events = view.parse_events(request)
    except (AnymailError, KeyError, ValueError, TypeError, AttributeError, IndexError):
        logger.warning("email tracking webhook: unreadable %s events", esp)
        return HttpResponseBadRequest("unreadable events")
    done = apply_events(account, events)
    logger.info("email tracking webhook: %s events, %s", len(events), done)
    return HttpResponse()
