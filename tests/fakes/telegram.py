"""A local fake of the Telegram Bot API (`/bot<TOKEN>/<method>`) for the Telegram channel.

    with FakeTelegram() as fake:
        fake.add_chat("@mairie_infos", type="channel", bot="administrator")
        config = TelegramConfig("@mairie_infos", fake.token, base_url=fake.base_url)
        ...
        fake.messages("@mairie_infos")   # what the channel shows, in order

Speaks the wire format the channel uses: `getMe`, `getChat`, `getChatMember`,
`getChatAdministrators`, `sendMessage` (HTML parse mode, parsed like Telegram: tags and
entities checked, text counted after parsing in UTF-16 units, at most 4,096), `editMessageText`
("message is not modified" when nothing changes), `forwardMessage`, `deleteMessage`. Answers
are `{"ok": true, "result": …}` or `{"ok": false, "error_code", "description", "parameters"}`.
A wrong token is a 401; a chat posting more than `per_minute` messages a minute gets a 429
with `parameters.retry_after`; a migrated group answers with `migrate_to_chat_id`; a bot that
is not an administrator of a channel cannot post. Queued faults (`fail_next`) hit
`sendMessage` only.
"""

from __future__ import annotations

import argparse
import html
import itertools
import re
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.jsonapi import Answer, JSONServer, Request, run_as_process

TOKEN = "123456789:AAFakeTelegramTokenForCrieurTests_0123"
LIMIT = 4096
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
ENTITY_TYPES = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline"}
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)$")


class BadRequest(Exception):
    def __init__(self, description: str, status: int = 400, **parameters: Any) -> None:
        self.description, self.status, self.parameters = description, status, parameters


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: the displayed text and its entities, or BadRequest."""
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    entities: list[dict[str, Any]] = []
    i = 0

    def offset() -> str:
        return str(len(text[:i].encode()))

    while i < len(text):
        char = text[i]
        if char == "<":
            end = text.find(">", i)
            if end < 0:
                raise BadRequest(
                    f"Bad Request: can't parse entities: Unclosed start tag at "
                    f"byte offset {offset()}"
                )
            tag = text[i + 1 : end].strip()
            name = tag.lstrip("/").split(" ")[0].lower()
            if tag.startswith("/"):
                if not stack or stack[-1][0] != name:
                    raise BadRequest(
                        f"Bad Request: can't parse entities: Unmatched end tag at "
                        f"byte offset {offset()}"
                    )
                start_name, start = stack.pop()
                length = utf16("".join(out)) - start
                kind = ENTITY_TYPES.get(start_name, start_name)
                entities.append({"type": kind, "offset": start, "length": length})
            elif name not in ALLOWED_TAGS:
                raise BadRequest(
                    f"Bad Request: can't parse entities: Unsupported start tag "
                    f'"{name}" at byte offset {offset()}'
                )
            else:
                stack.append((name, utf16("".join(out))))
            i = end + 1
        elif char == "&":
            match = _ENTITY.match(text, i)
            if not match:
                raise BadRequest(
                    f"Bad Request: can't parse entities: Character '&' is reserved "
                    f"and must be escaped at byte offset {offset()}"
                )
            out.append(html.unescape(match.group()))
            i = match.end()
        elif char == ">":
            raise BadRequest(
                f"Bad Request: can't parse entities: Character '>' is reserved "
                f"and must be escaped at byte offset {offset()}"
            )
        else:
            out.append(char)
            i += 1
    if stack:
        raise BadRequest(
            f"Bad Request: can't parse entities: Can't find end tag corresponding "
            f'to start tag "{stack[-1][0]}"'
        )
    plain = "".join(out)
    stripped = plain.strip()
    lead = utf16(plain[: len(plain) - len(plain.lstrip())])
    for entity in entities:
        entity["offset"] -= lead
    return stripped, sorted(entities, key=lambda e: e["offset"])


@dataclass
class Chat:
    id: int
    type: str  # channel, supergroup, group, private
    title: str
    username: str = ""
    bot_status: str = "administrator"  # administrator, member, left
    can_post: bool = True
    migrated_to: int | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    ids: Any = field(default_factory=lambda: itertools.count(1))
    sent_at: list[float] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            chat["username"] = self.username
        return chat


class FakeTelegram(JSONServer):
    server_version = "nginx/1.18.0"

    def __init__(self, token: str = TOKEN, *, per_minute: int = 20, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token = token
        self.bot_id = int(token.split(":")[0])
        self.per_minute = per_minute
        self.chats: dict[int, Chat] = {}
        self._ids = itertools.count(-1001000000001, -1)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    # set-up and inspection ---------------------------------------------------------------

    def add_chat(
        self, name: str = "", *, type: str = "channel", bot: str = "administrator", **kw: Any
    ) -> Chat:
        chat = Chat(
            id=next(self._ids),
            type=type,
            title=kw.pop("title", name.lstrip("@") or "Staff"),
            username=name.lstrip("@"),
            bot_status=bot,
            **kw,
        )
        with self.lock:
            self.chats[chat.id] = chat
        return chat

    def migrate(self, chat: Chat) -> Chat:
        """The group becomes a supergroup: a new id, the old one answers with it."""
        new = self.add_chat(type="supergroup", title=chat.title)
        chat.migrated_to = new.id
        return new

    def messages(self, chat: str | int | Chat) -> list[dict[str, Any]]:
        with self.lock:
            return [
                dict(m) for m in self._chat(chat.id if isinstance(chat, Chat) else chat).messages
            ]

    def post_as_admin(self, chat: Chat, text: str) -> dict[str, Any]:
        """A person posts in the channel from the app (the bot did not send it)."""
        with self.lock:
            return self._store(chat, text, [], by_bot=False)

    # wire format -------------------------------------------------------------------------

    def creates(self, request: Request) -> bool:
        return request.path.endswith("/sendMessage")

    def api(self, request: Request) -> Answer:
        match = _PATH.match(request.path)
        if not match:
            return _error(BadRequest("Not Found", 404))
        if match["token"] != self.token:
            return _error(BadRequest("Unauthorized", 401))
        method = getattr(self, f"_{match['method']}", None)
        if method is None:
            return _error(BadRequest("Not Found: method not found", 404))
        params = request.params()
        with self.lock:
            self.calls.append((match["method"], params))
            try:
                return Answer(200, {"ok": True, "result": method(params)})
            except BadRequest as refused:
                return _error(refused)

    def _chat(self, key: Any) -> Chat:
        if key is None or key == "":
            raise BadRequest("Bad Request: chat_id is empty")
        text = str(key)
        for chat in self.chats.values():
            if text == str(chat.id) or (
                chat.username and text.lower() == f"@{chat.username}".lower()
            ):
                if chat.migrated_to is not None:
                    raise BadRequest(
                        "Bad Request: group chat was upgraded to a supergroup chat",
                        migrate_to_chat_id=chat.migrated_to,
                    )
                return chat
        raise BadRequest("Bad Request: chat not found")

    def _me(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Crieur",
            "username": "crieur_test_bot",
        }

    def _getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._me()

    def _getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        if chat.bot_status == "left":
            raise BadRequest("Bad Request: chat not found")
        return chat.public()

    def _member(self, chat: Chat) -> dict[str, Any]:
        member: dict[str, Any] = {"user": self._me(), "status": chat.bot_status}
        if chat.bot_status == "administrator":
            member |= {
                "can_be_edited": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_post_messages": chat.can_post,
                "can_edit_messages": chat.can_post,
            }
        return member

    def _getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        if str(params.get("user_id")) != str(self.bot_id):
            return {"user": {"id": int(params.get("user_id") or 0)}, "status": "left"}
        if chat.type == "channel" and chat.bot_status == "left":
            raise BadRequest("Bad Request: member list is inaccessible")
        return self._member(chat)

    def _getChatAdministrators(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat = self._chat(params.get("chat_id"))
        owner = {"user": {"id": 42, "is_bot": False, "first_name": "Agent"}, "status": "creator"}
        return [owner] + ([self._member(chat)] if chat.bot_status == "administrator" else [])

    def _may_post(self, chat: Chat) -> None:
        if chat.bot_status == "left":
            raise BadRequest("Forbidden: bot is not a member of the channel chat", 403)
        if chat.type == "channel" and not (chat.bot_status == "administrator" and chat.can_post):
            raise BadRequest("Bad Request: need administrator rights in the channel chat")

    def _text(self, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        text = str(params.get("text") or "")
        if params.get("parse_mode") == "HTML":
            plain, entities = parse_html(text)
        elif params.get("parse_mode"):
            raise BadRequest("Bad Request: unsupported parse_mode")
        else:
            plain, entities = text.strip(), []
        if not plain:
            raise BadRequest("Bad Request: message text is empty")
        if utf16(plain) > LIMIT:
            raise BadRequest("Bad Request: message is too long")
        return plain, entities

    def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        self._may_post(chat)
        plain, entities = self._text(params)
        now = time.monotonic()
        chat.sent_at = [t for t in chat.sent_at if now - t < 60]
        if len(chat.sent_at) >= self.per_minute:
            wait = int(60 - (now - chat.sent_at[0])) + 1
            raise BadRequest(f"Too Many Requests: retry after {wait}", 429, retry_after=wait)
        chat.sent_at.append(now)
        return self._store(
            chat, plain, entities, by_bot=True, silent=bool(params.get("disable_notification"))
        )

    def _store(
        self,
        chat: Chat,
        plain: str,
        entities: list[dict[str, Any]],
        *,
        by_bot: bool,
        silent: bool = False,
        **extra: Any,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(chat.ids),
            "chat": chat.public(),
            "date": int(time.time()),
            "text": plain,
            **({"entities": entities} if entities else {}),
            **extra,
        }
        if chat.type == "channel":
            message["sender_chat"] = chat.public()
        elif by_bot:
            message["from"] = self._me()
        chat.messages.append({**message, "_by_bot": by_bot, "_silent": silent})
        return message

    def _find(self, chat: Chat, message_id: Any, missing: str) -> dict[str, Any]:
        for message in chat.messages:
            if str(message["message_id"]) == str(message_id):
                return message
        raise BadRequest(f"Bad Request: {missing}")

    def _editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        message = self._find(chat, params.get("message_id"), "message to edit not found")
        if not message["_by_bot"] and not (chat.type == "channel" and chat.can_post):
            raise BadRequest("Bad Request: message can't be edited")
        plain, entities = self._text(params)
        if plain == message["text"] and entities == message.get("entities", []):
            raise BadRequest(
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup of "
                "the message"
            )
        message.update(text=plain, entities=entities, edit_date=int(time.time()))
        return {k: v for k, v in message.items() if not k.startswith("_")}

    def _forwardMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        target = self._chat(params.get("chat_id"))
        source = self._chat(params.get("from_chat_id"))
        original = self._find(source, params.get("message_id"), "message to forward not found")
        self._may_post(target)
        origin = {
            "type": "channel",
            "chat": source.public(),
            "message_id": original["message_id"],
            "date": original["date"],
        }
        return self._store(
            target,
            original["text"],
            list(original.get("entities", [])),
            by_bot=True,
            forward_origin=origin,
        )

    def _deleteMessage(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params.get("chat_id"))
        message = self._find(chat, params.get("message_id"), "message to delete not found")
        chat.messages.remove(message)
        return True


def _error(refused: BadRequest) -> Answer:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": refused.status,
        "description": refused.description,
    }
    if refused.parameters:
        body["parameters"] = refused.parameters
    return Answer(refused.status, body)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.telegram", description=__doc__)
    parser.add_argument("--token", default=TOKEN)

    def build(args: argparse.Namespace) -> FakeTelegram:
        fake = FakeTelegram(args.token, host=args.host, port=args.port)
        fake.add_chat("@crieur_demo", type="channel")
        return fake

    run_as_process(build, parser)


if __name__ == "__main__":
    main()
