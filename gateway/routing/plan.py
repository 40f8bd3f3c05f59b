"""Routing: consent per channel, preferences in order, language fallback, one SMS per phone,
quiet hours, the urgent override and the weekly letter for postal subscribers.

Input and output are plain values so the rules can be tested exhaustively (and property-tested)
without a database. The gateway streams citizens through `plan_routes` in batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Channels that ring or buzz a phone: quiet hours defer them.
PHONE_CHANNELS = frozenset({"sms", "voice", "whatsapp"})
ALL_CHANNELS = ("sms", "voice", "post", "whatsapp", "email")
# Not a delivery: the citizen gets non-urgent news in the weekly letter (gateway/weekly.py).
WEEKLY_LETTER = "weekly"
DEFAULT_TIMEZONE = "Europe/Paris"


@dataclass(frozen=True, slots=True)
class AnnouncementTarget:
    urgency: str
    topics: frozenset[str]
    areas: frozenset[str]
    locales: frozenset[str]
    default_locale: str

    @property
    def urgent(self) -> bool:
        return self.urgency == "urgent"


@dataclass(frozen=True, slots=True)
class CitizenProfile:
    id: int
    language: str
    channels: tuple[str, ...]  # in order of preference
    consents: frozenset[str]  # channels with consent granted (opt-outs are absent)
    phone: str = ""
    is_mobile: bool = True
    has_address: bool = False
    email: str = ""  # lower-cased
    topics: frozenset[str] = frozenset()
    area: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    quiet_start: time | None = None
    quiet_end: time | None = None


@dataclass(frozen=True, slots=True)
class Route:
    """One channel to try for one citizen, then the fallbacks in order.

    `not_before` (aware, UTC) is set when quiet hours defer the first channel.
    """

    citizen_id: int
    channel: str
    locale: str
    fallbacks: tuple[str, ...] = ()
    not_before: datetime | None = None


class PhoneLedger:
    """The phones already texted for one announcement (a set: any order of citizens)."""

    def __init__(self) -> None:
        self._phones: set[str] = set()

    def __contains__(self, phone: object) -> bool:
        return phone in self._phones

    def add(self, phone: str) -> None:
        self._phones.add(phone)


class MessagedLedger:
    """The WhatsApp numbers and email addresses already messaged for one announcement: one
    message per number and per address, even when a household shares them."""

    def __init__(self) -> None:
        self.seen: dict[str, set[str]] = {"whatsapp": set(), "email": set()}

    def key(self, citizen: CitizenProfile, channel: str) -> str:
        return citizen.email if channel == "email" else citizen.phone

    def __contains__(self, item: object) -> bool:
        channel, key = item  # type: ignore[misc]
        return key in self.seen.get(channel, ())

    def add(self, channel: str, key: str) -> None:
        self.seen[channel].add(key)


class SortedPhoneLedger(PhoneLedger):
    """The same for citizens streamed in phone order: only the last phone texted matters, so
    memory stays flat whatever the size of the town."""

    def __init__(self) -> None:
        self._last: str | None = None

    def __contains__(self, phone: object) -> bool:
        return phone == self._last

    def add(self, phone: str) -> None:
        self._last = phone


def concerns(target: AnnouncementTarget, citizen: CitizenProfile) -> bool:
    """Is the citizen in the audience? Urgent news ignores topics, never areas."""
    if target.areas and citizen.area not in target.areas:
        return False
    if target.urgent or not target.topics:
        return True
    return bool(target.topics & citizen.topics)


def reachable(citizen: CitizenProfile, channel: str) -> bool:
    if channel not in citizen.consents:
        return False
    if channel == "sms":
        return bool(citizen.phone) and citizen.is_mobile
    if channel == "voice":
        return bool(citizen.phone)
    if channel == "post":
        return citizen.has_address
    if channel == "whatsapp":
        return bool(citizen.phone) and citizen.is_mobile
    if channel == "email":
        return bool(citizen.email)
    return False


def choose_locale(target: AnnouncementTarget, citizen: CitizenProfile) -> str:
    """The citizen's language when a translation exists, else the organisation's default."""
    return citizen.language if citizen.language in target.locales else target.default_locale


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def quiet_until(citizen: CitizenProfile, now: datetime) -> datetime | None:
    """The end of the citizen's quiet window (UTC) when `now` falls inside it, else None.

    The window is read in the citizen's time zone and may span midnight (22:00 → 08:00).
    """
    start, end = citizen.quiet_start, citizen.quiet_end
    if start is None or end is None or start == end:
        return None
    tz = zone(citizen.timezone)
    local = now.astimezone(tz)
    at = local.time().replace(tzinfo=None)
    if start < end:
        if not start <= at < end:
            return None
        day = local.date()
    else:
        if end <= at < start:
            return None
        day = local.date() + timedelta(days=1) if at >= start else local.date()
    ends = datetime.combine(day, end, tzinfo=tz).astimezone(UTC)
    return max(ends, now.astimezone(UTC))


def _channels(target: AnnouncementTarget, citizen: CitizenProfile) -> list[str]:
    """Reachable consented channels: preferences first; urgent adds every other consent."""
    wanted = list(dict.fromkeys(citizen.channels))
    if target.urgent:
        wanted += [c for c in ALL_CHANNELS if c not in wanted]
    return [c for c in wanted if reachable(citizen, c)]


def plan_routes(
    target: AnnouncementTarget,
    citizens: Iterable[CitizenProfile],
    *,
    now: datetime | None = None,
    texted: PhoneLedger | None = None,
    messaged: MessagedLedger | None = None,
) -> Iterator[Route]:
    """The routes of every citizen concerned who can be reached on a consented channel.

    - Non-urgent: one route per citizen, its first channel then the fallbacks; post becomes the
      weekly letter (no delivery of its own); SMS and voice inside quiet hours get `not_before`.
    - Urgent: one route per consented channel (no fallbacks), quiet hours ignored.
    - A phone shared by a household gets one SMS: the first citizen seen keeps the SMS, the
      others lose the SMS option (their next channel is tried, if any); the same for a
      WhatsApp number and an email address (`messaged`).
    """
    now = now or datetime.now(UTC)
    texted = PhoneLedger() if texted is None else texted
    messaged = MessagedLedger() if messaged is None else messaged
    for citizen in citizens:
        if not concerns(target, citizen):
            continue
        channels = _channels(target, citizen)
        if "sms" in channels:
            if citizen.phone in texted:
                channels.remove("sms")
            elif target.urgent or channels[0] == "sms":
                texted.add(citizen.phone)
        for channel in ("whatsapp", "email"):
            if channel in channels:
                key = messaged.key(citizen, channel)
                if (channel, key) in messaged:
                    channels.remove(channel)
                elif target.urgent or channels[0] == channel:
                    messaged.add(channel, key)
        if not channels:
            continue
        locale = choose_locale(target, citizen)
        if target.urgent:
            for channel in channels:
                yield Route(citizen.id, channel, locale)
            continue
        channels = [WEEKLY_LETTER if c == "post" else c for c in channels]
        if WEEKLY_LETTER in channels:  # the weekly letter always arrives: nothing after it
            channels = channels[: channels.index(WEEKLY_LETTER) + 1]
        first = channels[0]
        deferred = quiet_until(citizen, now) if first in PHONE_CHANNELS else None
        yield Route(citizen.id, first, locale, tuple(channels[1:]), deferred)
