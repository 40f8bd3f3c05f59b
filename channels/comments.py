"""Comments citizens leave on the organisation's social accounts, read back for moderation:
Mastodon mentions and replies (notifications of type `mention`), Facebook page comments.

Built from an account's channel object (`comment_reader(channel)`), so whoever owns the
accounts (instance settings today, per-organisation accounts tomorrow) hands the channel in.
Nothing here decides anything: the gateway stores and classifies, an agent decides. Hiding is
offered where the network's API allows it (Facebook); Mastodon has no way to hide a reply.
"""

from __future__ import annotations

import html
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import httpx
from mastodon import Mastodon, MastodonAPIError, MastodonNetworkError

from channels.base import Channel
from channels.errors import PermanentChannelError, RetryableChannelError, error_for_status
from channels.facebook import FacebookChannel, FacebookConfig, _graph_error
from channels.mastodon import MastodonChannel, MastodonConfig

TAG = re.compile(r"<[^>]+>")


def plain(content: str) -> str:
    """Mastodon's HTML content as text: paragraphs and line breaks kept, tags dropped."""
    text = re.sub(r"</p>\s*<p>|<br\s*/?>", "\n", content or "")
    return html.unescape(TAG.sub("", text)).strip()


@dataclass(frozen=True)
class Comment:
    network: str
    id: str  # the comment's id on the network (unique there)
    author: str  # public handle or name, shown to the moderator
    author_id: str
    text: str
    url: str = ""
    in_reply_to: str = ""  # the post it answers, when the network says


@dataclass(frozen=True)
class Page:
    comments: list[Comment]  # oldest first
    cursor: str  # where the next fetch starts


class CommentReader(ABC):
    network: str
    can_hide: bool = False

    @abstractmethod
    def fetch(self, cursor: str = "") -> Page: ...

    def hide(self, comment_id: str) -> None:
        raise PermanentChannelError(f"{self.network}: comments cannot be hidden through its API")


class MastodonComments(CommentReader):
    network = "mastodon"

    def __init__(self, config: MastodonConfig, limit: int = 40) -> None:
        self.limit = limit
        self._client = Mastodon(
            api_base_url=config.base_url,
            access_token=config.access_token,
            request_timeout=config.timeout,
            ratelimit_method="throw",
            version_check_mode="none",
        )

    def fetch(self, cursor: str = "") -> Page:
        try:
            found = self._client.notifications(
                types=["mention"], since_id=cursor or None, limit=self.limit
            )
        except MastodonNetworkError as exc:
            raise RetryableChannelError("mastodon: network error") from exc
        except MastodonAPIError as exc:
            code = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 500
            raise error_for_status(code, "mastodon: cannot read notifications") from exc
        comments = []
        newest = cursor
        for item in sorted(found, key=lambda n: int(n["id"])):
            newest = str(item["id"])
            post: Any = item.get("status")
            if item.get("type") != "mention" or not post:
                continue
            account = post.get("account") or item.get("account") or {}
            comments.append(
                Comment(
                    network=self.network,
                    id=str(post["id"]),
                    author="@" + str(account.get("acct", "")),
                    author_id=str(account.get("id", "")),
                    text=plain(str(post.get("content", ""))),
                    url=str(post.get("url") or ""),
                    in_reply_to=str(post.get("in_reply_to_id") or ""),
                )
            )
        return Page(comments, newest)


class FacebookComments(CommentReader):
    """Comments on the page's recent posts (`GET /{page}/feed?fields=comments{…}`), newer than
    the cursor (the last comment's time); hidden with `POST /{comment} is_hidden=true`."""

    network = "facebook"
    can_hide = True
    FIELDS = "id,comments.limit(100){id,message,from,created_time,permalink_url}"

    def __init__(self, config: FacebookConfig) -> None:
        self.config = config
        self._http = httpx.Client(base_url=config.base_url, timeout=config.timeout)

    def _call(self, method: str, path: str, **params: str) -> Any:
        params["access_token"] = self.config.page_token
        try:
            if method == "GET":
                response = self._http.get(path, params=params)
            else:
                response = self._http.post(path, data=params)
        except httpx.TransportError as exc:
            raise RetryableChannelError(f"facebook: {type(exc).__name__}") from exc
        if not response.is_success:
            raise _graph_error(response)
        return response.json()

    def fetch(self, cursor: str = "") -> Page:
        path = f"/{self.config.api_version}/{self.config.page_id}/feed"
        data = self._call("GET", path, fields=self.FIELDS, limit="25")
        comments, newest = [], cursor
        for post in data.get("data", []):
            for item in (post.get("comments") or {}).get("data", []):
                created = str(item.get("created_time", ""))
                if cursor and created <= cursor:
                    continue
                author = item.get("from") or {}
                comments.append(
                    (
                        created,
                        Comment(
                            network=self.network,
                            id=str(item["id"]),
                            author=str(author.get("name", "")),
                            author_id=str(author.get("id", "")),
                            text=str(item.get("message", "")),
                            url=str(item.get("permalink_url") or ""),
                            in_reply_to=str(post.get("id", "")),
                        ),
                    )
                )
                newest = max(newest, created)
        return Page([c for _, c in sorted(comments, key=lambda pair: pair[0])], newest)

    def hide(self, comment_id: str) -> None:
        answer = self._call("POST", f"/{self.config.api_version}/{comment_id}", is_hidden="true")
        if not (isinstance(answer, dict) and answer.get("success")):
            raise PermanentChannelError("facebook: the comment was not hidden")


def comment_reader(channel: Channel) -> CommentReader | None:
    """The reader of an account's channel, or None for a channel whose network gives none."""
    if isinstance(channel, MastodonChannel):
        return MastodonComments(channel.config)
    if isinstance(channel, FacebookChannel):
        return FacebookComments(channel.config)
    return None


__all__ = [
    "Comment",
    "CommentReader",
    "FacebookComments",
    "MastodonComments",
    "Page",
    "comment_reader",
    "plain",
]
