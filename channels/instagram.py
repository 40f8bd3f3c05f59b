"""Instagram (Graph API content publishing): a feed picture or a Reel, from a public URL.

Meta fetches the media itself, so the gateway serves the card or the video under the
verification page and the rendition carries that URL. Publishing takes three calls: create
a container, wait until Meta has processed it, publish it. Instagram has no idempotency key:
before publishing, the account's latest posts are searched for the same caption (it holds
the announcement's unique verification link), so a retried send cannot post twice.
"""

from __future__ import annotations

import time
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
    error_for_status,
)
from renderers.message import Rendition
from renderers.visual.media import Media, attached

# Graph codes worth a later retry: service errors, throttling, "media not ready" (9007) and
# the 24-hour publishing quota (subcode 2207042).
RETRYABLE_CODES = {1, 2, 4, 17, 32, 341, 613, 9007}
RETRYABLE_SUBCODES = {2207042}
AUTH_CODES = {102, 190}
RECENT_POSTS = 10


@dataclass(frozen=True, repr=False)
class InstagramConfig:
    """An Instagram professional account linked to a Facebook Page, and a token with
    `instagram_basic` + `instagram_content_publish`."""

    ig_user_id: str
    access_token: str = field(metadata=SECRET)
    base_url: str = "https://graph.facebook.com"
    api_version: str = "v21.0"
    poll_interval: float = field(default=2.0, metadata=INTERNAL)
    poll_timeout: float = field(default=120.0, metadata=INTERNAL)
    timeout: float = field(default=30.0, metadata=INTERNAL)

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ChannelConfigError("instagram: base_url must start with http:// or https://")
        if not self.ig_user_id.isdigit():
            raise ChannelConfigError("instagram: ig_user_id must be the account's numeric id")
        if not self.access_token:
            raise ChannelConfigError("instagram: access_token is empty")

    def __repr__(self) -> str:
        return (
            f"InstagramConfig(ig_user_id={self.ig_user_id!r}, "
            f"access_token={mask(self.access_token)!r}, base_url={self.base_url!r})"
        )


class InstagramChannel(Channel):
    name: ClassVar[str] = "instagram"
    family: ClassVar[str] = "social"
    forms: ClassVar[tuple[str, ...]] = ("instagram",)
    body_maxlen: ClassVar[int | None] = 2200
    request_rate_per_sec: ClassVar[float | None] = 50 / 86400  # 50 posts per moving 24 h

    def __init__(self, config: InstagramConfig) -> None:
        self.config = config
        self._http = httpx.Client(base_url=config.base_url, timeout=config.timeout)

    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt:
        media = _one_media(rendition)
        caption = str(rendition.meta.get("caption") or rendition.text)
        existing = self._published_with(caption)
        if existing:
            return Receipt(provider_ref=existing, extra={"replayed": "yes"})
        self._check_quota()
        container = self._create_container(media, caption)
        self._wait_until_finished(container)
        # A read timeout here is an unknown outcome: the retry finds the post by its caption.
        path = f"{self.config.ig_user_id}/media_publish"
        reply = self._call("POST", path, creation_id=container)
        return Receipt(provider_ref=str(reply["id"]), extra={"container": container})

    def check(self, to: str = "") -> str:
        """A dry check: the account and its publishing quota (nothing is posted)."""
        account = self._call("GET", self.config.ig_user_id, fields="id,username")
        used, total = self._quota()
        return f"instagram: @{account.get('username', '?')}, {used}/{total} posts in 24 h"

    def _published_with(self, caption: str) -> str:
        recent = self._call(
            "GET", f"{self.config.ig_user_id}/media", fields="id,caption", limit=str(RECENT_POSTS)
        )
        for post in recent.get("data") or []:
            if post.get("caption") == caption:
                return str(post["id"])
        return ""

    def _quota(self) -> tuple[int, int]:
        reply = self._call(
            "GET", f"{self.config.ig_user_id}/content_publishing_limit", fields="quota_usage,config"
        )
        usage = (reply.get("data") or [{}])[0]
        return int(usage.get("quota_usage", 0)), int(
            (usage.get("config") or {}).get("quota_total", 50)
        )

    def _check_quota(self) -> None:
        used, total = self._quota()
        if used >= total:
            raise RetryableChannelError(
                f"instagram: {used} of {total} posts already published in the last 24 h",
                code="quota",
            )

    def _create_container(self, media: Media, caption: str) -> str:
        params = {"caption": caption}
        if media.is_video:
            params.update(media_type="REELS", video_url=media.url)
        else:
            params.update(image_url=media.url, alt_text=media.alt)
        try:
            reply = self._call("POST", f"{self.config.ig_user_id}/media", **params)
        except UnknownOutcomeError as error:
            # An unanswered container is not a post: making another one is safe.
            raise RetryableChannelError(error.detail) from error
        return str(reply["id"])

    def _wait_until_finished(self, container: str) -> None:
        deadline = time.monotonic() + self.config.poll_timeout
        while True:
            reply = self._call("GET", container, fields="status_code,status")
            state = reply.get("status_code")
            if state == "FINISHED":
                return
            if state in ("ERROR", "EXPIRED"):
                raise PermanentChannelError(
                    f"instagram: the media was refused ({reply.get('status') or state})",
                    code=state,
                )
            if time.monotonic() >= deadline:
                raise RetryableChannelError(
                    f"instagram: still processing after {self.config.poll_timeout:.0f} s"
                )
            time.sleep(self.config.poll_interval)

    def _call(self, method: str, path: str, **params: str) -> dict[str, Any]:
        url = f"/{self.config.api_version}/{path}"
        token = {"access_token": self.config.access_token}
        try:
            if method == "GET":
                response = self._http.get(url, params={**params, **token})
            else:
                response = self._http.post(url, data={**params, **token})
        except httpx.TransportError as exc:
            raise _transport_error(exc) from exc
        if response.is_success:
            return response.json()
        raise _graph_error(response)

    def __repr__(self) -> str:
        return f"<InstagramChannel {self.config!r}>"


def _one_media(rendition: Rendition) -> Media:
    media = attached(rendition)
    if len(media) != 1 or not media[0].url:
        raise PermanentChannelError("instagram: a post needs one picture or video with its URL")
    if media[0].is_image and not media[0].alt.strip():
        raise PermanentChannelError("instagram: the picture has no alt text")
    if not (media[0].is_image or media[0].is_video):
        raise PermanentChannelError(f"instagram: cannot post {media[0].media_type}")
    return media[0]


def _graph_error(response: httpx.Response) -> ChannelError:
    try:
        error: dict[str, Any] = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code, subcode = error.get("code"), error.get("error_subcode")
    detail = f"instagram: {error.get('message') or response.reason_phrase}"
    if code in RETRYABLE_CODES or subcode in RETRYABLE_SUBCODES or error.get("is_transient"):
        return RetryableChannelError(detail, code=code, status=response.status_code)
    if code in AUTH_CODES:
        return PermanentChannelError(detail, code=code, status=response.status_code)
    return error_for_status(response.status_code, detail, code=code)


def _transport_error(exc: httpx.TransportError) -> ChannelError:
    if isinstance(exc, httpx.ReadTimeout):
        return UnknownOutcomeError("instagram: read timeout")
    return RetryableChannelError(f"instagram: {type(exc).__name__}")
