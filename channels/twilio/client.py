"""Build one `twilio.rest.Client` per channel from a frozen `TwilioConfig`."""

from __future__ import annotations

import os
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from channels.base import Channel
from channels.config import TwilioConfig

# Enough pooled keep-alive connections for a worker that sends from a few threads at once.
POOL_SIZE = 32


class RebasedHttpClient(TwilioHttpClient):
    """The SDK's HTTP client, sending every `*.twilio.com` request to `base_url` instead.

    Rewriting at this layer (rather than `client.api.base_url`) also covers the absolute
    `next_page_uri` links of list pages and any other Twilio domain the SDK reaches.
    """

    def __init__(self, base_url: str, **kwargs) -> None:
        super().__init__(**kwargs)
        parts = urlsplit(base_url)
        self._scheme, self._netloc = parts.scheme, parts.netloc
        self._prefix = parts.path.rstrip("/")
        if self.session is not None:  # the SDK only sizes the https:// pool
            self.session.mount("http://", HTTPAdapter(pool_maxsize=POOL_SIZE))

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        if parts.hostname and parts.hostname.endswith("twilio.com"):
            url = urlunsplit(
                (self._scheme, self._netloc, self._prefix + parts.path, parts.query, "")
            )
        return super().request(method, url, *args, **kwargs)


def build_client(config: TwilioConfig) -> Client:
    """A client with a timeout and one pooled session (keep-alive), aimed at `config.base_url`."""
    proxy = {"https": config.proxy, "http": config.proxy} if config.proxy else None
    if config.base_url:
        http_client: TwilioHttpClient = RebasedHttpClient(
            config.base_url, timeout=config.timeout, proxy=proxy
        )
    else:
        http_client = TwilioHttpClient(timeout=config.timeout, proxy=proxy)
        if http_client.session is not None:
            http_client.session.mount("https://", HTTPAdapter(pool_maxsize=POOL_SIZE))
    if http_client.session is not None:
        # Settings come from the frozen config, not the environment; skipping the per-request
        # proxy/netrc lookups is also a fifth of the client's time per send.
        http_client.session.trust_env = False
    return Client(
        config.account_sid,
        config.auth_token,
        http_client=http_client,
        # Non-empty on purpose: an empty mapping makes the SDK fall back to os.environ
        # (TWILIO_EDGE, TWILIO_REGION); channels take every setting from the frozen config.
        environment={"CRIEUR_TWILIO": "config"},
    )


class ClientHolder:
    """Keeps one client per process: a pooled socket must never be shared across a fork."""

    def __init__(self, config: TwilioConfig) -> None:
        self.config = config
        self._client: Client | None = None
        self._pid = 0

    @property
    def client(self) -> Client:
        if self._client is None or self._pid != os.getpid():
            self._client, self._pid = build_client(self.config), os.getpid()
        return self._client

    def check(self, name: str) -> None:
        """Fetch the account once, so a bad credential fails at start-up, not at the first send."""
        from twilio.base.exceptions import TwilioException

        from channels.twilio.errors import from_twilio

        try:
            self.client.api.v2010.accounts(self.config.account_sid).fetch()
        except (TwilioException, requests.RequestException) as exc:
            raise from_twilio(name, exc, creating=False) from exc

    def status_callback(self, idempotency_key: str) -> str | None:
        """The configured callback URL, tagged with the delivery's key so callbacks link back."""
        url = self.config.status_callback_url
        if not url:
            return None
        return f"{url}{'&' if '?' in url else '?'}{urlencode({'d': idempotency_key})}"


class TwilioChannel(Channel):
    """What the Twilio SMS and voice channels share: one account's client, built once."""

    def __init__(self, config: TwilioConfig) -> None:
        self.holder = ClientHolder(config)

    @property
    def client(self) -> Client:
        return self.holder.client

    @property
    def account_key(self) -> str:
        config = self.holder.config
        sender = config.from_number or config.messaging_service_sid
        return f"{self.name}:{config.account_sid}:{sender}"

    def check(self) -> None:
        """Raise `TwilioCredentialsError` (a `ChannelConfigError`) when the account refuses us."""
        self.holder.check(self.name)
