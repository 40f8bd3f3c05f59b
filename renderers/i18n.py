"""Translation catalogs for the fixed words of every rendition.

Catalogs live in `locales/<lang>/LC_MESSAGES/crieur.mo` (compiled from the committed `.po`
by `make locales`). The locale is always an explicit argument, never ambient state.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "crieur"
SOURCE_LOCALE = "fr"


def babel_locale(locale: str) -> str:
    """`pt-BR` → `pt_BR`, the spelling Babel's formatters take."""
    return locale.replace("-", "_")


def language(locale: str) -> str:
    """`fr_FR`, `fr-FR` and `fr` all give `fr`."""
    return Locale.parse(locale.replace("-", "_")).language


def shipped_locales() -> tuple[str, ...]:
    """The source locale and every locale with a catalog under `locales/`."""
    catalogs = {path.parent.parent.name for path in LOCALES_DIR.glob("*/LC_MESSAGES/*.po")}
    return tuple(sorted(catalogs | {SOURCE_LOCALE}))


class SourceWords(NullTranslations):
    """The source words themselves, with the source language's plural rule: in French 0 and 1
    take the singular ("0 créé"), where gettext's default rule would say "0 créés"."""

    _rule = Locale.parse(SOURCE_LOCALE).plural_form

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:  # type: ignore[override]
        return msgid1 if self._rule(n) == "one" else msgid2


@lru_cache(maxsize=64)
def translations(locale: str) -> NullTranslations:
    """The catalog of `locale`; the source words (French) when the catalog has no entry."""
    lang = language(locale)
    if lang == SOURCE_LOCALE:
        return SourceWords()
    return Translations.load(str(LOCALES_DIR), [lang], DOMAIN)


def gettext(locale: str, text: str) -> str:
    return translations(locale).gettext(text)


def ngettext(locale: str, singular: str, plural: str, n: int) -> str:
    return translations(locale).ngettext(singular, plural, n)
