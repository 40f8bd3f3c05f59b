"""Routing v1 as a pure function: consent, order, language fallback, one SMS per phone."""

from __future__ import annotations

import pytest

from gateway.routing import AnnouncementTarget, CitizenProfile, plan_routes


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
    c = citizen(channels=("sms", "post"), consents=frozenset({"post"}), has_address=True)
    [route] = plan(target(), c)
    assert (route.channel, route.fallbacks) == ("post", ())


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
