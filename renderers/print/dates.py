"""Dates as printed: the publication day in the message's time zone, the week of a digest."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, get_date_format

from renderers.i18n import babel_locale, gettext
from renderers.message import Message


def local_day(message: Message) -> date:
    """The publication day where the message is published (today there when unpublished)."""
    zone = ZoneInfo(message.timezone)
    moment = message.published_at or datetime.now(zone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)  # naive times are taken as local
    return moment.astimezone(zone).date()


def full_date(message: Message) -> str:
    """`samedi 21 novembre 2026`."""
    return format_date(local_day(message), format="full", locale=babel_locale(message.locale))


def letter_date_line(day: date, place: str, locale: str) -> str:
    """`Saint-Crieur, le 21 novembre 2026` (or `Le 21 novembre 2026` without a place)."""
    day_text = format_date(day, format="long", locale=babel_locale(locale))
    if place:
        return gettext(locale, "{place}, le {date}").format(place=place, date=day_text)
    return gettext(locale, "Le {date}").format(date=day_text)


def iso_week_days(year: int, week: int) -> tuple[date, date]:
    """Monday and Sunday of ISO week `week` of `year`."""
    monday = date.fromisocalendar(year, week, 1)
    return monday, monday + timedelta(days=6)


def week_range(year: int, week: int, locale: str) -> tuple[str, str]:
    """The first and last day of the week, the first one without what the last one repeats.

    fr: (`16`, `22 novembre 2026`); en: (`November 16`, `November 22, 2026`).
    """
    start, end = iso_week_days(year, week)
    loc = babel_locale(locale)
    end_text = format_date(end, format="long", locale=loc)
    day_first = get_date_format("long", locale=loc).pattern.lstrip().startswith("d")
    if (start.year, start.month) == (end.year, end.month) and day_first:
        start_text = format_skeleton("d", start, locale=loc)
    elif start.year == end.year:
        start_text = format_skeleton("MMMMd", start, locale=loc)
    else:
        start_text = format_date(start, format="long", locale=loc)
    return start_text, end_text


def weekly_title(year: int, week: int, locale: str) -> str:
    """`Avis à la population — semaine du 16 au 22 novembre 2026`."""
    start, end = week_range(year, week, locale)
    return gettext(locale, "Avis à la population — semaine du {start} au {end}").format(
        start=start, end=end
    )
