"""Routing v1: consent per channel, preferences in order, language fallback, one SMS per phone.

Input and output are plain values so the rules can be tested exhaustively (and property-tested)
without a database. The gateway streams citizens through `plan_routes` in batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

PHONE_CHANNELS = frozenset({"sms", "voice"})


@dataclass(frozen=True, slots=True)
class AnnouncementTarget:
    urgency: str
    topics: frozenset[str]
    areas: frozenset[str]
    locales: frozenset[str]
    default_locale: str


@dataclass(frozen=True, slots=True)
class CitizenProfile:
    id: int
    language: str
    channels: tuple[str, ...]  # in order of preference
    consents: frozenset[str]  # channels with consent granted (opt-outs are absent)
    phone: str = ""
    is_mobile: bool = True
    has_address: bool = False
    topics: frozenset[str] = frozenset()
    area: str | None = None


@dataclass(frozen=True, slots=True)
class Route:
    """The plan for one citizen: the first channel to try, then the fallbacks in order."""

    citizen_id: int
    channel: str
    locale: str
    fallbacks: tuple[str, ...] = ()


def concerns(target: AnnouncementTarget, citizen: CitizenProfile) -> bool:
    """Is the citizen in the audience? Urgent news ignores topics, never areas."""
    if target.areas and citizen.area not in target.areas:
        return False
    if target.urgency == "urgent" or not target.topics:
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
    return False


def choose_locale(target: AnnouncementTarget, citizen: CitizenProfile) -> str:
    """The citizen's language when a translation exists, else the organisation's default."""
    return citizen.language if citizen.language in target.locales else target.default_locale


def plan_routes(target: AnnouncementTarget, citizens: Iterable[CitizenProfile]) -> Iterator[Route]:
    """One route per citizen concerned who can be reached on at least one consented channel.

    A phone shared by a household gets one SMS: the first citizen seen keeps the SMS, the
    others lose the SMS option (their next channel is tried, if any).
    """
    phones_texted: set[str] = set()
    for citizen in citizens:
        if not concerns(target, citizen):
            continue
        channels = [c for c in dict.fromkeys(citizen.channels) if reachable(citizen, c)]
        if "sms" in channels:
            if citizen.phone in phones_texted:
                channels.remove("sms")
            elif channels[0] == "sms":
                phones_texted.add(citizen.phone)
        if not channels:
            continue
        yield Route(citizen.id, channels[0], choose_locale(target, citizen), tuple(channels[1:]))
