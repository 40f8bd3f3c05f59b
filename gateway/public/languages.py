"""The languages of the public pages, each named in its own language, and the switch links."""

from __future__ import annotations

from babel import Locale
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from gateway.audience.subscriptions import available_languages


def language_name(code: str) -> str:
    """`ar` -> `العربية`, `br` -> `Brezhoneg`: the name a speaker of the language reads."""
    named = dict(settings.LANGUAGES)
    if code in named:
        return named[code]
    name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_")) or code
    return name[:1].upper() + name[1:]


def public_languages() -> list[tuple[str, str]]:
    """(code, own name) of every language with a catalog, in the order of settings.LANGUAGES."""
    available = available_languages()
    known = [code for code, _ in settings.LANGUAGES if code in available]
    return [(code, language_name(code)) for code in known + sorted(set(available) - set(known))]


def language_links(request: HttpRequest, codes: list[str] | None = None) -> list[dict]:
    """One link per language: the same page with `?lang=` set, the other parameters kept."""
    current = translation.get_language()
    shown = public_languages()
    if codes is not None:
        named = dict(shown)
        shown = [(c, n) for c, n in shown if c in codes]
        shown += [(c, language_name(c)) for c in sorted(codes) if c not in named]
    links = []
    for code, name in shown:
        query = request.GET.copy()
        query["lang"] = code
        links.append(
            {"code": code, "name": name, "url": f"?{query.urlencode()}", "current": code == current}
        )
    return links
