"""Patterns every locale's spoken rules share: web addresses, mail addresses, French phones."""

from __future__ import annotations

import re
from collections.abc import Callable

from renderers.i18n import gettext

# Spaces Babel and typographers put inside numbers and before `:` (no-break, narrow no-break).
_ODD_SPACES = re.compile(r"[\u00a0\u202f\u2007\u2009]")

EMAIL = re.compile(r"\b[\w.+-]+@([\w-]+(?:\.[\w-]+)+)\b")
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+")
_URL_TRAILING = ".,;:!?)»"

# A French number: 0X then four pairs, or +33 then one digit and four pairs, with the usual
# separators. Numbers are French whatever the message locale: the citizens are in France.
FRENCH_PHONE = re.compile(
    r"(?<![\d+])(?:\+33[ .\-]?(?:\(0\)[ .\-]?)?[1-9]|0[1-9])(?:[ .\-]?\d{2}){4}(?!\d)"
)


def plain_spaces(text: str) -> str:
    return _ODD_SPACES.sub(" ", text)


def collapse_spaces(text: str) -> str:
    """One space between words, none before `,` or `.` (a rule may leave one there)."""
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r" ([,.])", r"\1", text).strip()


def replace_addresses(text: str, locale: str, dot: str | None, at: str | None) -> str:
    """Web addresses become a spoken site name; mail addresses are spelt with `at` and `dot`.

    A listener cannot click: the path of a URL is dropped, its domain is said so someone can
    look it up, introduced by translated wording. `dot`/`at` None: written as is (a language
    without spoken rules).
    """

    def spell(domain: str) -> str:
        return f" {dot} ".join(domain.split(".")) if dot else domain

    def mail(match: re.Match[str]) -> str:
        if not at:
            return match.group(0)
        user, domain = match.group(0).split("@", 1)
        return f"{spell(user)} {at} {spell(domain)}"

    def url(match: re.Match[str]) -> str:
        raw = match.group(0)
        kept = raw.rstrip(_URL_TRAILING)
        domain = re.sub(r"^(?:https?://)?(?:www\.)?", "", kept).split("/", 1)[0]
        domain = domain.split("?", 1)[0].split(":", 1)[0]
        said = gettext(locale, "le site internet {domain}").format(domain=spell(domain))
        return said + raw[len(kept) :]

    text = EMAIL.sub(mail, text)
    return URL.sub(url, text)


def replace_phones(text: str, read: Callable[[list[str]], str]) -> str:
    """Each French phone number becomes what `read` says for its groups of digits."""

    def one(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0).replace("(0)", ""))
        if match.group(0).startswith("+"):
            national = digits[2:]
            groups = ["+33", national[0]] + [national[i : i + 2] for i in range(1, 9, 2)]
        else:
            groups = [digits[i : i + 2] for i in range(0, 10, 2)]
        return read(groups)

    return FRENCH_PHONE.sub(one, text)


def apply_table(text: str, table: tuple[tuple[str, str], ...]) -> str:
    """Apply `(pattern, replacement)` pairs in order; order matters (`Ste` before `St`)."""
    for pattern, replacement in table:
        text = re.sub(pattern, replacement, text)
    return text
