"""Routing invariants, property-tested over random towns (hypothesis)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.routing import AnnouncementTarget, CitizenProfile, plan_routes
from gateway.routing.plan import (
    WEEKLY_LETTER,
    PhoneLedger,
    SortedPhoneLedger,
    reachable,
)

CHANNELS = ("sms", "voice", "post")
PHONES = ("", "+33612345601", "+33612345602", "+33612345603")  # few phones: shared households
ZONES = ("Europe/Paris", "America/Cayenne", "Indian/Reunion", "Pacific/Noumea", "UTC")
TOPICS = ("travaux", "eau", "ecoles")
AREAS = ("centre", "nord", None)

subsets = st.frozensets
hours = st.one_of(st.none(), st.times().map(lambda t: t.replace(microsecond=0)))


@st.composite
def profiles(draw, id: int) -> CitizenProfile:
    return CitizenProfile(
        id=id,
        language=draw(st.sampled_from(("fr", "en", "es"))),
        channels=tuple(draw(st.lists(st.sampled_from(CHANNELS), max_size=4))),
        consents=draw(subsets(st.sampled_from(CHANNELS))),
        phone=draw(st.sampled_from(PHONES)),
        is_mobile=draw(st.booleans()),
        has_address=draw(st.booleans()),
        topics=draw(subsets(st.sampled_from(TOPICS))),
        area=draw(st.sampled_from(AREAS)),
        timezone=draw(st.sampled_from(ZONES)),
        quiet_start=draw(hours),
        quiet_end=draw(hours),
    )


@st.composite
def towns(draw) -> list[CitizenProfile]:
    size = draw(st.integers(0, 12))
    return [draw(profiles(i + 1)) for i in range(size)]


targets = st.builds(
    AnnouncementTarget,
    urgency=st.sampled_from(("info", "important", "urgent")),
    topics=subsets(st.sampled_from(TOPICS)),
    areas=subsets(st.sampled_from(("centre", "nord"))),
    locales=st.just(frozenset({"fr", "en"})),
    default_locale=st.just("fr"),
)
moments = st.datetimes(timezones=st.just(UTC))
ledgers = st.sampled_from(("set", "sorted"))


def run(target, town, now, ledger):
    if ledger == "sorted":  # the planner's order: by phone, then id
        town = sorted(town, key=lambda c: (c.phone, c.id))
        return list(plan_routes(target, town, now=now, texted=SortedPhoneLedger()))
    return list(plan_routes(target, town, now=now, texted=PhoneLedger()))


common = settings(max_examples=120, deadline=None)


@common
@given(targets, towns(), moments, ledgers)
def test_never_a_channel_without_consent(target, town, now, ledger):
    by_id = {c.id: c for c in town}
    for route in run(target, town, now, ledger):
        citizen = by_id[route.citizen_id]
        for channel in (route.channel, *route.fallbacks):
            channel = "post" if channel == WEEKLY_LETTER else channel
            assert channel in citizen.consents
            assert reachable(citizen, channel)


@common
@given(targets, towns(), moments, ledgers)
def test_never_two_sms_to_one_phone(target, town, now, ledger):
    by_id = {c.id: c for c in town}
    texted = Counter(
        by_id[r.citizen_id].phone for r in run(target, town, now, ledger) if r.channel == "sms"
    )
    assert all(n == 1 for n in texted.values()), texted


@common
@given(targets.filter(lambda t: t.urgent), towns(), moments, ledgers)
def test_urgent_reaches_everyone_in_its_areas_with_a_consenting_channel(target, town, now, ledger):
    routes = run(target, town, now, ledger)
    by_id = {c.id: c for c in town}
    reached = {r.citizen_id for r in routes}
    texted = {by_id[r.citizen_id].phone for r in routes if r.channel == "sms"}
    for citizen in town:
        in_area = not target.areas or citizen.area in target.areas
        can = [c for c in CHANNELS if reachable(citizen, c)]
        # a household member whose only channel is the shared phone reads the one SMS sent
        shares_sms = reachable(citizen, "sms") and citizen.phone in texted
        if in_area and can:
            assert citizen.id in reached or shares_sms
        if not in_area:
            assert citizen.id not in reached
    # ... on every consenting channel, but one SMS per phone
    for route in routes:
        assert route.fallbacks == ()
    for citizen_id in reached:
        got = {r.channel for r in routes if r.citizen_id == citizen_id}
        can = {c for c in CHANNELS if reachable(by_id[citizen_id], c)}
        assert can - got <= {"sms"}


@common
@given(targets, towns(), moments, ledgers)
def test_quiet_hours_never_delay_urgent_and_defer_only_phone_channels_to_the_future(
    target, town, now, ledger
):
    for route in run(target, town, now, ledger):
        if target.urgent or route.channel not in ("sms", "voice"):
            assert route.not_before is None
        elif route.not_before is not None:
            assert route.not_before >= now


@common
@given(st.times(), st.times(), moments)
def test_deferred_only_inside_the_window_and_released_at_its_end(start, end, now):
    from gateway.routing.plan import quiet_until, zone

    citizen = CitizenProfile(
        id=1,
        language="fr",
        channels=("sms",),
        consents=frozenset({"sms"}),
        quiet_start=start.replace(microsecond=0),
        quiet_end=end.replace(microsecond=0),
    )
    until = quiet_until(citizen, now)
    if until is None:
        return
    local_end = until.astimezone(zone(citizen.timezone))
    assert until >= now
    assert until - now <= timedelta(hours=25)
    # released at the window's end, in the citizen's clock (a DST gap may push it an hour)
    assert local_end.time().replace(tzinfo=None) >= citizen.quiet_end or until == now
    assert isinstance(citizen.quiet_end, time)
