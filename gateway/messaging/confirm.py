"""Confirming a citizen's email address: no email consent is granted online until the
citizen followed the link sent to that address (`/inscription/courriel/<token>/`).

The link's GET only shows a button (mail scanners fetch links); its POST confirms: the
address is marked confirmed, the email consent granted with its evidence, and the address
taken off the suppression list (the citizen asked again themselves).
"""

from __future__ import annotations

import hashlib
import html
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from channels.base import Recipient
from channels.errors import ChannelError
from gateway.audience import suppression
from gateway.audience.consents import set_consent
from gateway.messaging.unsubscribe import issue_many, url_of
from gateway.models import Citizen, EmailConfirmation
from gateway.routing.audience_version import audience_changed
from renderers.i18n import gettext
from renderers.message import Rendition
from renderers.messaging.compose import direction, language_tag
from renderers.messaging.email import UNSUBSCRIBE_PLACEHOLDER

LIFETIME = timedelta(days=7)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def confirmation_email(citizen: Citizen, url: str) -> Rendition:
    """The short email that carries the link, in the citizen's language."""
    locale = citizen.language
    organisation = citizen.organisation.name
    subject = gettext(locale, "Confirmez votre adresse pour {organisation}").format(
        organisation=organisation
    )
    ask = gettext(
        locale,
        "Pour recevoir les informations de {organisation} par courriel, confirmez votre adresse :",
    ).format(organisation=organisation)
    ignore = gettext(locale, "Si vous n'avez rien demandé, ignorez ce message.")
    stop = gettext(locale, "Se désabonner")
    text = f"{ask}\n{url}\n\n{ignore}\n\n-- \n{organisation}\n{stop} : {UNSUBSCRIBE_PLACEHOLDER}\n"
    e = html.escape
    page = (
        f'<!DOCTYPE html>\n<html lang="{language_tag(locale)}" dir="{direction(locale)}">'
        f'<head><meta charset="utf-8"><title>{e(subject)}</title></head><body>'
        f'<p>{e(ask)}</p><p><a href="{e(url)}">{e(url)}</a></p><p>{e(ignore)}</p>'
        f'<p>{e(organisation)}<br><a href="{UNSUBSCRIBE_PLACEHOLDER}">{e(stop)}</a></p>'
        "</body></html>\n"
    )
    return Rendition(
        form="email",
        locale=locale,
        media_type="text/plain",
        body=text,
        meta={"subject": subject, "html": page, "language": language_tag(locale)},
    )


def send_confirmation(citizen: Citizen) -> bool:
    """Email the citizen a link confirming their address; False when it could not be sent."""
    from gateway.registry import for_organisation

    if not citizen.email:
        return False
    token = secrets.token_urlsafe(32)
    EmailConfirmation.objects.create(
        citizen=citizen,
        address=citizen.email,
        digest=_digest(token),
        expires_at=timezone.now() + LIFETIME,
    )
    link = settings.PUBLIC_URL + reverse("signup:email", args=[token])
    rendition = confirmation_email(citizen, link)
    (unsubscribe,) = issue_many([(citizen.pk, None)])
    rendition = Rendition(
        rendition.form,
        rendition.locale,
        rendition.media_type,
        rendition.body,
        {**rendition.meta, "unsubscribe_url": url_of(unsubscribe)},
    )
    channel = for_organisation(citizen.organisation_id).target("email").channel
    try:
        channel.send(
            rendition,
            Recipient(reference=citizen.reference, email=citizen.email, locale=citizen.language),
            idempotency_key=f"crieur-confirm-{token[:16]}",
        )
    except ChannelError:
        return False
    return True


def open_confirmation(token: str) -> EmailConfirmation | None:
    """The confirmation of `token` while valid (its citizen still holds that address)."""
    if not token or len(token) > 100:
        return None
    found = (
        EmailConfirmation.objects.select_related("citizen__organisation")
        .filter(digest=_digest(token), expires_at__gt=timezone.now())
        .first()
    )
    if found is None or found.citizen.erased_at is not None:
        return None
    if found.citizen.email.lower() != found.address.lower():
        return None
    return found


def confirm(confirmation: EmailConfirmation) -> Citizen:
    """Mark the address confirmed and grant the email consent (once: the link is used up)."""
    now = timezone.now()
    citizen = confirmation.citizen
    with transaction.atomic():
        if not EmailConfirmation.objects.filter(pk=confirmation.pk).delete()[0]:
            return citizen  # a parallel click confirmed it first
        Citizen.objects.filter(pk=citizen.pk).update(email_confirmed_at=now)
        audience_changed(citizen.organisation_id)
        suppression.lift(citizen.organisation, citizen.email, "email")
        set_consent(
            citizen,
            "email",
            True,
            source="web",
            evidence=f"address confirmed by its link {now.strftime('%Y-%m-%dT%H:%M:%SZ')}",
            at=now,
        )
        if "email" not in citizen.channels:
            citizen.channels = [*citizen.channels, "email"]
            citizen.save(update_fields=["channels"])
    citizen.refresh_from_db()
    return citizen
