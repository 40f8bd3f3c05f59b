"""A citizen's text, in order: STOP (always first) → an answer to an open poll → the other
keywords (OUI/YES are START keywords and common answers, hence after the poll) → a question →
free text. Every free text is classified for moderation; nothing a citizen sends is dropped.

`handle_sms` is the one call the Twilio hook makes; it returns the reply to put in the TwiML
(None: no immediate reply, e.g. a question answered by a task a moment later). WhatsApp texts
take the same road (`handle_text(…, channel="whatsapp")`): keywords change the WhatsApp
consent, answers count in the same polls, questions are answered by WhatsApp."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from gateway.audience.keywords import Command, parse, words
from gateway.audience.subscriptions import handle_text as handle_keyword
from gateway.audience.subscriptions import stored_reply, vocabulary
from gateway.audience.text import provider_id, readable
from gateway.conversation import moderation, polls, questions
from gateway.conversation.models import Verdict
from gateway.conversation.polls import Outcome
from gateway.conversation.voters import sender_of_phone, voter_of_phone
from gateway.models import Channel, Citizen, Delivery, InboundMessage
from inbound.answers import looks_like_question
from renderers.i18n import SOURCE_LOCALE, gettext
from renderers.poll import Poll as PollValue
from renderers.poll import sms_lines
from renderers.sms import smart_encode


def handle_sms(organisation, phone: str, text: str, message_id: str) -> str | None:
    """A text already received (same provider id) changes nothing and gets the same reply,
    even when the replay runs in parallel with the first delivery (the unique provider id)."""
    return handle_text(organisation, phone, text, message_id)[0]


def handle_text(
    organisation, phone: str, text: str, message_id: str, channel: str = Channel.SMS
) -> tuple[str | None, bool]:
    """The same for a text received by `channel` (`sms`, `whatsapp`): the reply, and whether
    the text was new (a replay: False, and nothing to send again)."""
    text, message_id = readable(text), provider_id(message_id)
    replied = stored_reply(message_id, channel)
    if replied is not None:
        return replied or None, False
    try:
        return route(organisation, phone, text, message_id, channel), True
    except IntegrityError:
        replied = stored_reply(message_id, channel)  # a parallel replay stored it first
        if replied is None:
            raise
        return replied or None, False


def route(
    organisation, phone: str, text: str, message_id: str, channel: str = Channel.SMS
) -> str | None:
    request = parse(text, vocabulary(organisation))
    if request.command is Command.STOP:
        return keyword(organisation, phone, text, message_id, channel)
    voter = polls.poll_for_phone(organisation, phone)
    if voter is not None:
        choice = polls.parse_choice(voter.poll, text)
        if choice is not None:
            return poll_answer(organisation, phone, text, message_id, voter, choice, channel)
    if request.command is not Command.UNKNOWN:
        return keyword(organisation, phone, text, message_id, channel)
    if voter is not None and not looks_like_question(text) and len(words(text)) <= 3:
        reply = poll_answer(organisation, phone, text, message_id, voter, None, channel)
        if reply is not None:
            return reply
    return free_text(organisation, phone, text, message_id, channel)


def keyword(organisation, phone: str, text: str, message_id: str, channel: str) -> str:
    """STOP, START, INSCRIPTION…: they change the consent of the channel they came by."""
    return handle_keyword(organisation, phone, text, message_id, channel)[0]


def encoded(text: str, channel: str) -> str:
    """An SMS reply in as few segments as its meaning allows; other channels as written."""
    return smart_encode(text) if channel == Channel.SMS else text


def citizen_of(organisation, phone: str) -> Citizen | None:
    return (
        Citizen.objects.filter(organisation=organisation, phone=phone, erased_at__isnull=True)
        .order_by("pk")
        .first()
    )


def keep(
    organisation,
    citizen,
    text: str,
    message_id: str,
    keyword: str,
    announcement_id=None,
    channel: str = Channel.SMS,
):
    """The message, for the agents: by citizen (never the phone number), linked to the
    announcement it answers or, for free text, the last one sent to the citizen by that
    channel."""
    if announcement_id is None and citizen is not None:
        announcement_id = (
            Delivery.objects.filter(citizen=citizen, channel=channel)
            .order_by("-created_at", "-pk")
            .values_list("announcement_id", flat=True)
            .first()
        )
    return InboundMessage.objects.create(
        organisation=organisation,
        citizen=citizen,
        announcement_id=announcement_id,
        channel=channel,
        body=text[:1600],
        keyword=keyword,
        provider_ref=message_id[:64],
    )


def poll_answer(
    organisation, phone, text, message_id, voter: polls.Voter, choice, channel=Channel.SMS
) -> str | None:
    poll, locale = voter.poll, voter.locale
    with transaction.atomic():
        outcome = polls.record(
            poll,
            voter_of_phone(phone),
            choice,
            channel=channel,
            locale=locale,
            citizen=voter.citizen,
            provider_ref=message_id,
        )
        if outcome is Outcome.IGNORED:
            return None  # help was sent once: this text goes on as free text
        kept = keep(
            organisation, voter.citizen, text, message_id, "poll", poll.announcement_id, channel
        )
        kept.reply = encoded(poll_reply(poll, locale, outcome, choice), channel)
        kept.save(update_fields=["reply"])
    return kept.reply


def poll_reply(poll, locale: str, outcome, choice: int | None) -> str:
    text = polls.text_in(poll, locale)
    locale = text.locale
    if outcome in (Outcome.COUNTED, Outcome.REPLAY) and choice:
        return gettext(locale, "Merci, votre réponse « {answer} » est enregistrée.").format(
            answer=text.answers[choice - 1]
        )
    if outcome is Outcome.CHANGED and choice:
        return gettext(locale, "Réponse changée : « {answer} ». Merci.").format(
            answer=text.answers[choice - 1]
        )
    if outcome is Outcome.ALREADY:
        return gettext(locale, "Vous avez déjà répondu ; votre première réponse est gardée.")
    if outcome is Outcome.CLOSED:
        return gettext(locale, "Cette consultation est close.")
    if outcome is Outcome.NOT_OPEN:
        return gettext(locale, "Cette consultation n’est pas encore ouverte.")
    value = PollValue(text.question, tuple(text.answers))
    return " ".join(sms_lines(value, locale))


def free_text(
    organisation, phone: str, text: str, message_id: str, channel: str = Channel.SMS
) -> str | None:
    """Kept and classified; a question (a question mark, or a first word that asks) goes to the
    answering task; other text gets the short help; spam and blocked senders get no reply (a
    reply costs, and feeds them)."""
    citizen = citizen_of(organisation, phone)
    locale = citizen.language if citizen else organisation.default_locale or SOURCE_LOCALE
    with transaction.atomic():
        inbound = keep(organisation, citizen, text, message_id, "", channel=channel)
        review = moderation.review_message(inbound, sender=sender_of_phone(phone))
        if review.decision == "blocked" or review.verdict == Verdict.SPAM:
            return None
        if not looks_like_question(text):  # "Merci, bien reçu": kept for the agents, no more
            inbound.reply = encoded(
                gettext(
                    locale, "Message non compris. Envoyez AIDE pour l'aide, STOP pour arrêter."
                ),
                channel,
            )
            inbound.save(update_fields=["reply"])
            return inbound.reply
        questions.ask(inbound, locale=locale, reply_to=phone)
    return None
