"""Build one `twilio.rest.Client` per channel from a frozen `TwilioConfig`."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import requests
from twilio.rest import Client

from channels.base import Channel
from channels.config import TwilioConfig, mask
from channels.twilio.http import LeanHttpClient
from renderers.i18n import SOURCE_LOCALE, gettext

# Enough pooled keep-alive connections for a worker that sends from a few threads at once.
POOL_SIZE = 32

# How far before an attempt to look for what it may have created (provider clocks differ).
CLOCK_SKEW = timedelta(minutes=5)


def test_words() -> str:
    """What a test message or call says (`crieur accounts test --to`)."""
    return gettext(SOURCE_LOCALE, "Crieur : message de test de votre compte. Rien à faire.")


def utc(moment: datetime) -> datetime:
    """`moment` in UTC: the SDK formats datetimes with strftime(...Z) and ignores the offset."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def build_client(config: TwilioConfig) -> Client:
    """A client with a timeout and one pooled connection pool (keep-alive), aimed at
    `config.base_url` when set (every `*.twilio.com` request, list pages' links included)."""
    http_client = LeanHttpClient(
        timeout=config.timeout, base_url=config.base_url, proxy=config.proxy, pool_size=POOL_SIZE
    )
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

    def check(self, name: str) -> str:
        """Fetch the account: one line of what Twilio said; a bad credential raises."""
        from twilio.base.exceptions import TwilioException

        from channels.twilio.errors import from_twilio

        try:
            account = self.client.api.v2010.accounts(self.config.account_sid).fetch()
        except (TwilioException, requests.RequestException) as exc:
            raise from_twilio(name, exc, creating=False) from exc
        return (
            f"twilio: account {mask(self.config.account_sid)} "
            f"{account.friendly_name!r} is {account.status}"
        )

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

    def check(self, to: str = "") -> str:
        """Fetch the account (and, given `to`, send it a test: see the subclasses); one line of
        what Twilio answered. Raises `TwilioCredentialsError` when the account refuses us."""
        answer = self.holder.check(self.name)
        if to:
            answer += "; " + self.send_test(to)
        return answer

    def send_test(self, to: str) -> str:
        raise NotImplementedError

    def price_of(self, sid: str) -> tuple[Decimal, str] | None:
        """What Twilio charged for a message or call (`price`, `price_unit`), once it knows."""
        from twilio.base.exceptions import TwilioException

        from channels.twilio.errors import from_twilio

        try:
            resource = (self.client.messages if sid.startswith("SM") else self.client.calls)(
                sid
            ).fetch()
        except (TwilioException, requests.RequestException) as exc:
            raise from_twilio(self.name, exc, creating=False) from exc
        if resource.price in (None, ""):
            return None
        # Twilio reports charges as negative amounts ("-0.07250").
        return abs(Decimal(str(resource.price))), (resource.price_unit or "").upper()
