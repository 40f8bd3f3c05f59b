"""X: a reply chain of posts over API v2 `POST /2/tweets` (OAuth 2.0 user-context token).

X has no idempotency key; it refuses an exact duplicate of a recent post (403), which is
mapped to a permanent error so a retried thread fails loudly instead of posting twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from channels.attachments import images_to_attach
from channels.base import Channel, Receipt, Recipient
from channels.config import INTERNAL, SECRET, mask
from channels.errors import (
    ChannelConfigError,
    ChannelError,
    RetryableChannelError,
    UnknownOutcomeError,
    error_for_status,
)
from renderers.message import Rendition

MAX_IMAGE_BYTES = 5 * 1024 * 1024  # X's limit for a picture (tweet_image)


@dataclass(frozen=True, repr=False)
class XConfig:
    """One X account: a user-context access token with `tweet.write`."""

    access_token: str = field(metadata=SECRET)
    base_url: str = "https://api.x.com"
    attach_image: bool = False  # post the card with its alt text (needs `media.write`)
    timeout: float = field(default=10.0, metadata=INTERNAL)

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ChannelConfigError("x: base_url must start with http:// or https://")
        if not self.access_token:
            raise ChannelConfigError("x: access_token is empty")

    def __repr__(self) -> str:
        return f"XConfig(access_token={mask(self.access_token)!r}, base_url={self.base_url!r})"


class XChannel(Channel):
    name: ClassVar[str] = "x"
    family: ClassVar[str] = "social"
    forms: ClassVar[tuple[str, ...]] = ("x",)
    body_maxlen: ClassVar[int | None] = 280
    request_rate_per_sec: ClassVar[float | None] = 100 / 86400  # free tier: 100 posts a day

    def __init__(self, config: XConfig) -> None:
        self.config = config
        self._http = httpx.Client(base_url=config.base_url, timeout=config.timeout)

    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt:
        posts = tuple(rendition.meta.get("posts") or (rendition.text,))
        media_ids = self._upload_images(rendition)  # on the first post
        ids: list[str] = []
        for text in posts:
            body: dict[str, Any] = {"text": text}
            if ids:
                body["reply"] = {"in_reply_to_tweet_id": ids[-1]}
            elif media_ids:
                body["media"] = {"media_ids": media_ids}
            ids.append(self._post(body))
        return Receipt(provider_ref=ids[0], extra={"ids": ",".join(ids)})

    def _post(self, body: dict[str, Any]) -> str:
        headers = {"Authorization": f"Bearer {self.config.access_token}"}
        try:
            response = self._http.post("/2/tweets", json=body, headers=headers)
        except httpx.TransportError as exc:
            raise _transport_error(exc) from exc
        if response.is_success:
            return str(response.json()["data"]["id"])
        raise error_for_status(response.status_code, f"x: {_detail(response)}")

    def _upload_images(self, rendition: Rendition) -> list[str]:
        """Media upload v2 (`/2/media/upload`), then the alt text (`/2/media/metadata`)."""
        images = images_to_attach(
            rendition, wanted=self.config.attach_image, network="x", max_bytes=MAX_IMAGE_BYTES
        )
        ids = []
        for image in images:
            uploaded = self._media_call(
                "/2/media/upload",
                files={"media": (image.filename or "card.jpg", image.data, image.media_type)},
                data={"media_category": "tweet_image", "media_type": image.media_type},
            )
            media_id = str(uploaded["data"]["id"])
            metadata = {"id": media_id, "metadata": {"alt_text": {"text": image.alt}}}
            self._media_call("/2/media/metadata", json=metadata)
            ids.append(media_id)
        return ids

    def _media_call(self, path: str, **kwargs: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.config.access_token}"}
        try:
            response = self._http.post(path, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            raise RetryableChannelError(f"x {path}: {type(exc).__name__}") from exc
        if response.is_success:
            return response.json()
        raise error_for_status(response.status_code, f"x {path}: {_detail(response)}")

    def check(self, to: str = "") -> str:
        """A dry check (`GET /2/users/me`): who the token posts as. `to` is not used."""
        headers = {"Authorization": f"Bearer {self.config.access_token}"}
        try:
            response = self._http.get("/2/users/me", headers=headers)
        except httpx.TransportError as exc:
            raise _transport_error(exc) from exc
        if not response.is_success:
            raise error_for_status(
                response.status_code, f"x: {_detail(response)} (HTTP {response.status_code})"
            )
        me = response.json()["data"]
        return f"x: posts as @{me['username']} ({me.get('name', '')})"

    def __repr__(self) -> str:
        return f"<XChannel {self.config!r}>"


def _detail(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(data, dict):
        errors = data.get("errors") or [{}]
        return str(data.get("detail") or errors[0].get("message") or response.reason_phrase)
    return response.reason_phrase


def _transport_error(exc: httpx.TransportError) -> ChannelError:
    if isinstance(exc, httpx.ReadTimeout):
        return UnknownOutcomeError("x: read timeout")
    return RetryableChannelError(f"x: {type(exc).__name__}")
