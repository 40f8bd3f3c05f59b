"""When will everyone have it? Time until the last delivery of each channel, by arithmetic.

Pure: the gateway gathers the figures (the plan or the progress, each account's limits, the
workers' measured throughput) into `ChannelWork` values; this module only computes.

For each channel the pace is the slowest of what bounds it: the provider account's limit (a
Twilio account places 1 call per second unless Twilio raised it) and the workers' measured
throughput. Once sending has gone on long enough, the announcement's own observed pace
replaces both. Deliveries deferred by quiet hours start when the last window ends (or when
the others are done, if later). A call is over `call_seconds` after it is placed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

# Deliveries per second assumed for a channel with no limit and no measurement: what two
# workers hand to a provider without a limit (bench/crisis.py measures the real figure).
UNMEASURED_RATE = 200.0
DEFAULT_CALL_SECONDS = 60.0  # an average alert call: the message, said twice, and the menu
# The observed pace is trusted once this many deliveries were handed over.
MIN_OBSERVED = 20

LIMIT, WORKERS, PROGRESS, UNMEASURED, DONE = "limit", "workers", "progress", "unmeasured", "done"


@dataclass(frozen=True)
class ChannelWork:
    """What is known of one channel's deliveries of one announcement."""

    channel: str
    total: int
    done: int = 0  # handed to the provider (or failed for good)
    deferred: int = 0  # of those left, waiting for the end of quiet hours
    deferred_until: datetime | None = None  # the last quiet window's end among them
    rate: float | None = None  # the account's limit, per second (None: no limit)
    burst: float = 0.0  # sends the account's token bucket allows at once
    call_seconds: float = 0.0  # voice: how long the last call lasts once placed
    throughput: float | None = None  # the workers' measured deliveries per second
    observed: float | None = None  # this announcement's own pace since its first send

    @property
    def left(self) -> int:
        return max(0, self.total - self.done)


@dataclass(frozen=True)
class ChannelETA:
    channel: str
    total: int
    done: int
    left: int
    deferred: int
    per_second: float  # the pace used
    basis: str  # limit, workers, progress, unmeasured or done
    seconds: float  # from now until the last delivery of the channel
    finishes_at: datetime


def pace(work: ChannelWork) -> tuple[float, str]:
    """Deliveries per second and what sets it."""
    if work.observed and work.done >= MIN_OBSERVED:
        return work.observed, PROGRESS
    known = [(r, LIMIT) for r in (work.rate,) if r] + [
        (t, WORKERS) for t in (work.throughput,) if t
    ]
    if not known:
        return UNMEASURED_RATE, UNMEASURED
    return min(known, key=lambda pair: pair[0])


def estimate_channel(work: ChannelWork, now: datetime) -> ChannelETA:
    """Seconds until the last delivery of `work.channel` is handed over (and a call ended)."""
    per_second, basis = pace(work)
    left = work.left
    if not left:
        return ChannelETA(work.channel, work.total, work.done, 0, 0, per_second, DONE, 0.0, now)
    deferred = min(work.deferred, left)
    ready = left - deferred
    # Before the first send, the token bucket lets `burst` go at once.
    free = work.burst if not work.done and basis != PROGRESS else 0.0
    seconds = max(0.0, ready - free) / per_second
    if deferred:
        opens = (work.deferred_until - now).total_seconds() if work.deferred_until else 0.0
        seconds = max(seconds, opens) + deferred / per_second
    seconds += work.call_seconds
    return ChannelETA(
        channel=work.channel,
        total=work.total,
        done=work.done,
        left=left,
        deferred=deferred,
        per_second=per_second,
        basis=basis,
        seconds=seconds,
        finishes_at=now + timedelta(seconds=seconds),
    )


def estimate(works: Iterable[ChannelWork], now: datetime) -> tuple[list[ChannelETA], datetime]:
    """Each channel's estimate (by channel name), and when everyone will have it: the end of
    the slowest channel."""
    etas = sorted((estimate_channel(work, now) for work in works), key=lambda e: e.channel)
    return etas, max((e.finishes_at for e in etas), default=now)
