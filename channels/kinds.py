"""Provider account kinds: what an organisation's account of each kind holds and which delivery
channels it gives. The gateway stores accounts as data and builds their channels through this
table; nothing here reads settings or a database.

The contract every kind follows:

- its config is a frozen dataclass whose fields are the account's settings, as an admin types
  them (`crieur accounts add … KEY=VALUE`); a secret field is declared with
  `field(metadata=SECRET)`, a field the gateway fills itself (callback URLs, timeouts) with
  `field(metadata=INTERNAL)` (both from `channels.config`); `__post_init__` raises
  `ChannelConfigError("<kind>: <problem>")`;
- `build(config)` gives the account's channels by delivery channel name (a Twilio account is
  both `sms` and `voice`);
- `broadcast` kinds post once per account and announcement (social networks, Telegram); the
  others deliver to each citizen who consented to the channel (SMS, voice, email, WhatsApp).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from channels.base import Channel
from channels.config import INTERNAL, SECRET
from channels.errors import ChannelConfigError

__all__ = ["INTERNAL", "SECRET", "Kind", "RenderOnlyKind", "kinds", "render_only_kinds"]


@dataclass(frozen=True)
class Kind:
    name: str
    config: type
    build: Callable[[Any], dict[str, Channel]]
    broadcast: bool

    def fields(self) -> list[dataclasses.Field]:
        """The settings an admin gives, in declaration order (internal fields left out)."""
        return [f for f in dataclasses.fields(self.config) if not f.metadata.get("internal")]

    def secret_fields(self) -> frozenset[str]:
        return frozenset(
            f.name for f in dataclasses.fields(self.config) if f.metadata.get("secret")
        )

    def parse(self, values: Mapping[str, str], **internal: Any) -> Any:
        """The config from text values (`KEY=VALUE`), typed per field; one-line errors."""
        known = {f.name: f for f in self.fields()}
        for key in values:
            if key not in known:
                names = ", ".join(known)
                raise ChannelConfigError(f"{self.name}: unknown setting {key!r} (known: {names})")
        hints = typing.get_type_hints(self.config)
        typed: dict[str, Any] = {}
        for key, text in values.items():
            typed[key] = _typed(self.name, key, hints.get(key, str), text)
        missing = [
            f.name
            for f in self.fields()
            if f.name not in typed
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
        ]
        if missing:
            raise ChannelConfigError(f"{self.name}: missing setting {missing[0]!r}")
        return self.config(**typed, **internal)


@dataclass(frozen=True)
class RenderOnlyKind:
    """A form Crieur renders and previews but never sends: another authority broadcasts it."""

    name: str
    form: str
    sent_by: str
    urgent_only: bool = True


def render_only_kinds() -> dict[str, RenderOnlyKind]:
    """Forms without an account: FR-Alert's cell broadcast is triggered by the préfecture,
    which the town hall asks for with a text that fits (`renderers.cell_broadcast`)."""
    table = [RenderOnlyKind("cell-broadcast", "cell-broadcast", sent_by="préfecture (FR-Alert)")]
    return {kind.name: kind for kind in table}


def _typed(kind: str, key: str, hint: Any, text: str) -> Any:
    if not isinstance(text, str):
        return text
    try:
        if hint is bool:
            lowered = text.strip().lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(text)
            return lowered in ("1", "true", "yes")
        if hint is int:
            return int(text)
        if hint is float:
            return float(text)
    except ValueError:
        raise ChannelConfigError(f"{kind}: {key} must be a {hint.__name__}, not {text!r}") from None
    return text


def _twilio(config: Any) -> dict[str, Channel]:
    from channels.config import is_phone_number
    from channels.twilio import TwilioSMSChannel, TwilioVoiceChannel

    built: dict[str, Channel] = {"sms": TwilioSMSChannel(config)}
    if is_phone_number(config.from_number):  # a messaging service or sender ID cannot call
        built["voice"] = TwilioVoiceChannel(config)
    return built


def _single(module: str, cls: str, channel: str) -> Callable[[Any], dict[str, Channel]]:
    def build(config: Any) -> dict[str, Channel]:
        import importlib

        return {channel: getattr(importlib.import_module(module), cls)(config)}

    return build


def _config(module: str, cls: str) -> type:
    import importlib

    return getattr(importlib.import_module(module), cls)


def kinds() -> dict[str, Kind]:
    """Every kind by name (imported on call: the SDKs load only when accounts are built)."""
    table = [
        Kind("twilio", _config("channels.config", "TwilioConfig"), _twilio, broadcast=False),
        Kind(
            "mastodon",
            _config("channels.mastodon", "MastodonConfig"),
            _single("channels.mastodon", "MastodonChannel", "mastodon"),
            broadcast=True,
        ),
        Kind(
            "bluesky",
            _config("channels.bluesky", "BlueskyConfig"),
            _single("channels.bluesky", "BlueskyChannel", "bluesky"),
            broadcast=True,
        ),
        Kind(
            "x",
            _config("channels.x", "XConfig"),
            _single("channels.x", "XChannel", "x"),
            broadcast=True,
        ),
        Kind(
            "facebook",
            _config("channels.facebook", "FacebookConfig"),
            _single("channels.facebook", "FacebookChannel", "facebook"),
            broadcast=True,
        ),
        Kind(
            "telegram",
            _config("channels.telegram", "TelegramConfig"),
            _single("channels.telegram", "TelegramChannel", "telegram"),
            broadcast=True,
        ),
        Kind(
            "whatsapp",
            _config("channels.whatsapp", "WhatsAppConfig"),
            _single("channels.whatsapp", "WhatsAppChannel", "whatsapp"),
            broadcast=False,
        ),
        Kind(
            "email",
            _config("channels.email", "EmailConfig"),
            _single("channels.email", "EmailChannel", "email"),
            broadcast=False,
        ),
        Kind(
            "instagram",
            _config("channels.instagram", "InstagramConfig"),
            _single("channels.instagram", "InstagramChannel", "instagram"),
            broadcast=True,
        ),
        Kind(
            "linkedin",
            _config("channels.linkedin", "LinkedInConfig"),
            _single("channels.linkedin", "LinkedInChannel", "linkedin"),
            broadcast=True,
        ),
        Kind(
            "tiktok",
            _config("channels.tiktok", "TikTokConfig"),
            _single("channels.tiktok", "TikTokChannel", "tiktok"),
            broadcast=True,
        ),
    ]
    names = [kind.name for kind in table]
    assert len(names) == len(set(names)), "kind names are unique"
    assert not set(names) & set(render_only_kinds()), "a render-only kind has no account"
    return {kind.name: kind for kind in table}
