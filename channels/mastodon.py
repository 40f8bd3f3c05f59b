"""Mastodon: post a rendition's thread with Mastodon.py, one Idempotency-Key per post."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from typing import ClassVar

import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
)

from channels.attachments import images_to_attach
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
from renderers.i18n import language
from renderers.message import Rendition

VISIBILITIES = ("public", "unlisted", "private", "direct")
MEDIA_POLL_SECONDS = 0.5  # a picture is usually processed at once; a video takes longer
MEDIA_PROCESSING_SECONDS = 30.0


@dataclass(frozen=True, repr=False)
class MastodonConfig:
    """One Mastodon account: instance URL and an access token with `write:statuses`."""

    base_url: str
    access_token: str = field(metadata=SECRET)
    visibility: str = "public"
    max_characters: int = 500  # the instance's own limit (GET /api/v2/instance)
    attach_image: bool = False  # post the card with its alt text
    timeout: float = field(default=10.0, metadata=INTERNAL)

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ChannelConfigError("mastodon: base_url must start with http:// or https://")
        if not self.access_token:
            raise ChannelConfigError("mastodon: access_token is empty")
        if self.visibility not in VISIBILITIES:
            raise ChannelConfigError(f"mastodon: visibility must be one of {VISIBILITIES}")
        if not self.timeout > 0:
            raise ChannelConfigError("mastodon: timeout must be positive")

    def __repr__(self) -> str:
        return (
            f"MastodonConfig(base_url={self.base_url!r}, access_token={mask(self.access_token)!r}"
            f", visibility={self.visibility!r})"
        )


def post_keys(idempotency_key: str, count: int) -> list[str]:
    """One key per post, so a retried thread replays the posts already made, in order."""
    return [f"{idempotency_key}:{i}" for i in range(count)]


class MastodonChannel(Channel):
    name: ClassVar[str] = "mastodon"
    family: ClassVar[str] = "social"
    forms: ClassVar[tuple[str, ...]] = ("mastodon",)
    body_maxlen: ClassVar[int | None] = 500
    request_rate_per_sec: ClassVar[float | None] = 1.0  # 300 requests per 5 minutes

    def __init__(self, config: MastodonConfig) -> None:
        self.config = config
        self._client = Mastodon(
            api_base_url=config.base_url,
            access_token=config.access_token,
            request_timeout=config.timeout,
            ratelimit_method="throw",  # the delivery engine owns retries and backoff
            version_check_mode="none",
        )

    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt:
        posts = tuple(rendition.meta.get("posts") or (rendition.text,))
        media_ids = self._upload_images(rendition)  # attached to the first post
        ids: list[str] = []
        url = ""
        for post, key in zip(posts, post_keys(idempotency_key, len(posts)), strict=True):
            first = media_ids if not ids else None
            status = self._post(post, ids[-1] if ids else None, rendition.locale, key, first)
            ids.append(str(status["id"]))
            url = url or str(status.get("url") or "")
        return Receipt(provider_ref=ids[0], extra={"ids": ",".join(ids), "url": url})

    def _post(
        self,
        text: str,
        reply_to: str | None,
        locale: str,
        key: str,
        media_ids: list[str] | None = None,
    ):
        try:
            return self._client.status_post(
                text,
                in_reply_to_id=reply_to,
                media_ids=media_ids,
                visibility=self.config.visibility,
                language=language(locale),
                idempotency_key=key,
            )
        except MastodonError as exc:
            raise _mastodon_error(exc) from exc

    def check(self, to: str = "") -> str:
        """A dry check (`verify_credentials`): who the token posts as. `to` is not used."""
        try:
            me = self._client.account_verify_credentials()
        except MastodonError as exc:
            raise _mastodon_error(exc, with_status=True) from exc
        return f"mastodon: posts as @{me['acct']} ({me.get('display_name') or ''}) on " + (
            self.config.base_url
        )

    def _upload_images(self, rendition: Rendition) -> list[str] | None:
        """Upload the card (`/api/v2/media` with its description); wait until processed."""
        images = images_to_attach(rendition, wanted=self.config.attach_image, network="mastodon")
        ids = []
        for image in images:
            try:
                attachment = self._client.media_post(
                    io.BytesIO(image.data),
                    mime_type=image.media_type,
                    description=image.alt,
                    file_name=image.filename or "card.jpg",
                )
                deadline = time.monotonic() + MEDIA_PROCESSING_SECONDS
                while attachment.get("url") is None and time.monotonic() < deadline:
                    time.sleep(MEDIA_POLL_SECONDS)
                    attachment = self._client.media(attachment["id"])
            except MastodonRatelimitError as exc:
                raise RetryableChannelError("mastodon: rate limited", status=429) from exc
            except MastodonNetworkError as exc:
                raise RetryableChannelError("mastodon: network error (media)") from exc
            except MastodonAPIError as exc:
                status = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 500
                raise error_for_status(status, "mastodon: the picture was refused") from exc
            if attachment.get("url") is None:
                raise RetryableChannelError("mastodon: the picture is still being processed")
            ids.append(str(attachment["id"]))
        return ids or None

    def __repr__(self) -> str:
        return f"<MastodonChannel {self.config!r}>"


def _mastodon_error(exc: MastodonError, *, with_status: bool = False) -> ChannelError:
    """What Mastodon.py raised, as a channel error (`with_status`: the HTTP status named)."""
    if isinstance(exc, MastodonRatelimitError):
        return RetryableChannelError("mastodon: rate limited", status=429)
    if isinstance(exc, MastodonNetworkError):
        return _network_error(exc)
    if not isinstance(exc, MastodonAPIError):  # the library refused the call itself
        return PermanentChannelError(f"mastodon: {type(exc).__name__}")
    status = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 500
    detail = exc.args[3] if len(exc.args) > 3 and exc.args[3] else "error"
    return error_for_status(status, f"mastodon: {detail}" + (f" (HTTP {status})" * with_status))


def _network_error(exc: MastodonNetworkError) -> ChannelError:
    # Mastodon.py wraps the requests exception; a read timeout may hide an accepted post.
    if isinstance(exc.__context__, requests.exceptions.ReadTimeout):
        return UnknownOutcomeError("mastodon: read timeout")
    cause = exc.__context__
    return RetryableChannelError(
        f"mastodon: network error ({type(cause).__name__})" if cause else "mastodon: network error"
    )
