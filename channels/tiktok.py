"""TikTok (Content Posting API): the short video, as a draft in the creator's inbox by default,
or posted directly when the account says the app passed TikTok's audit.

`creator_info/query` comes first (TikTok requires it, and it gives the privacy levels and the
longest video allowed); the file goes up in chunks of 5 to 64 MB (one chunk under 5 MB);
TikTok reports errors in `error.code`, sometimes with HTTP 200, so every answer is read.
Each token may initialise 6 uploads a minute.
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
)
from renderers.message import Rendition
from renderers.visual.media import Media, attached

MB = 1024 * 1024
MIN_CHUNK, MAX_CHUNK = 5 * MB, 64 * MB
RETRYABLE_CODES = {"rate_limit_exceeded", "internal_error", "spam_risk_too_many_pending_share"}
PRIVACY_LEVELS = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY")
DONE = {"SEND_TO_USER_INBOX", "PUBLISH_COMPLETE"}


@dataclass(frozen=True, repr=False)
class TikTokConfig:
    """A creator's user access token (`video.upload`; `video.publish` for direct posts).

    `direct_post` only once the app passed TikTok's audit: before, posts can only be private.
    """

    access_token: str = field(metadata=SECRET)
    direct_post: bool = False
    privacy_level: str = "PUBLIC_TO_EVERYONE"
    base_url: str = "https://open.tiktokapis.com"
    chunk_size: int = field(default=10 * MB, metadata=INTERNAL)
    poll_interval: float = field(default=3.0, metadata=INTERNAL)
    poll_timeout: float = field(default=120.0, metadata=INTERNAL)
    timeout: float = field(default=60.0, metadata=INTERNAL)

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ChannelConfigError("tiktok: base_url must start with http:// or https://")
        if not self.access_token:
            raise ChannelConfigError("tiktok: access_token is empty")
        if self.privacy_level not in PRIVACY_LEVELS:
            raise ChannelConfigError(f"tiktok: privacy_level must be one of {PRIVACY_LEVELS}")
        if not MIN_CHUNK <= self.chunk_size <= MAX_CHUNK:
            raise ChannelConfigError("tiktok: chunk_size must be between 5 and 64 MB")

    def __repr__(self) -> str:
        mode = "direct" if self.direct_post else "inbox"
        return f"TikTokConfig(access_token={mask(self.access_token)!r}, mode={mode!r})"


def chunk_plan(size: int, preferred: int) -> tuple[int, int]:
    """(chunk_size, total_chunk_count) by TikTok's rules: the last chunk takes the rest."""
    if size < MIN_CHUNK:
        return size, 1
    chunk = min(max(preferred, MIN_CHUNK), MAX_CHUNK, size)
    return chunk, size // chunk


class TikTokChannel(Channel):
    name: ClassVar[str] = "tiktok"
    family: ClassVar[str] = "social"
    forms: ClassVar[tuple[str, ...]] = ("tiktok",)
    body_maxlen: ClassVar[int | None] = 2200
    request_rate_per_sec: ClassVar[float | None] = 6 / 60  # upload initialisations per token

    def __init__(self, config: TikTokConfig) -> None:
        self.config = config
        self._http = httpx.Client(base_url=config.base_url, timeout=config.timeout)

    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt:
        video = _one_video(rendition)
        creator = self._call("/v2/post/publish/creator_info/query/", {})
        longest = int(creator.get("max_video_post_duration_sec") or 0)
        if longest and video.duration > longest:
            raise PermanentChannelError(
                f"tiktok: the video lasts {video.duration:.0f} s, this creator may post {longest} s"
            )
        chunk, count = chunk_plan(len(video.data), self.config.chunk_size)
        body: dict[str, Any] = {
            "source_info": {
                "source": "FILE_UPLOAD",
                "video_size": len(video.data),
                "chunk_size": chunk,
                "total_chunk_count": count,
            }
        }
        if self.config.direct_post:
            body["post_info"] = self._post_info(rendition, creator)
            path = "/v2/post/publish/video/init/"
        else:
            path = "/v2/post/publish/inbox/video/init/"
        started = self._call(path, body)
        self._upload(started["upload_url"], video, chunk, count)
        state = self._wait(started["publish_id"])
        mode = "direct" if self.config.direct_post else "inbox"
        return Receipt(provider_ref=started["publish_id"], extra={"mode": mode, "state": state})

    def check(self, to: str = "") -> str:
        """A dry check: the creator the token speaks for, and how posts will go out."""
        creator = self._call("/v2/post/publish/creator_info/query/", {})
        options = creator.get("privacy_level_options") or []
        mode = "direct posts" if self.config.direct_post else "drafts in the creator's inbox"
        longest = creator.get("max_video_post_duration_sec", "?")
        return (
            f"tiktok: @{creator.get('creator_username', '?')}, {mode}; privacy "
            f"{'/'.join(options) or '?'}, videos up to {longest} s"
        )

    def _post_info(self, rendition: Rendition, creator: dict[str, Any]) -> dict[str, Any]:
        options = creator.get("privacy_level_options") or []
        if self.config.privacy_level not in options:
            raise PermanentChannelError(
                f"tiktok: privacy {self.config.privacy_level} is not offered (only "
                f"{', '.join(options) or 'none'}); has the app passed TikTok's audit?"
            )
        return {
            "title": str(rendition.meta.get("title") or rendition.text),
            "privacy_level": self.config.privacy_level,
            "disable_comment": bool(creator.get("comment_disabled")),
            "disable_duet": bool(creator.get("duet_disabled")),
            "disable_stitch": bool(creator.get("stitch_disabled")),
        }

    def _upload(self, url: str, video: Media, chunk: int, count: int) -> None:
        size = len(video.data)
        for index in range(count):
            first = index * chunk
            last = size - 1 if index == count - 1 else first + chunk - 1
            headers = {
                "Content-Type": video.media_type,
                "Content-Range": f"bytes {first}-{last}/{size}",
            }
            try:
                response = self._http.put(
                    url, content=video.data[first : last + 1], headers=headers
                )
            except httpx.TransportError as exc:
                raise RetryableChannelError(f"tiktok upload: {type(exc).__name__}") from exc
            if response.status_code not in (200, 201, 206):
                raise RetryableChannelError(
                    f"tiktok: chunk {index + 1}/{count} refused", status=response.status_code
                )

    def _wait(self, publish_id: str) -> str:
        deadline = time.monotonic() + self.config.poll_timeout
        while True:
            state = self._call("/v2/post/publish/status/fetch/", {"publish_id": publish_id})
            status = str(state.get("status", ""))
            if status in DONE:
                return status
            if status == "FAILED":
                raise PermanentChannelError(
                    f"tiktok: the video was refused ({state.get('fail_reason', 'no reason')})",
                    code="FAILED",
                )
            if time.monotonic() >= deadline:
                # Uploaded in full: TikTok finishes on its side; sending again would post twice.
                return status or "PROCESSING"
            time.sleep(self.config.poll_interval)

    def _call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {
            "Authorization": f"Bearer {self.config.access_token}",
            "Content-Type": "application/json; charset=UTF-8",
        }
        try:
            response = self._http.post(path, json=body, headers=headers)
        except httpx.TransportError as exc:
            raise _transport_error(exc, path) from exc
        try:
            reply = response.json()
        except ValueError:
            reply = {}
        error = reply.get("error") or {}
        code = error.get("code")
        if response.is_success and code == "ok":
            return reply.get("data") or {}
        detail = f"tiktok: {error.get('message') or code or response.reason_phrase}"
        status = response.status_code
        if code in RETRYABLE_CODES or status == 429 or status >= 500:
            raise RetryableChannelError(detail, code=code, status=status)
        raise PermanentChannelError(detail, code=code, status=status)

    def __repr__(self) -> str:
        return f"<TikTokChannel {self.config!r}>"


def _one_video(rendition: Rendition) -> Media:
    videos = [m for m in attached(rendition) if m.is_video and m.data]
    if len(videos) != 1:
        raise PermanentChannelError("tiktok: a post needs exactly one video file")
    return videos[0]


def _transport_error(exc: httpx.TransportError, path: str) -> ChannelError:
    if isinstance(exc, httpx.ReadTimeout) and path.endswith("/init/"):
        return UnknownOutcomeError("tiktok: read timeout while starting the upload")
    return RetryableChannelError(f"tiktok: {type(exc).__name__}")
