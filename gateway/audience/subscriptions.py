"""Subscribing by SMS or WhatsApp: apply a keyword request to the citizens of one phone, answer
in one message.

Every change is a consent change of the channel the text came by, with its evidence (source
`sms` or `whatsapp`, time, the provider's message id).
A STOP puts the phone on the suppression list (a keyed hash, no number), so a later import,
paper form or entry of that phone never texts it again, even after an erasure; START or a
join keyword from the phone takes it off.

Each text is stored once per provider id (a unique constraint): the first request stores it
before acting; a replay (the provider retrying, in parallel or later) finds it and gets the
same answer, changing nothing.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from django.db import IntegrityError, transaction

from gateway.audience import suppression
from gateway.audience.consents import set_consent
from gateway.audience.keywords import Command, Request, Vocabulary, fold, parse
from gateway.audience.text import provider_id, readable
from gateway.models import (
    Channel,
    Citizen,
    Delivery,
    InboundMessage,
    Organisation,
    Topic,
)
from gateway.routing.audience_version import audience_changed
from renderers.i18n import LOCALES_DIR, SOURCE_LOCALE, gettext
from renderers.sms import smart_encode


@lru_cache(maxsize=1)
def available_languages() -> tuple[str, ...]:
    """The languages with a catalog (and the source language)."""
    found = {p.parent.parent.name for p in LOCALES_DIR.glob("*/LC_MESSAGES/crieur.po")}
    return tuple(sorted(found | {SOURCE_LOCALE}))


def vocabulary(organisation: Organisation) -> Vocabulary:
    topics: dict[str, str] = {}
    for topic in Topic.objects.filter(organisation=organisation):
        for word in (topic.slug, topic.name, *(topic.keywords or [])):
            topics.setdefault(fold(str(word)).replace(" ", ""), topic.slug)
    languages: dict[str, str] = {}
    for code in available_languages():
        languages[code] = code
        for shown_in in available_languages():
            languages[fold(Locale.parse(code).get_display_name(shown_in))] = code
    return Vocabulary(topics=topics, languages=languages)


def handle_sms(organisation: Organisation, phone: str, text: str, message_id: str) -> str:
    """Apply the text's request for `phone` and return the reply (one SMS where possible).

    A text already received (same provider id) changes nothing and gets the same reply.
    """
    return handle_text(organisation, phone, text, message_id, Channel.SMS)[0]


def handle_text(
    organisation: Organisation, phone: str, text: str, message_id: str, channel: str
) -> tuple[str, bool]:
    """The same for a text received by `channel` (`sms`, `whatsapp`): its request changes
    that channel's consent. The reply, and whether this text was new (a replay: False)."""
    text, message_id = readable(text), provider_id(message_id)
    replied = stored_reply(message_id, channel)
    if replied is not None:
        return replied, False
    try:
        return _handle(organisation, phone, text, message_id, channel), True
    except IntegrityError:
        replied = stored_reply(message_id, channel)  # a parallel replay stored it first
        if replied is None:
            raise
        return replied, False


def stored_reply(message_id: str, channel: str = Channel.SMS) -> str | None:
    """What was answered to this provider message id (None: never received)."""
    if not message_id:
        return None
    rows = InboundMessage.objects.filter(channel=channel, provider_ref=message_id)
    return rows.values_list("reply", flat=True).first()


def _handle(organisation: Organisation, phone: str, text: str, message_id: str, channel) -> str:
    words = vocabulary(organisation)
    request = parse(text, words)
    evidence = f"{channel} {message_id}: {request.command.value}"
    with transaction.atomic():
        kept = _keep(organisation, phone, text, message_id, request.command, channel)
        citizens = list(
            Citizen.objects.select_for_update()
            .filter(organisation=organisation, phone=phone, erased_at__isnull=True)
            .order_by("pk")
        )
        locale = (
            citizens[0].language
            if citizens
            else request.language or organisation.default_locale or SOURCE_LOCALE
        )
        reply = _apply(organisation, phone, request, citizens, evidence, locale, words, channel)
        if channel == Channel.SMS:
            reply = smart_encode(reply)
        kept.reply = reply
        kept.citizen = kept.citizen or _first_citizen(organisation, phone)
        kept.save(update_fields=["reply", "citizen"])
    return reply


def _first_citizen(organisation, phone: str) -> Citizen | None:
    return (
        Citizen.objects.filter(organisation=organisation, phone=phone, erased_at__isnull=True)
        .order_by("pk")
        .first()
    )


def _keep(
    organisation, phone: str, text: str, message_id: str, command: Command, channel: str
) -> InboundMessage:
    """The text, for the agents, stored first (its provider id is unique: a parallel replay
    fails here, before acting): linked to the citizen (never the phone number) and to the
    last announcement texted to them, which is most likely what they answer."""
    citizen = _first_citizen(organisation, phone)
    last = (
        Delivery.objects.filter(citizen=citizen, channel=channel)
        .order_by("-created_at", "-pk")
        .values_list("announcement_id", flat=True)
        .first()
        if citizen
        else None
    )
    return InboundMessage.objects.create(
        organisation=organisation,
        citizen=citizen,
        announcement_id=last,
        channel=channel,
        body=text[:1600],
        keyword="" if command is Command.UNKNOWN else command.value,
        provider_ref=message_id,
    )


def _stopped(locale: str, channel: str) -> str:
    if channel == Channel.WHATSAPP:
        return gettext(
            locale, "Vous ne recevrez plus nos messages WhatsApp. Envoyez START pour les reprendre."
        )
    return gettext(locale, "Vous ne recevrez plus nos SMS. Envoyez START pour les reprendre.")


def _restarted(locale: str, channel: str) -> str:
    if channel == Channel.WHATSAPP:
        return gettext(
            locale, "Messages WhatsApp réactivés. Envoyez STOP pour arrêter, AIDE pour l'aide."
        )
    return gettext(locale, "SMS réactivés. Envoyez STOP pour arrêter, AIDE pour l'aide.")


def _apply(organisation, phone, request: Request, citizens, evidence, locale, words, channel):
    topics = ", ".join(sorted({k.upper() for k, slug in words.topics.items() if k == slug}))
    if request.command is Command.STOP:
        suppression.suppress(organisation, phone, channel, source=channel)
        for citizen in citizens:
            set_consent(citizen, channel, False, source=channel, evidence=evidence)
        return _stopped(locale, channel)
    if request.command in (Command.START, Command.JOIN) and not request.unknown:
        suppression.lift(organisation, phone, channel)  # the phone asks again itself
    if request.command is Command.START:
        for citizen in citizens or [_new_citizen(organisation, phone, locale, channel)]:
            _subscribe(citizen, evidence, channel)
        return _restarted(locale, channel)
    if request.command is Command.JOIN:
        if request.unknown:
            return gettext(locale, "Sujet inconnu : {words}. Sujets : {topics}.").format(
                words=" ".join(request.unknown).upper(), topics=topics
            )
        for citizen in citizens or [_new_citizen(organisation, phone, locale, channel)]:
            _subscribe(citizen, evidence, channel)
            citizen.topics.add(
                *Topic.objects.filter(organisation=organisation, slug__in=request.topics)
            )
        if request.topics:
            return gettext(locale, "Inscription confirmée : {topics}. STOP pour arrêter.").format(
                topics=", ".join(t.upper() for t in request.topics)
            )
        return gettext(
            locale, "Inscription confirmée : alertes et infos générales. Sujets : {topics}."
        ).format(topics=topics)
    if request.command is Command.LANGUAGE:
        if not request.argument:
            return gettext(locale, "Langue inconnue. Langues : {codes}.").format(
                codes=", ".join(c.upper() for c in available_languages())
            )
        Citizen.objects.filter(pk__in=[c.pk for c in citizens]).update(language=request.argument)
        for organisation_id in {c.organisation_id for c in citizens}:
            audience_changed(organisation_id)
        name = Locale.parse(request.argument).get_display_name(request.argument)
        return gettext(request.argument, "Langue choisie : {name}.").format(name=name)
    if request.command is Command.HELP:
        return gettext(
            locale,
            "{org} : INSCRIPTION + sujet ({topics}), STOP pour arrêter, START pour reprendre, "
            "LANGUE + code ({codes}).",
        ).format(
            org=organisation.sms_signature or organisation.name,
            topics=topics,
            codes=" ".join(c.upper() for c in available_languages()),
        )
    return gettext(locale, "Message non compris. Envoyez AIDE pour l'aide, STOP pour arrêter.")


def _new_citizen(organisation, phone: str, locale: str, channel: str) -> Citizen:
    return Citizen.objects.create(
        organisation=organisation, phone=phone, language=locale, channels=[channel]
    )


def _subscribe(citizen: Citizen, evidence: str, channel: str) -> None:
    set_consent(citizen, channel, True, source=channel, evidence=evidence)
    if channel not in citizen.channels:
        citizen.channels = [*citizen.channels, channel]
        citizen.save(update_fields=["channels"])
