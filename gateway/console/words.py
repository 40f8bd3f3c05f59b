"""Words shown to agents for the codes the services use."""

from __future__ import annotations

from renderers.i18n import gettext


def channel_word(channel: str, locale: str) -> str:
    words = {  # plain gettext calls, so extraction finds them
        "sms": gettext(locale, "SMS"),
        "voice": gettext(locale, "Appel vocal"),
        "post": gettext(locale, "Courrier"),
        "whatsapp": gettext(locale, "WhatsApp"),
        "email": gettext(locale, "Courriel"),
        "weekly": gettext(locale, "Lettre de la semaine"),
    }
    return words.get(channel, channel)
