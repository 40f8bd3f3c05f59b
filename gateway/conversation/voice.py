"""Answering a poll on the phone: in the announcement's call (its keypad menu), or by calling
the organisation's voice number (the notice prints it). One digit is the answer; `*` says the
question again; 0 still stops calls (the delivery's menu handles it)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from gateway.audience.text import readable
from gateway.conversation import polls
from gateway.conversation.polls import Outcome
from gateway.conversation.voters import voter_of_phone
from gateway.hooks.twilio import organisation_texted, signed_by_twilio, twiml
from gateway.mapping import to_message
from gateway.models import Channel, Delivery, Organisation
from gateway.models.citizen import normalise_phone
from renderers.voice import (
    PollOutcome,
    VoiceConfig,
    render_no_poll,
    render_poll_call,
    render_poll_response,
)

SAID = {
    Outcome.COUNTED: PollOutcome.COUNTED,
    Outcome.CHANGED: PollOutcome.COUNTED,
    Outcome.REPLAY: PollOutcome.COUNTED,
    Outcome.ALREADY: PollOutcome.ALREADY,
    Outcome.CLOSED: PollOutcome.CLOSED,
    Outcome.NOT_OPEN: PollOutcome.CLOSED,
}


def _digit(digits: str, count: int) -> int | None:
    digits = (digits or "").strip()
    return int(digits) if digits.isdigit() and 1 <= int(digits) <= count else None


def delivery_menu(delivery: Delivery, digits: str, call_sid: str) -> str | None:
    """A key pressed in the call of `delivery`: the TwiML when it answers the announcement's
    open poll, else None (the call's own menu handles it: 0 stops calls, `*` asks again)."""
    message = to_message(delivery.announcement, delivery.locale)
    poll = polls.poll_of(delivery.announcement)
    if message.poll is None or poll is None or delivery.citizen is None:
        return None
    choice = _digit(digits, len(message.poll.answers))
    if choice is None:
        return None
    outcome = polls.record(
        poll,
        voter_of_phone(delivery.citizen.phone),
        choice,
        channel=Channel.VOICE,
        locale=message.locale,
        citizen=delivery.citizen,
        provider_ref=call_sid,
    )
    said = SAID.get(outcome, PollOutcome.COUNTED)
    return render_poll_response(said, choice, message, VoiceConfig())


def _called(request: HttpRequest) -> Organisation | None:
    """The organisation whose voice number (or Twilio account's number) was called."""
    called = readable(request.POST.get("To", ""))
    found = Organisation.objects.filter(voice_sender=called).first() if called else None
    return found or organisation_texted(called)


def _called_organisation(request: HttpRequest, *args, **kwargs) -> int | None:
    """Whose Twilio token signs this call's webhooks."""
    found = _called(request)
    return found.pk if found is not None else None


def _caller(request: HttpRequest) -> tuple[Organisation | None, str]:
    try:
        phone = normalise_phone(readable(request.POST.get("From", "")))
    except ValidationError:
        phone = ""
    return _called(request), phone


def _config(poll_id: int) -> VoiceConfig:
    action = reverse("conversation_hooks:poll_keypad", args=[poll_id])
    return VoiceConfig(gather_action_url=settings.PUBLIC_URL + action)


@signed_by_twilio(_called_organisation)
def incoming_call(request: HttpRequest) -> HttpResponse:
    """A citizen calls the voice number: the question of the open poll they may answer."""
    organisation, phone = _caller(request)
    if organisation is None:
        return twiml()
    voter = polls.poll_for_phone(organisation, phone) if phone else None
    if voter is None:
        return twiml(render_no_poll(organisation.default_locale or "fr"))
    message = to_message(voter.poll.announcement, voter.locale)
    return twiml(render_poll_call(message, _config(voter.poll.pk)))


@signed_by_twilio(_called_organisation)
def poll_keypad(request: HttpRequest, poll_id: int) -> HttpResponse:
    """The digit pressed in a call-in: counted once per phone (and per call, whatever the
    replays); `*` or an unknown key says the question again."""
    organisation, phone = _caller(request)
    voter = polls.poll_for_phone(organisation, phone) if organisation and phone else None
    if voter is None or voter.poll.pk != poll_id:
        return twiml(render_no_poll(organisation.default_locale if organisation else "fr"))
    message = to_message(voter.poll.announcement, voter.locale)
    choice = _digit(request.POST.get("Digits", ""), len(message.poll.answers))
    if choice is None:
        return twiml(render_poll_call(message, _config(poll_id)))
    outcome = polls.record(
        voter.poll,
        voter_of_phone(phone),
        choice,
        channel=Channel.VOICE,
        locale=voter.locale,
        citizen=voter.citizen,
        provider_ref=request.POST.get("CallSid", ""),
    )
    return twiml(render_poll_response(SAID.get(outcome, PollOutcome.COUNTED), choice, message))
