"""What the JSON-over-HTTP channels (Telegram, WhatsApp) share about an httpx exchange."""

from __future__ import annotations

from typing import Any

import httpx


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The response's JSON object, or `{}` when the body is not one (an HTML error page)."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def never_sent(exc: httpx.TransportError) -> bool:
    """Whether the request cannot have reached the provider (no connection was made), so
    a creation is safe to retry; otherwise only a check can tell whether it happened."""
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
