"""The one token bucket, in this process and through Redis (when a Redis server answers)."""

import uuid

import pytest

from gateway import ratelimit
from gateway.ratelimit import MemoryBackend, RedisBackend, TokenBucket


def redis_backend() -> RedisBackend:
    backend = RedisBackend("redis://127.0.0.1:6379/15")
    try:
        backend._client.ping()
    except Exception as error:  # noqa: BLE001 - any connection problem means "no Redis here"
        pytest.skip(f"no Redis server on 127.0.0.1:6379 ({type(error).__name__})")
    return backend


@pytest.fixture(params=["memory", "redis"])
def bucket(request, monkeypatch):
    backend = MemoryBackend() if request.param == "memory" else redis_backend()
    monkeypatch.setattr(ratelimit, "backend", lambda: backend)
    # one token per second, three at once; a fresh name so Redis state never leaks between runs
    return TokenBucket(f"test-{uuid.uuid4().hex}", rate=1.0, burst=3)


def test_allow_grants_the_burst_then_refuses(bucket):
    assert [bucket.allow("198.51.100.7") for _ in range(4)] == [True, True, True, False]
    assert 0.9 < bucket.retry_after("198.51.100.7") <= 1.0


def test_keys_have_their_own_buckets(bucket):
    for _ in range(3):
        assert bucket.allow("a")
    assert not bucket.allow("a")
    assert bucket.allow("b")


def test_a_refusal_takes_nothing(bucket):
    for _ in range(3):
        bucket.allow()
    for _ in range(5):
        assert not bucket.allow()
    assert bucket.retry_after() <= 1.0  # still one token away, not six


def test_reserve_runs_into_debt_and_says_how_long_to_wait(bucket):
    assert bucket.reserve(n=3) == 0.0
    assert 1.9 < bucket.reserve(n=2) <= 2.0
    assert 3.9 < bucket.reserve(n=2) <= 4.0
    assert not bucket.allow()
