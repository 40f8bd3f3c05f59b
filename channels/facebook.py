"""Facebook Page: one long post with the Graph API `POST /{page-id}/feed`."""

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
    PermanentChannelError,
    RetryableChannelError,
    UnknownOutcomeError,
    error_for_status,
)
from renderers.message import Rendition
from renderers.visual.media import Media, attached

# Graph error codes that mean "later": unknown/service errors and the throttling family.
RETRYABLE_CODES = {1, 2, 4, 17, 32, 341, 613}
AUTH_CODES = {102, 190}  # invalid or expired token: nothing a retry can fix


@dataclass(frozen=True, repr=False)
class FacebookConfig:
    """One Facebook Page: its id and a page access token with `pages_manage_posts`."""

    page_id: str
    page_token: str = field(metadata=SECRET)
    base_url: str = "https://graph.facebook.com"
    api_version: str = "v21.0"
    attach_image: bool = False  # a photo post: the card, with its alt text
    attach_video: bool = False  # a video post, when the rendition carries the video
    timeout: float = field(default=10.0, metadata=INTERNAL)

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ChannelConfigError("facebook: base_url must start with http:// or https://")
        if not self.page_id.isdigit():
            raise ChannelConfigError("facebook: page_id must be the page's numeric id")
        if not self.page_token:
            raise ChannelConfigError("facebook: page_token is empty")

    @property
    def video_base_url(self) -> str:
        """Graph takes video uploads on its own host; a test or proxy URL serves both."""
        if self.base_url == "https://graph.facebook.com":
            return "https://graph-video.facebook.com"
        return self.base_url

    def __repr__(self) -> str:
        return (
            f"FacebookConfig(page_id={self.page_id!r}, page_token={mask(self.page_token)!r}, "
            f"base_url={self.base_url!r})"
        )


class FacebookChannel(Channel):
    name: ClassVar[str] = "facebook"
    family: ClassVar[str] = "social"
    forms: ClassVar[tuple[str, ...]] = ("facebook",)
    body_maxlen: ClassVar[int | None] = 63206
    request_rate_per_sec: ClassVar[float | None] = 1.0

    def __init__(self, config: FacebookConfig) -> None:
        self.config = config
        self._http = httpx.Client(base_url=config.base_url, timeout=config.timeout)

    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt:
        videos = [m for m in attached(rendition) if m.is_video] if self.config.attach_video else []
        images = images_to_attach(rendition, wanted=self.config.attach_image, network="facebook")
        if videos or images:
            return self._post_media(videos[0] if videos else images[0], rendition.text)
        path = f"/{self.config.api_version}/{self.config.page_id}/feed"
        data = {"message": rendition.text, "access_token": self.config.page_token}
        try:
            response = self._http.post(path, data=data)
        except httpx.TransportError as exc:
            raise _transport_error(exc) from exc
        if response.is_success:
            return Receipt(provider_ref=str(response.json()["id"]))
        raise _graph_error(response)

    def _post_media(self, media: Media, text: str) -> Receipt:
        """A photo post (`/photos`, with alt text) or a video post (`/videos`) on the page."""
        edge = "videos" if media.is_video else "photos"
        fields = {"access_token": self.config.page_token}
        if media.is_video:
            fields.update(description=text, title=text.split("\n", 1)[0][:255])
            base = self.config.video_base_url
        else:
            fields.update(message=text, alt_text_custom=media.alt)
            base = self.config.base_url
        name = media.filename or ("video.mp4" if media.is_video else "card.jpg")
        url = f"{base}/{self.config.api_version}/{self.config.page_id}/{edge}"
        try:
            response = self._http.post(
                url, data=fields, files={"source": (name, media.data, media.media_type)}
            )
        except httpx.TransportError as exc:
            raise _transport_error(exc) from exc
        if not response.is_success:
            raise _graph_error(response)
        reply = response.json()
        return Receipt(provider_ref=str(reply.get("post_id") or reply["id"]), extra={"kind": edge})

    def check(self, to: str = "") -> str:
        """A dry check: the page, fetched with its token. `to` is not used."""
        path = f"/{self.config.api_version}/{self.config.page_id}"
        # The token in a header, not the query: URLs end up in HTTP clients' logs.
        headers = {"Authorization": f"Bearer {self.config.page_token}"}
        try:
            response = self._http.get(path, params={"fields": "id,name"}, headers=headers)
        except httpx.TransportError as exc:
            raise _transport_error(exc) from exc
        if not response.is_success:
            raise _graph_error(response)
        page = response.json()
        return f"facebook: page {page.get('name', '')!r} ({page.get('id', self.config.page_id)})"

    def __repr__(self) -> str:
        return f"<FacebookChannel {self.config!r}>"


def _graph_error(response: httpx.Response) -> ChannelError:
    try:
        error: dict[str, Any] = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code = error.get("code")
    detail = f"facebook: {error.get('message') or response.reason_phrase}"
    if code in RETRYABLE_CODES or error.get("is_transient"):
        return RetryableChannelError(detail, code=code, status=response.status_code)
    if code in AUTH_CODES:
        return PermanentChannelError(detail, code=code, status=response.status_code)
    return error_for_status(response.status_code, detail, code=code)


def _transport_error(exc: httpx.TransportError) -> ChannelError:
    if isinstance(exc, httpx.ReadTimeout):
        return UnknownOutcomeError("facebook: read timeout")
    return RetryableChannelError(f"facebook: {type(exc).__name__}")
