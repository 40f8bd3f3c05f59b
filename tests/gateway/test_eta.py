"""When will everyone have it: the arithmetic of `gateway.routing.eta`, with numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gateway.routing.eta import (
    DONE,
    LIMIT,
    MIN_OBSERVED,
    PROGRESS,
    UNMEASURED,
    UNMEASURED_RATE,
    WORKERS,
    ChannelWork,
    estimate,
    estimate_channel,
)

NOW = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)


def test_ten_thousand_calls_at_twilios_default_one_per_second():
    eta = estimate_channel(ChannelWork("voice", 10_000, rate=1.0, call_seconds=60), NOW)
    assert (eta.basis, eta.per_second) == (LIMIT, 1.0)
    assert eta.seconds == 10_000 + 60  # 2 h 46 min 40 s of placing calls, then the last call
    assert eta.finishes_at == NOW + timedelta(seconds=10_060)


def test_raised_to_ten_calls_per_second():
    eta = estimate_channel(ChannelWork("voice", 10_000, rate=10.0, call_seconds=60), NOW)
    assert eta.seconds == 1_000 + 60


def test_sms_at_a_short_codes_100_per_second_with_its_burst():
    eta = estimate_channel(ChannelWork("sms", 12_000, rate=100.0, burst=100.0), NOW)
    assert eta.seconds == pytest.approx((12_000 - 100) / 100)


def test_the_slower_of_the_limit_and_the_workers_sets_the_pace():
    slow_workers = ChannelWork("sms", 6_000, rate=100.0, throughput=40.0)
    assert estimate_channel(slow_workers, NOW).seconds == 150
    assert estimate_channel(slow_workers, NOW).basis == WORKERS
    fast_workers = ChannelWork("sms", 6_000, rate=100.0, throughput=400.0)
    assert estimate_channel(fast_workers, NOW).seconds == 60
    assert estimate_channel(fast_workers, NOW).basis == LIMIT


def test_nothing_known_assumes_the_unmeasured_rate():
    eta = estimate_channel(ChannelWork("email", 1_000), NOW)
    assert (eta.basis, eta.seconds) == (UNMEASURED, 1_000 / UNMEASURED_RATE)


def test_deferred_deliveries_start_when_the_last_quiet_window_ends():
    until = NOW + timedelta(hours=8)  # 7:00 in Paris
    work = ChannelWork("sms", 1_100, deferred=100, deferred_until=until, rate=10.0)
    eta = estimate_channel(work, NOW)
    # 1,000 now (100 s), then 100 more from 7:00 (10 s).
    assert eta.seconds == 8 * 3600 + 10
    assert eta.finishes_at == until + timedelta(seconds=10)


def test_deferred_wait_for_the_others_when_the_window_ends_first():
    work = ChannelWork(
        "sms", 1_100, deferred=100, deferred_until=NOW + timedelta(seconds=30), rate=10.0
    )
    assert estimate_channel(work, NOW).seconds == 100 + 10


def test_during_sending_the_observed_pace_replaces_the_limit():
    work = ChannelWork("voice", 3_000, done=600, rate=1.0, observed=0.8, call_seconds=60)
    eta = estimate_channel(work, NOW)
    assert (eta.basis, eta.left, eta.per_second) == (PROGRESS, 2_400, 0.8)
    assert eta.seconds == 2_400 / 0.8 + 60


def test_too_few_sends_to_trust_the_observed_pace():
    work = ChannelWork("voice", 3_000, done=MIN_OBSERVED - 1, rate=1.0, observed=50.0)
    eta = estimate_channel(work, NOW)
    assert eta.basis == LIMIT
    assert eta.seconds == 3_000 - (MIN_OBSERVED - 1)  # no burst once sending has started


def test_a_finished_channel_is_done_now():
    eta = estimate_channel(ChannelWork("sms", 500, done=500, rate=1.0, call_seconds=0), NOW)
    assert (eta.basis, eta.left, eta.seconds, eta.finishes_at) == (DONE, 0, 0.0, NOW)


def test_one_post_on_x_goes_at_once_within_its_daily_quota():
    eta = estimate_channel(ChannelWork("x", 1, rate=100 / 86400, burst=10.0), NOW)
    assert eta.seconds == 0


def test_everyone_has_it_when_the_slowest_channel_ends():
    etas, finishes = estimate(
        [
            ChannelWork("sms", 12_000, rate=100.0),
            ChannelWork("voice", 6_000, rate=1.0, call_seconds=60),
            ChannelWork("telegram", 1, rate=20 / 60, burst=10.0),
        ],
        NOW,
    )
    assert [e.channel for e in etas] == ["sms", "telegram", "voice"]
    assert {e.channel: e.seconds for e in etas} == {"sms": 120, "telegram": 0, "voice": 6_060}
    assert finishes == NOW + timedelta(seconds=6_060)
    assert estimate([], NOW) == ([], NOW)
