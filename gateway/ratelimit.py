"""Token buckets, the one rate limiter: provider send rates and public-endpoint limits.

A bucket holds up to `burst` tokens and refills at `rate` tokens per second. Buckets are shared
through Redis when `settings.RATELIMIT_REDIS_URL` is set (production: every worker process and
web process sees the same bucket), and kept in this process otherwise (the embedded default,
where one process does everything).

Two ways to take tokens:
- `reserve(key, n)` always takes them, running into debt, and answers how long to wait before
  using them: a sender that must send anyway paces itself (provider accounts).
- `allow(key, n)` takes them only if they are there: a request that may be refused (public
  endpoints answer 429).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from django.conf import settings


class Backend(Protocol):
    def take(self, key: str, rate: float, burst: float, n: float, debt: bool) -> float: ...


class MemoryBackend:
    """Buckets in this process, behind one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str, rate: float, burst: float, n: float, debt: bool) -> float:
        with self._lock:
            now = time.monotonic()
            tokens, stamp = self._buckets.get(key, (burst, now))
            tokens = min(burst, tokens + (now - stamp) * rate)
            if tokens >= n or debt:
                tokens = min(burst, tokens - n)
                wait = max(0.0, -tokens / rate)
            else:
                wait = (n - tokens) / rate
            self._buckets[key] = (tokens, now)
            return wait


# KEYS[1] bucket; ARGV rate, burst, n, debt (1/0). Returns the wait in microseconds, and for a
# refused `allow` a negative number (so the caller can tell "granted after waiting" from "no").
_LUA = """
local rate, burst, n, debt = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local state = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(state[1]) or burst
local stamp = tonumber(state[2]) or now
tokens = math.min(burst, tokens + (now - stamp) * rate)
local result
if tokens >= n or debt == '1' then
  tokens = math.min(burst, tokens - n)
  result = math.max(0, -tokens / rate)
else
  result = -((n - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'stamp', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return math.floor(result * 1e6)
"""


class RedisBackend:
    """Buckets in Redis, updated atomically by one Lua script with Redis's own clock."""

    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url)
        self._script = self._client.register_script(_LUA)

    def take(self, key: str, rate: float, burst: float, n: float, debt: bool) -> float:
        micros = int(self._script(keys=[f"crieur:bucket:{key}"], args=[rate, burst, n, int(debt)]))
        return abs(micros) / 1e6  # negative: refused, and how long until enough tokens


@lru_cache(maxsize=1)
def backend() -> Backend:
    url = getattr(settings, "RATELIMIT_REDIS_URL", "")
    return RedisBackend(url) if url else MemoryBackend()


@dataclass(frozen=True)
class TokenBucket:
    """`rate` tokens per second, at most `burst` at once, named by `name` plus a key."""

    name: str
    rate: float
    burst: float

    def reserve(self, key: str = "", n: float = 1) -> float:
        """Take `n` tokens now, into debt if need be; seconds to wait before using them."""
        return backend().take(self._key(key), self.rate, self.burst, n, debt=True)

    def give_back(self, key: str = "", n: float = 1) -> None:
        """Return `n` tokens taken (by `reserve`, `allow` or `retry_after`) for work that was not
        done after all; never above `burst`, and out of a debt too."""
        backend().take(self._key(key), self.rate, self.burst, -n, debt=True)

    def allow(self, key: str = "", n: float = 1) -> bool:
        """Take `n` tokens if the bucket has them; False (and nothing taken) otherwise."""
        return self.retry_after(key, n) == 0.0

    def retry_after(self, key: str = "", n: float = 1) -> float:
        """Like `allow`, but a refusal answers the seconds to wait (for `Retry-After`)."""
        return backend().take(self._key(key), self.rate, self.burst, n, debt=False)

    def _key(self, key: str) -> str:
        return f"{self.name}:{key}" if key else self.name


def rate_limited(bucket: TokenBucket):
    """A view decorator for public pages: one bucket per client address; 429 with Retry-After.

    The address is REMOTE_ADDR: behind a reverse proxy, have it set the client's address.
    """
    import math
    from functools import wraps

    from django.shortcuts import render

    def decorate(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            wait = bucket.retry_after(request.META.get("REMOTE_ADDR", ""))
            if wait > 0:
                response = render(request, "429.html", status=429)
                response["Retry-After"] = str(max(1, math.ceil(wait)))
                return response
            return view(request, *args, **kwargs)

        return limited

    return decorate
