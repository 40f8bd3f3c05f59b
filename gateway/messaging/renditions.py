"""The messaging forms of an announcement: the email and the WhatsApp text and template, one
rendition per (form, locale), archived at publication like every other form.

The email is the same for every citizen of a language: its unsubscribe link is a placeholder
the channel fills at sending (`renderers.messaging.fill_unsubscribe`). The WhatsApp template
form needs the organisation's approved UTILITY template in that language (else the one of its
default language): without any, citizens outside their 24-hour window cannot be written to
on WhatsApp, their deliveries fail saying so and fall back to their next channel.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Q

from gateway.models import Announcement, Citizen, Organisation, ProviderAccount
from gateway.models import WhatsAppTemplate as TemplateRow
from gateway.routing.audience_version import audience_version
from renderers.errors import RenderError
from renderers.message import Message, Rendition
from renderers.messaging import (
    WhatsAppTemplate,
    render_email,
    render_whatsapp_template,
    render_whatsapp_text,
)

logger = logging.getLogger(__name__)

EMAIL, TEXT, TEMPLATE = "email", "whatsapp_text", "whatsapp_template"
MESSAGING_FORMS = (EMAIL, TEXT, TEMPLATE)
# The forms a delivery channel may send: the first is always made at publication.
FORMS_OF_CHANNEL = {"email": (EMAIL,), "whatsapp": (TEXT, TEMPLATE)}


def templates_of(organisation: Organisation) -> list[WhatsAppTemplate]:
    """The organisation's approved templates, as the renderer takes them."""
    rows = TemplateRow.objects.filter(organisation=organisation, status="APPROVED").order_by(
        "name", "language"
    )
    return [
        WhatsAppTemplate(
            name=row.name,
            language=row.language,
            category=row.category,
            parameters=tuple(row.parameters),
            named=row.named,
            body=row.body,
        )
        for row in rows
    ]


def render_messaging(form: str, message: Message, organisation: Organisation) -> Rendition:
    if form == EMAIL:
        return render_email(message)
    if form == TEXT:
        return render_whatsapp_text(message)
    if form == TEMPLATE:
        return render_whatsapp_template(message, templates_of(organisation))
    raise ValueError(f"unknown form {form!r}")


def archive_messaging(announcement: Announcement, pairs: Iterable[tuple[str, str]]) -> int:
    """Archive the messaging forms of the planned (channel, locale) pairs. A template that
    cannot be made (no approved template) is left out: its deliveries say why at sending."""
    from gateway.renditions import archive

    made = 0
    for channel, locale in set(pairs):
        for form in FORMS_OF_CHANNEL.get(channel, ()):
            try:
                made += archive(announcement, [(form, locale)])
            except RenderError as error:
                if form != TEMPLATE:
                    raise
                logger.info(
                    "announcement %s: no %s in %s: %s", announcement.pk, form, locale, error
                )
    return made


def used_channels(organisation: Organisation) -> set[str]:
    """The messaging channels the organisation may send on: an account of that kind, or
    citizens who consent to it (the outbox sends them otherwise)."""
    kinds = set(
        ProviderAccount.objects.current()
        .filter(organisation=organisation, kind__in=FORMS_OF_CHANNEL)
        .values_list("kind", flat=True)
    )
    return kinds | consenting_channels(organisation.pk)


def consenting_channels(organisation_id: int) -> set[str]:
    """The messaging channels some citizen of the organisation consents to: a scan of the
    town's consents, kept until the audience changes (every preview asks)."""
    key = f"crieur:consenting:{organisation_id}:{audience_version(organisation_id)}"
    found = cache.get(key)
    if found is None:
        consenting = Citizen.objects.filter(
            Q(consents__channel__in=list(FORMS_OF_CHANNEL)) & Q(consents__granted=True),
            organisation_id=organisation_id,
        )
        found = set(consenting.values_list("consents__channel", flat=True).distinct())
        cache.set(key, found, timeout=3600)
    return set(found)


def preview_forms(organisation: Organisation) -> tuple[str, ...]:
    """The messaging forms every publication must be able to make (the template excepted:
    a missing template only warns)."""
    used = used_channels(organisation)
    return tuple(forms[0] for channel, forms in FORMS_OF_CHANNEL.items() if channel in used)


def template_warnings(announcement: Announcement, locales: Iterable[str]) -> list[str]:
    """Languages in which WhatsApp citizens outside their window get another language's
    template, or nothing at all."""
    organisation = announcement.organisation
    if "whatsapp" not in used_channels(organisation):
        return []
    from gateway.mapping import to_message

    warnings = []
    templates = templates_of(organisation)
    for locale in sorted(set(locales)):
        try:
            render_whatsapp_template(to_message(announcement, locale), templates)
        except RenderError as error:
            try:
                fallback = render_whatsapp_template(
                    to_message(announcement, announcement.fallback_locale), templates
                )
            except RenderError:
                warnings.append(
                    f"whatsapp_template: {error.detail}; citizens outside their 24-hour window "
                    "get their next channel instead (add an approved UTILITY template)"
                )
            else:
                warnings.append(
                    f"whatsapp_template: no approved template in {locale!r}; citizens outside "
                    f"their 24-hour window get the {fallback.locale!r} one"
                )
    return warnings


def template_preview(announcement: Announcement, locale: str | None) -> dict[str, Rendition]:
    """The template citizens outside their window would get, when there is one."""
    if "whatsapp" not in used_channels(announcement.organisation):
        return {}
    from gateway.renditions import render_in

    try:
        return {TEMPLATE: render_in(TEMPLATE, announcement, locale)}
    except RenderError:
        return {}
