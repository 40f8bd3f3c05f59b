"""The words every messaging form shares: headline, paragraphs, contact, verification line.

Telegram, WhatsApp and email all say the same things in the same order; only the markup
differs. Each function takes the message (locale inside) and returns plain text.
"""

from __future__ import annotations

import regex
from babel import Locale

from renderers.i18n import gettext, language
from renderers.message import Message, Urgency

NBSP = "\u00a0"


def headline(message: Message) -> str:
    """The title, after `ALERTE :` when the message is urgent."""
    title = " ".join(message.title.split())
    if message.urgency is Urgency.URGENT:
        return f"{gettext(message.locale, 'ALERTE :')} {title}"
    return title


def paragraphs(message: Message) -> list[str]:
    """The long form (the summary when there is no body), one item per paragraph."""
    text = message.body.strip() or message.summary.strip()
    return [p.strip() for p in regex.split(r"\n[^\S\n]*\n\s*", text) if p.strip()]


def contact_line(message: Message) -> str:
    if not message.contact.strip():
        return ""
    return gettext(message.locale, "Contact : {contact}").format(contact=message.contact.strip())


def verification_label(message: Message) -> str:
    if not message.verification_code:
        return ""
    label = gettext(message.locale, "Vérifier l’authenticité : {code}")
    return label.format(code=message.verification_code)


def verification_line(message: Message, *, glued: bool = False) -> str:
    """`Vérifier l’authenticité : CODE https://…/v/CODE`; `glued` joins its words with
    no-break spaces, so a thread splitter keeps the line whole."""
    words = [w for w in (verification_label(message), message.public_url) if w]
    line = " ".join(words)
    return line.replace(" ", NBSP) if glued else line


def extra_links(message: Message) -> list[str]:
    return [link for link in message.links if link and link != message.public_url]


def language_tag(locale: str) -> str:
    """The BCP 47 tag of `locale` (`pt_BR` → `pt-BR`), for `lang` attributes and headers."""
    return locale.replace("_", "-")


def direction(locale: str) -> str:
    """`rtl` for Arabic (and any right-to-left script), else `ltr`."""
    return "rtl" if Locale.parse(language(locale)).text_direction == "rtl" else "ltr"


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2
