"""Words shown to people for the codes the services use: channels, forms, account kinds and
languages. One table, so every page says "Appel vocal" where the code says `voice`."""

from __future__ import annotations

from babel import Locale

from renderers.i18n import gettext, language


def form_word(code: str, locale: str) -> str:
    """A channel, a rendition form or an account kind, in words (brand names as spelt)."""
    words = {  # plain gettext calls, so extraction finds them
        "sms": gettext(locale, "SMS"),
        "voice": gettext(locale, "Appel vocal"),
        "post": gettext(locale, "Courrier"),
        "letter": gettext(locale, "Courrier"),
        "notice": gettext(locale, "Affiche"),
        "weekly": gettext(locale, "Lettre de la semaine"),
        "email": gettext(locale, "Courriel"),
        "card": gettext(locale, "Image de la publication"),
        "card-square": gettext(locale, "Image carrée de la publication"),
        "video": gettext(locale, "Vidéo"),
        "twilio": "Twilio",
        "whatsapp": "WhatsApp",
        "whatsapp_text": "WhatsApp",
        "whatsapp_template": "WhatsApp",
        "mastodon": "Mastodon",
        "bluesky": "Bluesky",
        "x": "X",
        "facebook": "Facebook",
        "telegram": "Telegram",
        "instagram": "Instagram",
        "linkedin": "LinkedIn",
        "tiktok": "TikTok",
    }
    return words.get(code, code)


def channel_word(channel: str, locale: str) -> str:
    return form_word(channel, locale)


def language_word(code: str, locale: str) -> str:
    """The language `code` named in `locale` ("ar" in French: "Arabe")."""
    try:
        name = Locale.parse(language(locale)).languages.get(code)
    except ValueError:
        name = None
    return (name or code)[:1].upper() + (name or code)[1:]
