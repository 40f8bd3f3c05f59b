"""Subscribing by SMS: apply a keyword request to the citizens of one phone, answer in one SMS.

Every change is a consent change with its evidence (source `sms`, time, Twilio message id).
A STOP from an unknown phone is kept as an opted-out citizen (phone only), so a later import
or sign-up of that phone never texts it again.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from django.db import transaction

from gateway.audience.consents import set_consent
from gateway.audience.keywords import Command, Request, Vocabulary, fold, parse
from gateway.models import (
    Channel,
    Citizen,
    ConsentSource,
    Delivery,
    InboundMessage,
    Organisation,
    Topic,
)
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
    """Apply the text's request for `phone` and return the reply (one SMS where possible)."""
    words = vocabulary(organisation)
    request = parse(text, words)
    evidence = f"sms {message_id}: {request.command.value}"
    with transaction.atomic():
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
        reply = _apply(organisation, phone, request, citizens, evidence, locale, words)
        _keep(organisation, phone, text, message_id, request.command)
    return smart_encode(reply)


def _keep(organisation, phone: str, text: str, message_id: str, command: Command) -> None:
    """The reply, for the agents: linked to the citizen (never the phone number) and to the
    last announcement texted to them, which is most likely what they answer."""
    citizen = (
        Citizen.objects.filter(organisation=organisation, phone=phone, erased_at__isnull=True)
        .order_by("pk")
        .first()
    )
    last = (
        Delivery.objects.filter(citizen=citizen, channel=Channel.SMS)
        .order_by("-created_at", "-pk")
        .values_list("announcement_id", flat=True)
        .first()
        if citizen
        else None
    )
    InboundMessage.objects.create(
        organisation=organisation,
        citizen=citizen,
        announcement_id=last,
        channel=Channel.SMS,
        body=text[:1600],
        keyword="" if command is Command.UNKNOWN else command.value,
        provider_ref=message_id[:64],
    )


def _apply(organisation, phone, request: Request, citizens, evidence, locale, words) -> str:
    topics = ", ".join(sorted({k.upper() for k, slug in words.topics.items() if k == slug}))
    if request.command is Command.STOP:
        for citizen in citizens or [_new_citizen(organisation, phone, locale, channels=[])]:
            set_consent(citizen, Channel.SMS, False, source=ConsentSource.SMS, evidence=evidence)
        return gettext(locale, "Vous ne recevrez plus nos SMS. Envoyez START pour les reprendre.")
    if request.command is Command.START:
        for citizen in citizens or [_new_citizen(organisation, phone, locale)]:
            _subscribe(citizen, evidence)
        return gettext(locale, "SMS réactivés. Envoyez STOP pour arrêter, AIDE pour l'aide.")
    if request.command is Command.JOIN:
        if request.unknown:
            return gettext(locale, "Sujet inconnu : {words}. Sujets : {topics}.").format(
                words=" ".join(request.unknown).upper(), topics=topics
            )
        for citizen in citizens or [_new_citizen(organisation, phone, locale)]:
            _subscribe(citizen, evidence)
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


def _new_citizen(organisation, phone: str, locale: str, channels=("sms",)) -> Citizen:
    return Citizen.objects.create(
        organisation=organisation, phone=phone, language=locale, channels=list(channels)
    )


def _subscribe(citizen: Citizen, evidence: str) -> None:
    set_consent(citizen, Channel.SMS, True, source=ConsentSource.SMS, evidence=evidence)
    if Channel.SMS not in citizen.channels:
        citizen.channels = [*citizen.channels, Channel.SMS]
        citizen.save(update_fields=["channels"])
