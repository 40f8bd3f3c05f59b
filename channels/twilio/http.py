"""A lean HTTP client under the unmodified Twilio SDK: one pooled urllib3 connection pool.

The SDK's own client goes through a `requests` Session (request preparation, hooks, cookie and
environment merging) for every call; this one builds the request and hands it to urllib3, which
`requests` uses underneath anyway. Failures come out as the `requests` exceptions the SDK's
client raises, so `channels.twilio.errors.from_twilio` classifies both the same way.
"""

from __future__ import annotations

import json
import logging
from base64 import b64encode
from urllib.parse import urlencode, urlsplit, urlunsplit

import certifi
import requests
import urllib3
from twilio.http import HttpClient
from twilio.http.response import Response
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

_logger = logging.getLogger("twilio.http_client")


class LeanHttpClient(HttpClient):
    """Sends every `*.twilio.com` request to `base_url` when given (tests, benchmarks)."""

    def __init__(
        self, *, timeout: float, base_url: str = "", proxy: str = "", pool_size: int = 32
    ) -> None:
        super().__init__(_logger, False, timeout)
        ca_certs = certifi.where()  # the same CA bundle `requests` trusts
        self.pool: urllib3.PoolManager = (
            urllib3.ProxyManager(proxy, maxsize=pool_size, retries=False, ca_certs=ca_certs)
            if proxy
            else urllib3.PoolManager(maxsize=pool_size, retries=False, ca_certs=ca_certs)
        )
        parts = urlsplit(base_url)
        self._base = (parts.scheme, parts.netloc, parts.path.rstrip("/")) if base_url else None

    def request(
        self,
        method,
        url,
        params=None,
        data=None,
        headers=None,
        auth=None,
        timeout=None,
        allow_redirects=False,
    ) -> Response:
        url = self._rebased(url)
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params, doseq=True)
        headers = dict(headers or {})
        if auth:
            token = b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        body = None
        if data:
            if "json" in headers.get("Content-Type", ""):
                body = json.dumps(data).encode()
            else:
                body = urlencode(data, doseq=True).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        seconds = timeout or self.timeout
        try:
            reply = self.pool.request(
                method.upper(),
                url,
                body=body,
                headers=headers,
                timeout=urllib3.Timeout(connect=seconds, read=seconds),
                redirect=allow_redirects,
            )
        except ConnectTimeoutError as exc:
            raise requests.ConnectTimeout(str(exc)) from exc
        except ReadTimeoutError as exc:
            raise requests.ReadTimeout(str(exc)) from exc
        except (NewConnectionError, ProtocolError) as exc:
            raise requests.ConnectionError(str(exc)) from exc
        except HTTPError as exc:
            raise requests.RequestException(str(exc)) from exc
        return Response(reply.status, reply.data.decode("utf-8"), reply.headers)

    def _rebased(self, url: str) -> str:
        parts = urlsplit(url)
        if self._base is None or not (parts.hostname or "").endswith("twilio.com"):
            return url
        scheme, netloc, prefix = self._base
        return urlunsplit((scheme, netloc, prefix + parts.path, parts.query, ""))
