"""Routing as a pure function: consent, order, language, one SMS per phone, quiet hours,
the urgent override and the weekly letter."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from gateway.routing import AnnouncementTarget, CitizenProfile, plan_routes
from gateway.routing.plan import WEEKLY_LETTER

NIGHT = {"quiet_start": time(21, 0), "quiet_end": time(8, 0)}


def target(**fields) -> AnnouncementTarget:
    values = {
        "urgency": "info",
        "topics": frozenset({"travaux"}),
        "areas": frozenset(),
        "locales": frozenset({"fr", "en"}),
        "default_locale": "fr",
        **fields,
    }
    return AnnouncementTarget(**values)


def citizen(id=1, **fields) -> CitizenProfile:
    values = {
        "id": id,
        "language": "fr",
        "channels": ("sms",),
        "consents": frozenset({"sms"}),
        "phone": f"+3361234567{id}",
        "topics": frozenset({"travaux"}),
        "area": "centre",
        **fields,
    }
    return CitizenProfile(**values)


def plan(t, *citizens):
    return list(plan_routes(t, citizens))


def test_first_consented_channel_in_order_of_preference():
    c = citizen(channels=("voice", "sms"), consents=frozenset({"sms", "voice"}))
    [route] = plan(target(), c)
    assert (route.channel, route.fallbacks) == ("voice", ("sms",))


def test_no_consent_no_channel():
    c = citizen(channels=("sms", "voice"), consents=frozenset({"voice"}))
    [route] = plan(target(), c)
    assert (route.channel, route.fallbacks) == ("voice", ())


def test_opted_out_everywhere_is_not_planned():
    assert plan(target(), citizen(consents=frozenset())) == []


@pytest.mark.parametrize(
    ("channel", "fields"),
    [
        ("sms", {"phone": ""}),
        ("sms", {"is_mobile": False}),  # a landline cannot receive an SMS
        ("voice", {"phone": ""}),
        ("post", {"has_address": False}),
    ],
)
def test_channel_without_the_means_is_skipped(channel, fields):
    c = citizen(channels=(channel,), consents=frozenset({channel}), **fields)
    assert plan(target(), c) == []


@pytest.mark.parametrize(("language", "locale"), [("en", "en"), ("es", "fr"), ("fr", "fr")])
def test_language_falls_back_to_the_organisation_default(language, locale):
    [route] = plan(target(), citizen(language=language))
    assert route.locale == locale


def test_one_sms_per_phone_even_for_a_household():
    shared = "+33612345678"
    a = citizen(1, phone=shared)
    b = citizen(2, phone=shared, channels=("sms", "voice"), consents=frozenset({"sms", "voice"}))
    c = citizen(3, phone=shared)
    routes = plan(target(), a, b, c)
    assert [(r.citizen_id, r.channel) for r in routes] == [(1, "sms"), (2, "voice")]


def test_topics_filter_info_but_not_urgent():
    c = citizen(topics=frozenset({"ecoles"}))
    assert plan(target(), c) == []
    assert len(plan(target(urgency="urgent"), c)) == 1


def test_areas_always_filter_even_when_urgent():
    c = citizen(area="nord")
    assert plan(target(urgency="urgent", areas=frozenset({"centre"})), c) == []
    assert len(plan(target(areas=frozenset({"nord"})), c)) == 1


def test_no_topic_means_everyone():
    assert len(plan(target(topics=frozenset()), citizen(topics=frozenset()))) == 1


# weekly letter --------------------------------------------------------------------------------


def test_post_is_the_weekly_letter_for_non_urgent_news_and_ends_the_chain():
    c = citizen(channels=("post", "sms"), consents=frozenset({"post", "sms"}), has_address=True)
    [route] = plan(target(), c)
    assert (route.channel, route.fallbacks) == (WEEKLY_LETTER, ())
    c = citizen(
        channels=("sms", "post", "voice"),
        consents=frozenset({"post", "sms", "voice"}),
        has_address=True,
    )
    [route] = plan(target(), c)
    assert (route.channel, route.fallbacks) == ("sms", (WEEKLY_LETTER,))


def test_urgent_news_reaches_a_postal_subscriber_by_voice_and_post():
    c = citizen(
        channels=("post",), consents=frozenset({"post", "voice"}), has_address=True, is_mobile=False
    )
    routes = plan(target(urgency="urgent"), c)
    assert [(r.channel, r.fallbacks) for r in routes] == [("post", ()), ("voice", ())]


# urgent override ------------------------------------------------------------------------------


def test_urgent_uses_every_consented_channel_but_never_an_opted_out_one():
    c = citizen(channels=("sms",), consents=frozenset({"sms", "voice"}), topics=frozenset())
    assert [r.channel for r in plan(target(urgency="urgent"), c)] == ["sms", "voice"]
    stopped = citizen(channels=("sms", "voice"), consents=frozenset({"voice"}))
    assert [r.channel for r in plan(target(urgency="urgent"), stopped)] == ["voice"]


# quiet hours ----------------------------------------------------------------------------------

PARIS_23H = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)  # 23:00 in Paris (UTC+1)


def test_quiet_hours_defer_sms_to_the_end_of_the_window_in_the_citizens_time_zone():
    [route] = plan_routes(target(), [citizen(**NIGHT)], now=PARIS_23H)
    assert route.not_before == datetime(2026, 11, 21, 7, 0, tzinfo=UTC)  # 08:00 in Paris
    montreal = citizen(timezone="America/Montreal", **NIGHT)  # 17:00 there: not quiet
    [route] = plan_routes(target(), [montreal], now=PARIS_23H)
    assert route.not_before is None


def test_quiet_hours_inside_one_day_and_dst():
    nap = citizen(quiet_start=time(13, 0), quiet_end=time(15, 30))
    summer_2pm = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # 14:00 in Paris (UTC+2)
    [route] = plan_routes(target(), [nap], now=summer_2pm)
    assert route.not_before == datetime(2026, 7, 1, 13, 30, tzinfo=UTC)


def test_quiet_hours_never_delay_urgent_nor_post():
    routes = plan_routes(target(urgency="urgent"), [citizen(**NIGHT)], now=PARIS_23H)
    assert [r.not_before for r in routes] == [None]
    post = citizen(channels=("post",), consents=frozenset({"post"}), has_address=True, **NIGHT)
    [route] = plan_routes(target(), [post], now=PARIS_23H)
    assert route.not_before is None
