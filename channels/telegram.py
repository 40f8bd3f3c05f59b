"""Telegram: post a rendition's messages to a channel through the Bot API (plain httpx).

The Bot API has no idempotency key and gives a bot no way to read a channel back (bots get
no update for their own posts). So a post is made safe to retry this way:

- every message id Telegram returns is kept: in the receipt (`message_ids`) and, when a
  thread fails half-way, in the error (`sent_ids`). `post(rendition, known_ids=...)` then
  resumes after them: a confirmed message is never sent twice;
- a lost reply (`TelegramUnknownOutcomeError`: the request left, no answer came) is checked
  before anything is resent: `post(..., known_ids=..., unsure=True, after_id=...)` forwards
  the channel's messages that follow `after_id` into the account's private `check_chat_id`,
  compares their text with the lost one, deletes the copies, and adopts the match. Without
  a `check_chat_id` (or an `after_id`) it cannot check, so it refuses with a clear cause
  rather than risk posting twice;
- `edit(rendition, message_ids)` corrects a published thread in place (`editMessageText`);
- a 429 carries `retry_after`: a short one is waited here, a longer one is raised
  (`TelegramRetryableError.retry_after`) for the delivery engine to wait;
- `migrate_to_chat_id` (a group became a supergroup): the message goes to the new id, and
  the receipt's `migrate_to_chat_id` tells the gateway to update the account.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from channels.base import Channel, Receipt, Recipient
from channels.config import INTERNAL, SECRET, mask
from channels.errors import (
    ChannelConfigError,
    ChannelError,
    PermanentChannelError,
    RetryableChannelError,
    UnknownOutcomeError,
)
from channels.jsonhttp import json_object, never_sent
from renderers.message import Rendition

CHECK_WINDOW = 20  # how many messages after `after_id` a check looks at
_TOKEN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")
_CHAT = re.compile(r"^(@[A-Za-z][A-Za-z0-9_]{3,31}|-?\d{1,20})$")
_TOKEN_IN_URL = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")


class _RedactBotToken(logging.Filter):
    """httpx logs every request URL at INFO, and a Bot API URL holds the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if _TOKEN_IN_URL.search(text):
            record.msg, record.args = _TOKEN_IN_URL.sub("/bot<token>", text), ()
        return True


logging.getLogger("httpx").addFilter(_RedactBotToken())


@dataclass(frozen=True, repr=False)
class TelegramConfig:
    """One bot posting to one channel (`@name` or numeric id); the bot must be its admin.

    `check_chat_id` is an optional private chat (a group of the organisation's staff, where
    the bot is a member) used only to read back a post whose reply was lost.
    """

    chat_id: str
    bot_token: str = field(metadata=SECRET)
    check_chat_id: str = ""
    link_preview: bool = True
    base_url: str = "https://api.telegram.org"
    timeout: float = field(default=10.0, metadata=INTERNAL)
    max_wait: float = field(default=5.0, metadata=INTERNAL)  # longest 429 wait inside a send
    part_interval: float = field(default=1.0, metadata=INTERNAL)  # about 1 message/s per chat

    def __post_init__(self) -> None:
        if not _TOKEN.match(self.bot_token):
            raise ChannelConfigError("telegram: bot_token must look like 123456789:AA… (BotFather)")
        for name in ("chat_id", "check_chat_id"):
            value = getattr(self, name)
            if (value or name == "chat_id") and not _CHAT.match(value):
                raise ChannelConfigError(f"telegram: {name} must be @channelname or a numeric id")
        if not self.base_url.startswith(("http://", "https://")):
            raise ChannelConfigError("telegram: base_url must start with http:// or https://")
        if not self.timeout > 0:
            raise ChannelConfigError("telegram: timeout must be positive")

    @property
    def bot_id(self) -> str:
        return self.bot_token.split(":", 1)[0]

    def __repr__(self) -> str:
        return (
            f"TelegramConfig(chat_id={self.chat_id!r}, bot_token={mask(self.bot_token)!r}, "
            f"base_url={self.base_url!r})"
        )


class TelegramProgress:
    """What a failed post had already published: Telegram message ids, in thread order."""

    sent_ids: tuple[str, ...] = ()
    retry_after: float | None = None  # seconds Telegram asked us to wait (429)


class TelegramRetryableError(TelegramProgress, RetryableChannelError):
    pass


class TelegramUnknownOutcomeError(TelegramProgress, UnknownOutcomeError):
    """The message may be in the channel: resume with `unsure=True`, never resend blind."""


class TelegramPermanentError(TelegramProgress, PermanentChannelError):
    pass


class TelegramCredentialsError(TelegramProgress, ChannelConfigError, PermanentChannelError):
    """Telegram refused the bot token (401, or 404 for a malformed one)."""


class _Refused(Exception):
    """Telegram answered `ok: false`; classified by the caller, who knows the context."""

    def __init__(
        self,
        method: str,
        status: int,
        description: str,
        retry_after: float | None = None,
        migrate_to_chat_id: str = "",
    ) -> None:
        super().__init__(method, status)
        self.method, self.status, self.description = method, status, description
        self.retry_after, self.migrate_to_chat_id = retry_after, migrate_to_chat_id


class TelegramChannel(Channel):
    name: ClassVar[str] = "telegram"
    family: ClassVar[str] = "social"  # one post per channel account, like a social network
    forms: ClassVar[tuple[str, ...]] = ("telegram",)
    body_maxlen: ClassVar[int | None] = 4096
    request_rate_per_sec: ClassVar[float | None] = 20 / 60  # 20 messages a minute per channel

    def __init__(self, config: TelegramConfig) -> None:
        self.config = config
        self._chat_id = config.chat_id  # changes once if Telegram migrates the group
        self._http = httpx.Client(base_url=config.base_url, timeout=config.timeout)

    @property
    def account_key(self) -> str:
        return f"telegram:{self.config.bot_id}:{self.config.chat_id}"

    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt:
        return self.post(rendition)

    def post(
        self,
        rendition: Rendition,
        *,
        known_ids: Sequence[str] = (),
        unsure: bool = False,
        after_id: str | None = None,
    ) -> Receipt:
        """Post the rendition's messages that are not yet in the channel.

        `known_ids`: messages of this thread already confirmed (from a receipt or an error's
        `sent_ids`). `unsure`: the previous attempt lost the reply of the next message, so
        look for it first, among the messages after `after_id` (default: the last known id;
        for a first message, the caller gives the account's last known message id).
        """
        messages, plain = _parts(rendition)
        sent = [str(i) for i in known_ids]
        if len(sent) > len(messages):
            raise TelegramPermanentError(
                f"telegram: {len(sent)} known messages for a thread of {len(messages)}"
            )
        if unsure and len(sent) < len(messages):
            found = self._find_posted(plain[len(sent)], after_id or (sent[-1] if sent else None))
            if found:
                sent.append(found)
        for index in range(len(sent), len(messages)):
            if sent and self.config.part_interval:
                time.sleep(self.config.part_interval)
            sent.append(self._send_message(messages[index], index, sent))
        return self._receipt(sent)

    def edit(self, rendition: Rendition, message_ids: Sequence[str]) -> Receipt:
        """Correct a published thread in place; messages the new text adds are posted."""
        messages, _ = _parts(rendition)
        ids = [str(i) for i in message_ids]
        if len(messages) < len(ids):
            raise TelegramPermanentError(
                f"telegram: the correction has {len(messages)} messages, the thread {len(ids)}"
            )
        for index, (message_id, text) in enumerate(zip(ids, messages, strict=False)):
            payload = {
                "chat_id": self._chat_id,
                "message_id": int(message_id),
                "text": text,
                "parse_mode": "HTML",
                "link_preview_options": {"is_disabled": not self.config.link_preview},
            }
            try:
                self._request("editMessageText", payload, creates=False)
            except _Refused as refused:
                if "message is not modified" not in refused.description:
                    raise _progress(_classify(refused), ids[:index]) from None
        return self.post(rendition, known_ids=ids)

    def check(self, to: str = "") -> str:
        """Whether the bot may post in the channel: a real getMe, getChat and getChatMember.

        `to` is not used: the Bot API answers these questions without posting anything.
        """
        try:
            me = self._request("getMe", {}, creates=False)
            chat = self._request("getChat", {"chat_id": self._chat_id}, creates=False)
            member = self._request(
                "getChatMember", {"chat_id": self._chat_id, "user_id": me["id"]}, creates=False
            )
            if self.config.check_chat_id:
                self._request("getChat", {"chat_id": self.config.check_chat_id}, creates=False)
        except _Refused as refused:
            if refused.migrate_to_chat_id:
                raise TelegramPermanentError(
                    f"telegram: {self._chat_id} became the supergroup "
                    f"{refused.migrate_to_chat_id}: set chat_id={refused.migrate_to_chat_id}"
                ) from None
            raise _classify(refused) from None
        bot = f"@{me.get('username') or me['id']}"
        where = f"{chat.get('title') or self._chat_id} ({self._chat_id})"
        status = member.get("status", "?")
        if status not in ("administrator", "creator"):
            raise TelegramPermanentError(
                f"telegram: {bot} is {status} in {where}, not an administrator: make it an "
                "administrator allowed to post messages"
            )
        if chat.get("type") == "channel" and status == "administrator":
            if not member.get("can_post_messages"):
                raise TelegramPermanentError(
                    f"telegram: {bot} is an administrator of {where} without the right to post"
                )
        return f"telegram: {bot} is an administrator of {where} and can post"

    # requests ------------------------------------------------------------------------------

    def _send_message(self, text: str, index: int, sent: list[str]) -> str:
        payload: dict[str, Any] = {
            "chat_id": self._chat_id,
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": not self.config.link_preview},
            "disable_notification": index > 0,  # one notification per announcement
        }
        waited = False
        while True:
            try:
                return str(self._request("sendMessage", payload, creates=True)["message_id"])
            except _Refused as refused:
                if refused.migrate_to_chat_id and refused.migrate_to_chat_id != self._chat_id:
                    self._chat_id = payload["chat_id"] = refused.migrate_to_chat_id
                    continue
                wait = refused.retry_after
                if wait is not None and wait <= self.config.max_wait and not waited:
                    time.sleep(wait)  # a 429 means nothing was posted: the same message again
                    waited = True
                    continue
                raise _progress(_classify(refused), sent) from None
            except ChannelError as exc:
                raise _progress(exc, sent) from None

    def _find_posted(self, expected: str, after_id: str | None) -> str | None:
        """The id of the message after `after_id` whose text is `expected`, or None."""
        if not self.config.check_chat_id or after_id is None:
            missing = "check_chat_id is set" if after_id else "message id to start from is known"
            raise TelegramPermanentError(
                "telegram: a message may already be in the channel (its reply was lost) and "
                f"no {missing} to check it: look at the channel, then resend by hand"
            )
        if not after_id.lstrip("-").isdigit():
            raise TelegramPermanentError(f"telegram: {after_id!r} is not a message id")
        for candidate in range(int(after_id) + 1, int(after_id) + 1 + CHECK_WINDOW):
            payload = {
                "chat_id": self.config.check_chat_id,
                "from_chat_id": self._chat_id,
                "message_id": candidate,
                "disable_notification": True,
            }
            try:
                copy = self._request("forwardMessage", payload, creates=False)
            except _Refused as refused:
                if "not found" in refused.description:
                    continue  # deleted, or past the channel's last message
                raise _classify(refused) from None
            self._discard(copy["message_id"])
            if str(copy.get("text", "")).strip() == expected.strip():
                return str(candidate)
        return None

    def _discard(self, message_id: int) -> None:
        # The copy only served the comparison; one left behind in the staff chat harms nobody.
        try:
            payload = {"chat_id": self.config.check_chat_id, "message_id": message_id}
            self._request("deleteMessage", payload, creates=False)
        except (_Refused, ChannelError):
            pass

    def _request(self, method: str, payload: dict[str, Any], *, creates: bool) -> Any:
        """`result` of a Bot API call; raises `_Refused` when Telegram says no."""
        try:
            response = self._http.post(f"/bot{self.config.bot_token}/{method}", json=payload)
        except httpx.TransportError as exc:
            raise _transport_error(exc, method, creates) from None
        data = json_object(response)
        if response.is_success and data.get("ok"):
            return data.get("result")
        parameters = data.get("parameters") or {}
        retry_after = parameters.get("retry_after")
        raise _Refused(
            method,
            response.status_code,
            str(data.get("description") or response.reason_phrase),
            float(retry_after) if retry_after is not None else None,
            str(parameters.get("migrate_to_chat_id") or ""),
        )

    def _receipt(self, sent: list[str]) -> Receipt:
        extra = {"message_ids": ",".join(sent), "chat_id": self._chat_id}
        if self._chat_id != self.config.chat_id:
            extra["migrate_to_chat_id"] = self._chat_id
        return Receipt(provider_ref=sent[0], extra=extra)

    def __repr__(self) -> str:
        return f"<TelegramChannel {self.config!r}>"


def _parts(rendition: Rendition) -> tuple[tuple[str, ...], tuple[str, ...]]:
    messages = tuple(rendition.meta.get("messages") or (rendition.text,))
    plain = tuple(rendition.meta.get("plain") or messages)
    return messages, plain


def _classify(refused: _Refused) -> ChannelError:
    detail = f"telegram {refused.method}: {refused.description}"
    if refused.status in (401, 404):
        return TelegramCredentialsError(detail, status=refused.status)
    if refused.status == 429 or refused.retry_after is not None:
        error = TelegramRetryableError(detail, status=refused.status)
        error.retry_after = refused.retry_after
        return error
    if refused.status >= 500:
        return TelegramRetryableError(detail, status=refused.status)
    return TelegramPermanentError(detail, status=refused.status)


def _progress(error: ChannelError, sent: Sequence[str]) -> ChannelError:
    """`error` carrying the ids already posted (every error raised here is a Telegram one)."""
    if isinstance(error, TelegramProgress):
        error.sent_ids = tuple(sent)
    return error


def _transport_error(exc: httpx.TransportError, method: str, creates: bool) -> ChannelError:
    if creates and not never_sent(exc):
        return TelegramUnknownOutcomeError(f"telegram {method}: no reply ({type(exc).__name__})")
    return TelegramRetryableError(f"telegram {method}: {type(exc).__name__}")
