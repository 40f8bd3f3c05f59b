"""`Tout le monde l’aura vers 14:32 — SMS : 2 min, Appel vocal : 1 h 40 min.`, in the agent's
language, from the reach estimate's `eta` (gateway.routing.reach)."""

from __future__ import annotations

import math
from datetime import datetime

from babel.dates import format_datetime, format_time
from babel.lists import format_list
from babel.units import format_unit

from gateway.console.words import channel_word
from gateway.routing.plan import zone
from renderers.i18n import babel_locale, gettext


def duration_words(seconds: float, lc: str) -> str:
    """`45 s`, `2 min`, `1 h 40 min`: rounded up (to the minute past one minute)."""
    locale = babel_locale(lc)
    if seconds < 60:
        return format_unit(max(1, math.ceil(seconds)), "duration-second", "short", locale=locale)
    hours, minutes = divmod(-(-int(seconds) // 60), 60)
    parts = []
    if hours:
        parts.append(format_unit(hours, "duration-hour", "short", locale=locale))
    if minutes:
        parts.append(format_unit(minutes, "duration-minute", "short", locale=locale))
    return " ".join(parts)


def when_words(at: datetime, now: datetime, timezone: str, lc: str) -> str:
    """The time alone today, the date and time later (quiet hours end tomorrow morning)."""
    tz = zone(timezone)
    locale = babel_locale(lc)
    if at.astimezone(tz).date() == now.astimezone(tz).date():
        return format_time(at, "short", tzinfo=tz, locale=locale)
    return format_datetime(at, "short", tzinfo=tz, locale=locale)


def list_words(items: list[str], lc: str) -> str:
    """`a, b et c`, `a، وb، وc`: the language's own list (CLDR), plain commas if it has none."""
    try:
        return format_list(items, style="unit-short", locale=babel_locale(lc))
    except (KeyError, ValueError):
        return ", ".join(items)


def eta_sentence(eta: dict, timezone: str, lc: str) -> str:
    channels = [c for c in eta["channels"] if c["left"]]
    if not channels:
        return gettext(lc, "Tout le monde l’a : plus aucun envoi en attente.")
    detail = list_words(
        [
            gettext(lc, "{channel} : {duration}").format(
                channel=channel_word(c["channel"], lc), duration=duration_words(c["seconds"], lc)
            )
            for c in sorted(channels, key=lambda c: c["seconds"])
        ],
        lc,
    )
    return gettext(lc, "Tout le monde l’aura vers {time} — {detail}.").format(
        time=when_words(eta["finishes_at"], eta["now"], timezone, lc), detail=detail
    )
