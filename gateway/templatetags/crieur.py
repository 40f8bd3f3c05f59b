"""`{% t "French words" %}`: the template side of the one catalog (`locales/*/crieur.po`).

Pages translate through the same catalog as the renditions, in the language Django's
`LocaleMiddleware` chose for the request. Placeholders are `str.format` fields:
`{% t "Bonjour {name}" name=user.first_name %}`. Output is escaped like any variable.
"""

from __future__ import annotations

from django import template
from django.utils import translation

from renderers.i18n import SOURCE_LOCALE, gettext

register = template.Library()


@register.simple_tag
def t(text: str, **fields: object) -> str:
    words = gettext(translation.get_language() or SOURCE_LOCALE, text)
    return words.format(**fields) if fields else words


@register.filter
def form_word(code: str) -> str:
    """`{{ card.kind|form_word }}`: a channel, form or account kind in the page's language."""
    from gateway.console.words import form_word as word

    return word(str(code), translation.get_language() or SOURCE_LOCALE)


@register.filter
def language_word(code: str) -> str:
    """`{{ card.locale|language_word }}`: a language's name in the page's language."""
    from gateway.console.words import language_word as word

    return word(str(code), translation.get_language() or SOURCE_LOCALE)
