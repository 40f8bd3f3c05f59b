"""A picture or a video attached to a post, as the publishing channels receive it.

The gateway makes the card or the video once, serves it under the verification page, and
hands it to each channel in the rendition's `meta["media"]`: the bytes for networks that take
an upload, the public URL for those that fetch it (Instagram), the description for everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from renderers.errors import RenderError, RenderErrorCode
from renderers.message import Rendition

IMAGE_TYPES = ("image/jpeg", "image/png")
VIDEO_TYPES = ("video/mp4",)


@dataclass(frozen=True)
class Media:
    media_type: str
    data: bytes = b""
    url: str = ""
    alt: str = ""
    width: int = 0
    height: int = 0
    duration: float = 0.0
    filename: str = ""

    @property
    def is_image(self) -> bool:
        return self.media_type in IMAGE_TYPES

    @property
    def is_video(self) -> bool:
        return self.media_type in VIDEO_TYPES

    def __repr__(self) -> str:  # never the bytes
        return f"Media({self.media_type}, {len(self.data)} bytes, url={self.url!r})"


def media_of(rendition: Rendition, *, url: str = "") -> Media:
    """The card or video rendition as an attachment; `url` is where the public can fetch it."""
    if not isinstance(rendition.body, bytes) or rendition.media_type not in (
        *IMAGE_TYPES,
        *VIDEO_TYPES,
    ):
        raise RenderError(
            RenderErrorCode.INVALID_INPUT,
            f"a {rendition.form} rendition ({rendition.media_type}) is not a picture or a video",
            form=rendition.form,
        )
    meta = rendition.meta
    extension = "mp4" if rendition.media_type in VIDEO_TYPES else "jpg"
    return Media(
        media_type=rendition.media_type,
        data=rendition.body,
        url=url,
        alt=str(meta.get("alt", "")),
        width=int(meta.get("width", 0)),
        height=int(meta.get("height", 0)),
        duration=float(meta.get("duration", 0.0)),
        filename=f"{rendition.form}-{rendition.locale}.{extension}",
    )


def with_media(rendition: Rendition, media: Sequence[Media]) -> Rendition:
    """The same post carrying `media`; an image without a description is refused."""
    for item in media:
        if item.is_image and not item.alt.strip():
            raise RenderError(
                RenderErrorCode.MISSING_FIELD,
                "an image needs its alt text (the card's meta['alt'])",
                form=rendition.form,
            )
    return replace(rendition, meta={**rendition.meta, "media": tuple(media)})


def attached(rendition: Rendition) -> tuple[Media, ...]:
    return tuple(rendition.meta.get("media") or ())
