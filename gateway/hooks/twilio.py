"""Twilio webhooks: status callbacks (SMS and calls), the TwiML of a call and its keypad menu,
and the citizens' texts (SMS keywords, answered with a TwiML `<Message>`).

Every request must carry a valid `X-Twilio-Signature` computed on the public URL Twilio called
(`PUBLIC_URL` + path and query), so a proxy in front of the gateway does not break it. Answers
are TwiML; an unknown message or call gets an empty `<Response/>` with 200 so Twilio stops.
Phone numbers are never logged nor audited.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from gateway.audience import suppression
from gateway.audience.text import provider_id, readable
from gateway.mapping import to_message
from gateway.models import (
    AuditEvent,
    Channel,
    Consent,
    ConsentSource,
    Delivery,
    DeliveryStatus,
    Organisation,
)
from gateway.models.citizen import normalise_phone
from gateway.registry import twilio_auth_token
from gateway.routing.audience_version import audience_changed
from gateway.tasks.callbacks import after_status
from renderers.voice import (
    MenuChoice,
    VoiceConfig,
    is_machine,
    menu_choice,
    render_menu_response,
    render_voice,
)

logger = logging.getLogger(__name__)

S = DeliveryStatus
# Twilio's status → ours; statuses not listed (sending, accepted, ringing…) change nothing.
SMS_STATUS = {
    "queued": S.SENT,
    "sent": S.SENT,
    "delivered": S.DELIVERED,
    "undelivered": S.UNDELIVERED,
    "failed": S.FAILED,
}
CALL_STATUS = {
    "completed": S.DELIVERED,
    "busy": S.FAILED,
    "no-answer": S.FAILED,
    "failed": S.FAILED,
    "canceled": S.FAILED,
}


def organisation_texted(number: str) -> Organisation | None:
    """The organisation whose `sms_sender`, or enabled Twilio account's number, was texted (or
    the only one)."""
    if number:
        found = Organisation.objects.filter(sms_sender=number).first() or (
            Organisation.objects.filter(
                accounts__kind="twilio",
                accounts__enabled=True,
                accounts__removed_at__isnull=True,
                accounts__settings__from_number=number,
            ).first()
        )
        if found is not None:
            return found
    return Organisation.objects.first() if Organisation.objects.count() == 1 else None


def twiml(body: str | None = None) -> HttpResponse:
    return HttpResponse(body or str(VoiceResponse()), content_type="text/xml")


def signed_by_twilio(
    organisation_of: Callable[..., int | None],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """POST only, and only with a valid Twilio signature of the public URL (else 405 / 403),
    made with the auth token of the Twilio account that sends for the organisation the request
    is about (`organisation_of(request, *args)`; the instance's account when it has none), so
    one organisation's account can never sign for another's deliveries."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @require_POST
        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            organisation_id = organisation_of(request, *args, **kwargs)
            token = (
                twilio_auth_token(organisation_id)
                if organisation_id is not None
                else settings.TWILIO_AUTH_TOKEN
            )
            return _verified(view, token, request, *args, **kwargs)

        return checked

    return decorate


def _verified(view, token: str, request: HttpRequest, *args, **kwargs) -> HttpResponse:
    signature = request.headers.get("X-Twilio-Signature", "")
    url = settings.PUBLIC_URL + request.get_full_path()
    if not (token and signature and RequestValidator(token).validate(url, request.POST, signature)):
        logger.warning("twilio webhook refused: bad or missing signature on %s", request.path)
        return HttpResponseForbidden()
    return view(request, *args, **kwargs)


def _organisation_of_delivery(pk: object) -> int | None:
    return (
        Delivery.objects.filter(pk=pk)
        .values_list("announcement__organisation_id", flat=True)
        .first()
    )


def _callback_organisation(request: HttpRequest) -> int | None:
    """The organisation of the delivery a status callback names (its key, else its SID)."""
    pk = request.GET.get("d", "").removeprefix("crieur-delivery-")
    found = _organisation_of_delivery(int(pk)) if pk.isdigit() else None
    sid = provider_id(request.POST.get("MessageSid") or request.POST.get("CallSid") or "")
    if found is None and sid:
        found = (
            Delivery.objects.filter(provider_ref=sid)
            .values_list("announcement__organisation_id", flat=True)
            .first()
        )
    return found


def _call_organisation(request: HttpRequest, delivery_id: int) -> int | None:
    return _organisation_of_delivery(delivery_id)


def _texted_organisation(request: HttpRequest) -> int | None:
    found = organisation_texted(readable(request.POST.get("To", "")))
    return found.pk if found is not None else None


@signed_by_twilio(_callback_organisation)
def status(request: HttpRequest) -> HttpResponse:
    """A message's or a call's status callback: move its delivery forward, never back.

    The delivery is found by the key in the callback URL (`?d=crieur-delivery-<id>`), so a
    callback that overtakes the worker's own record (no provider_ref saved yet) still counts;
    without the key, by the provider's SID. A replay, a duplicate or a late, older status
    changes nothing (`DeliveryQuerySet.move` is a compare-and-set on the allowed statuses).
    """
    # Ids that cannot be Twilio's (a NUL, anything else) name no delivery: never a 500.
    if request.POST.get("MessageSid"):
        sid, reported = (
            provider_id(request.POST["MessageSid"]),
            request.POST.get("MessageStatus", ""),
        )
        new = SMS_STATUS.get(reported)
        error = readable(f"twilio {request.POST.get('ErrorCode', '')}").strip()
    else:
        sid, reported = (
            provider_id(request.POST.get("CallSid", "")),
            request.POST.get("CallStatus", ""),
        )
        new = CALL_STATUS.get(reported)
        error = f"twilio call {reported}"
    rows = delivery_of(request.GET.get("d", ""), sid)
    if rows is None:
        logger.info("twilio status %s for an unknown delivery: ignored", reported)
        return twiml()
    if new is None:
        return twiml()
    now = timezone.now()
    saved_ref = Case(When(provider_ref="", then=Value(sid)), default=F("provider_ref"))
    changes: dict = {"provider_ref": saved_ref}
    if new == S.DELIVERED:
        changes["delivered_at"] = now
    elif new in (S.FAILED, S.UNDELIVERED):
        changes["last_error"] = error[:200]
    if new != S.SENT:
        changes["sent_at"] = Coalesce(F("sent_at"), Value(now))
    moved = rows.move(new, **changes)
    logger.info("twilio %s -> %s", reported, new if moved else "unchanged")
    if moved and new != S.SENT:
        pk = rows.values_list("pk", flat=True).first()
        after_status.apply_async((pk,), queue="callbacks")
    return twiml()


def delivery_of(key: str, sid: str):
    """The one delivery a callback is about, as a queryset for a guarded update, or None.

    A key that names a delivery with another provider reference is not trusted (the SID wins).
    """
    pk = key.removeprefix("crieur-delivery-")
    if key.startswith("crieur-delivery-") and pk.isdigit():
        rows = Delivery.objects.filter(pk=int(pk))
        if sid:
            rows = rows.filter(Q(provider_ref="") | Q(provider_ref=sid))
        if rows.exists():
            return rows
    if not sid:
        return None
    rows = Delivery.objects.filter(provider_ref=sid)
    return rows if rows.exists() else None


def voice_delivery(delivery_id: int) -> Delivery:
    try:
        return Delivery.objects.select_related("announcement__organisation").get(
            pk=delivery_id, channel=Channel.VOICE
        )
    except Delivery.DoesNotExist:
        raise Http404("no such voice delivery") from None


def voice_config(delivery: Delivery) -> VoiceConfig:
    menu = reverse("twilio_hooks:voice_menu", args=[delivery.pk])
    return VoiceConfig(gather_action_url=settings.PUBLIC_URL + menu)


@signed_by_twilio(_call_organisation)
def voice(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """The TwiML of the call: once without a menu for an answering machine, else with it."""
    delivery = voice_delivery(delivery_id)
    message = to_message(delivery.announcement, delivery.locale)
    machine = is_machine(request.POST.get("AnsweredBy", ""))
    return twiml(render_voice(message, voice_config(delivery), machine=machine).text)


@signed_by_twilio(_call_organisation)
def voice_menu(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """A key pressed in the menu: 2 confirms receipt, 0 stops voice calls; both recorded once."""
    from gateway.conversation.voice import delivery_menu

    delivery = voice_delivery(delivery_id)
    digits = request.POST.get("Digits", "")
    answered = delivery_menu(delivery, digits, request.POST.get("CallSid", ""))
    if answered is not None:  # a digit answering the announcement's open poll
        return twiml(answered)
    choice = menu_choice(digits)
    with transaction.atomic():
        if choice is MenuChoice.CONFIRM:
            confirm(delivery)
        elif choice is MenuChoice.STOP:
            stop_calls(delivery)
    message = to_message(delivery.announcement, delivery.locale)
    return twiml(render_menu_response(digits, message, voice_config(delivery)))


def confirm(delivery: Delivery) -> None:
    now = timezone.now()
    if Delivery.objects.filter(pk=delivery.pk, confirmed_at__isnull=True).update(
        confirmed_at=now, updated_at=now
    ):
        AuditEvent.record(
            "delivery.confirmed",
            delivery,
            organisation=delivery.announcement.organisation,
            channel=delivery.channel,
            announcement=delivery.announcement_id,
            via="voice menu 2",
        )


def stop_calls(delivery: Delivery) -> None:
    """Withdraw the citizen's voice consent (an opt-out), unless already withdrawn."""
    if delivery.citizen_id is None:
        return
    now = timezone.now()
    withdrawn = {
        "granted": False,
        "source": ConsentSource.VOICE,
        "at": now,
        "evidence": f"voice menu 0, delivery {delivery.pk}",
    }
    consent, created = Consent.objects.get_or_create(
        citizen_id=delivery.citizen_id, channel=Channel.VOICE, defaults=withdrawn
    )
    citizen = delivery.citizen
    suppression.suppress(citizen.organisation, citizen.phone, Channel.VOICE, source="voice")
    if created or Consent.objects.filter(pk=consent.pk, granted=True).update(**withdrawn):
        audience_changed(citizen.organisation_id)
        AuditEvent.record(
            "consent.withdrawn",
            consent,
            organisation=delivery.announcement.organisation,
            channel=Channel.VOICE,
            source=ConsentSource.VOICE,
            delivery=delivery.pk,
        )


@signed_by_twilio(_texted_organisation)
def inbound_sms(request: HttpRequest) -> HttpResponse:
    """A citizen's text (keywords: join, stop, start, help, language): answer in one SMS."""
    from twilio.twiml.messaging_response import MessagingResponse

    from gateway.conversation.inbound import handle_sms

    organisation = organisation_texted(readable(request.POST.get("To", "")))
    try:
        phone = normalise_phone(readable(request.POST.get("From", "")))
    except ValidationError:
        phone = ""
    if organisation is None or not phone:
        logger.info("inbound sms for no known organisation: ignored")
        return HttpResponse(str(MessagingResponse()), content_type="text/xml")
    reply = handle_sms(
        organisation, phone, request.POST.get("Body", ""), request.POST.get("MessageSid", "")
    )
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return HttpResponse(str(response), content_type="text/xml")
