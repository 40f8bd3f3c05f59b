"""Fetching a CAP document or feed over HTTP(S): size-limited, time-limited, no other scheme."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from gateway.alerts.parse import MAX_BYTES, CapError

TIMEOUT = 20.0


def fetch(url: str, *, what: str = "alert") -> bytes:
    """The document at `url` (CapError naming the problem: scheme, status, size, network)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise CapError(what, f"only http and https addresses are fetched ({url!r})")
    try:
        with httpx.stream("GET", url, timeout=TIMEOUT, follow_redirects=True) as response:
            if response.status_code != 200:
                raise CapError(what, f"{url} answered HTTP {response.status_code}")
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > MAX_BYTES:
                    raise CapError(what, f"larger than {MAX_BYTES // 1024} kB; refused")
            return bytes(data)
    except httpx.HTTPError as exc:
        raise CapError(what, f"{url} could not be fetched ({type(exc).__name__})") from None
