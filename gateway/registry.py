"""Channels per organisation, built from its provider accounts; the environment gives the
instance-wide default.

Precedence, per delivery channel:

- `sms` and `voice`: the organisation's enabled Twilio account, else the instance's
  (`TWILIO_*`), else the outbox. Whichever account sends, the organisation's own `sms_sender`
  (a number, a messaging service `MG…` or a sender ID) and `voice_sender` (a number) are the
  sender when set, else the account's `from_number` / `messaging_service_sid`.
- broadcast (social networks): one post per announcement on each enabled broadcast account of
  the organisation, in the account's language. An organisation with no broadcast account at
  all (enabled or not) gets the instance's default post: Mastodon from `MASTODON_*`, else the
  outbox. A disabled account posts nothing.

A bad account (settings its kind refuses, secrets that cannot be decrypted, a disabled or
removed account still named by a delivery) gives an `UnavailableChannel`: its own deliveries
fail permanently saying why; no other channel nor organisation is affected.

Registries are cached per process, keyed by the organisation's senders and its accounts'
`updated_at` (read once per batch), so a change made in another process is seen at the next
batch. `channels.cache_clear()` (the environment defaults) also drops them.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import Count, Max

from channels.base import Channel, Receipt, Recipient
from channels.config import TwilioConfig, is_phone_number
from channels.errors import ChannelError, PermanentChannelError
from channels.kinds import Kind, kinds
from channels.outbox import outbox_channel
from renderers.message import Rendition

DEFAULT_POST = "mastodon"  # the delivery channel of the instance's default post
# The per-citizen channels a kind gives, to fail them when its account cannot be built.
PROVIDES = {"twilio": ("sms", "voice")}
# Per-citizen channels whose instance-wide default is the outbox (no environment account).
OUTBOX_ONLY = {"whatsapp": "messaging", "email": "email"}


class UnavailableChannel(Channel):
    """Stands for an account that cannot send: every send fails permanently, saying why."""

    name: ClassVar[str] = "unavailable"
    family: ClassVar[str] = "none"
    forms: ClassVar[tuple[str, ...]] = ()

    def __init__(self, reason: str) -> None:
        self.reason = reason[:200]

    def send(self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str) -> Receipt:
        raise PermanentChannelError(self.reason)

    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt:
        raise PermanentChannelError(self.reason)

    def __repr__(self) -> str:
        return f"<UnavailableChannel {self.reason!r}>"


@dataclass(frozen=True)
class Target:
    """A channel as one organisation's deliveries use it: which account, at what rate."""

    channel: Channel
    account_id: int | None = None
    rate: float | None = None  # requests per second from the account's limits (0: none)

    @property
    def bucket(self) -> str:
        """The token bucket's key: the provider's account (and ours, two may share one)."""
        key = self.channel.account_key
        return f"{key}#{self.account_id}" if self.account_id is not None else key


@dataclass(frozen=True)
class Post:
    """One post per announcement: on this delivery channel, through this account."""

    channel: str
    account_id: int | None
    locale: str | None  # None: the announcement's own language
    label: str = ""


@dataclass
class OrgChannels:
    per_citizen: dict[str, Target] = field(default_factory=dict)
    broadcast: dict[tuple[str, int | None], Target] = field(default_factory=dict)
    posts: list[Post] = field(default_factory=list)
    unavailable: dict[int, str] = field(default_factory=dict)  # account id → why

    def target(self, channel: str, account_id: int | None = None) -> Target:
        """The target of a delivery; an unavailable one when nothing can send it."""
        if account_id is None and channel in self.per_citizen:
            return self.per_citizen[channel]
        found = self.broadcast.get((channel, account_id))
        if found is not None:
            return found
        why = self.unavailable.get(account_id or 0) or (
            f"account {account_id}: removed, or not an account of this organisation"
            if account_id is not None
            else f"no account sends {channel!r}"
        )
        return Target(UnavailableChannel(why), account_id)


@cache
def channels() -> dict[str, Channel]:
    """The instance-wide defaults from the environment; a bad credential fails here, at boot."""
    outbox = settings.OUTBOX_DIR
    registry: dict[str, Channel] = {}
    if settings.TWILIO_ACCOUNT_SID:
        from channels.twilio import TwilioSMSChannel, TwilioVoiceChannel

        config = default_twilio_config()
        registry["sms"] = TwilioSMSChannel(config)
        registry["voice"] = TwilioVoiceChannel(config)
    else:
        registry["sms"] = outbox_channel(outbox / "sms", "sms")
        registry["voice"] = outbox_channel(outbox / "voice", "voice")
    if settings.MASTODON_API_BASE_URL:
        from channels.mastodon import MastodonChannel, MastodonConfig

        registry[DEFAULT_POST] = MastodonChannel(
            MastodonConfig(
                base_url=settings.MASTODON_API_BASE_URL,
                access_token=settings.MASTODON_ACCESS_TOKEN,
            )
        )
    else:
        registry[DEFAULT_POST] = outbox_channel(outbox / "social", "social")
    for name, family in OUTBOX_ONLY.items():
        registry[name] = outbox_channel(outbox / name, family)
    return registry


def status_callback_url() -> str:
    return f"{settings.PUBLIC_URL}/hooks/twilio/status"


def default_twilio_config() -> TwilioConfig:
    return TwilioConfig(
        account_sid=settings.TWILIO_ACCOUNT_SID,
        auth_token=settings.TWILIO_AUTH_TOKEN,
        from_number=settings.TWILIO_FROM_NUMBER,
        messaging_service_sid=settings.TWILIO_MESSAGING_SERVICE_SID,
        base_url=settings.TWILIO_BASE_URL,
        status_callback_url=status_callback_url(),
        timeout=settings.TWILIO_TIMEOUT,
    )


def internal_settings(kind: Kind, *, test: bool = False) -> dict[str, Any]:
    """The fields the gateway fills in an account's config (callbacks, timeouts)."""
    if kind.name != "twilio":  # CRIEUR_TIMEOUT_<KIND>, else the channel's own
        timeout = settings.PROVIDER_TIMEOUTS.get(kind.name)
        return {} if timeout is None else {"timeout": timeout}
    values: dict[str, Any] = {"timeout": settings.TWILIO_TIMEOUT}
    if not test:  # a test message has no delivery for its callbacks to move
        values["status_callback_url"] = status_callback_url()
    return values


def with_sender(config: TwilioConfig, family: str, sender: str) -> TwilioConfig:
    """`config` sending from the organisation's own sender (a number, `MG…` or a sender ID)."""
    if not sender:
        return config
    if family == "sms" and sender.startswith("MG"):
        return dataclasses.replace(config, messaging_service_sid=sender, from_number="")
    if family == "voice" and not is_phone_number(sender):
        raise PermanentChannelError(f"voice_sender {sender!r} is not a number in E.164 form")
    return dataclasses.replace(config, from_number=sender, messaging_service_sid="")


def _per_citizen(
    name: str, base: Channel, config: TwilioConfig | None, sender: str, account_id: int | None
) -> Target:
    """The channel with the organisation's sender, or one saying why it cannot be made."""
    if config is None or not sender:
        return Target(base, account_id)
    try:
        own = with_sender(config, name, sender)
        if own == config:
            return Target(base, account_id)
        return Target(type(base)(own), account_id)  # type: ignore[call-arg]
    except ChannelError as exc:
        where = f"account {account_id}" if account_id else "organisation"
        return Target(UnavailableChannel(f"{where}: {exc}"), account_id)


def build(organisation_id: int, sms_sender: str, voice_sender: str) -> OrgChannels:
    """The organisation's channels from its current accounts (secrets decrypted here)."""
    from gateway.accounts.models import ProviderAccount
    from gateway.accounts.services import config_of

    result = OrgChannels()
    table = kinds()
    own: dict[str, tuple[Channel, Any, int]] = {}
    has_broadcast = False
    disabled: dict[str, str] = {}
    accounts = ProviderAccount.objects.current().filter(organisation_id=organisation_id)
    for account in accounts.select_related("organisation").order_by("pk"):
        kind = table.get(account.kind)
        name = f"account {account.pk} ({account.kind} {account.label!r})"
        if kind is None:
            result.unavailable[account.pk] = f"{name}: unknown kind"
            continue
        has_broadcast = has_broadcast or kind.broadcast
        rate = account.limits.get("rate")
        if not account.enabled:
            result.unavailable[account.pk] = f"{name} is disabled"
            disabled.setdefault(account.kind, f"{name} is disabled")
            continue
        try:
            config = config_of(account, **internal_settings(kind))
            built = kind.build(config)
        except Exception as exc:  # a bad account must never break the others
            why = f"{name}: {' '.join(str(exc).split())}"
            result.unavailable[account.pk] = why
            if kind.broadcast:
                result.posts.append(
                    Post(account.kind, account.pk, account.effective_locale, account.label)
                )
            else:  # its citizens' messages fail saying why, never through another account
                for channel_name in PROVIDES.get(kind.name, (kind.name,)):
                    result.per_citizen[channel_name] = Target(UnavailableChannel(why), account.pk)
            continue
        for channel_name, channel in built.items():
            if kind.broadcast:
                result.broadcast[(channel_name, account.pk)] = Target(channel, account.pk, rate)
                result.posts.append(
                    Post(channel_name, account.pk, account.effective_locale, account.label)
                )
            else:
                own.setdefault(channel_name, (channel, config, account.pk))
                result.per_citizen[channel_name] = Target(channel, account.pk, rate)
    defaults = channels()
    senders = {"sms": sms_sender, "voice": voice_sender}
    for name in ("sms", "voice"):
        if name in result.per_citizen and name not in own:
            continue  # its account is broken: it says so
        if name in own:
            channel, config, pk = own[name]
            target = _per_citizen(name, channel, config, senders[name], pk)
            result.per_citizen[name] = dataclasses.replace(
                target, rate=result.per_citizen[name].rate
            )
        else:
            base = defaults[name]
            config = base.holder.config if hasattr(base, "holder") else None
            result.per_citizen[name] = _per_citizen(name, base, config, senders[name], None)
    for name in OUTBOX_ONLY:  # no account of that kind: the outbox, like SMS without Twilio
        if name in disabled:  # never the outbox instead of the organisation's own account
            result.per_citizen.setdefault(name, Target(UnavailableChannel(disabled[name])))
        result.per_citizen.setdefault(name, Target(defaults[name]))
    if not has_broadcast:
        result.broadcast[(DEFAULT_POST, None)] = Target(defaults[DEFAULT_POST])
        result.posts.append(Post(DEFAULT_POST, None, None))
    return result


@dataclass
class _Entry:
    key: tuple
    defaults: dict[str, Channel]
    value: OrgChannels


_cache: dict[int, _Entry] = {}
_lock = threading.Lock()


def for_organisation(organisation_id: int) -> OrgChannels:
    """The organisation's channels, built again only when its accounts or senders changed."""
    from gateway.models import Organisation

    key = tuple(
        Organisation.objects.filter(pk=organisation_id)
        .annotate(version=Max("accounts__updated_at"), count=Count("accounts"))
        .values_list("sms_sender", "voice_sender", "version", "count")
        .get()
    )
    defaults = channels()
    with _lock:
        entry = _cache.get(organisation_id)
        if entry is not None and entry.key == key and entry.defaults is defaults:
            return entry.value
    value = build(organisation_id, key[0], key[1])
    with _lock:
        _cache[organisation_id] = _Entry(key, defaults, value)
    return value


def twilio_auth_token(organisation_id: int) -> str:
    """The auth token Twilio signs this organisation's webhooks with: its own Twilio account's,
    else the instance's."""
    registry = for_organisation(organisation_id)
    for name in ("sms", "voice"):
        holder = getattr(registry.target(name).channel, "holder", None)
        if holder is not None:
            return holder.config.auth_token
    return settings.TWILIO_AUTH_TOKEN


def cache_clear() -> None:
    """Forget every registry (tests that change the environment's settings)."""
    channels.cache_clear()
    with _lock:
        _cache.clear()
