"""Which pictures a text network's post carries: the card, when the account asks for it.

An account with `attach_image` set expects its posts to show the card; a rendition without
one (or with a picture lacking its description) is refused rather than posted differently
from what the agent previewed.
"""

from __future__ import annotations

from channels.errors import PermanentChannelError
from renderers.message import Rendition
from renderers.visual.media import Media, attached


def images_to_attach(
    rendition: Rendition, *, wanted: bool, network: str, max_bytes: int | None = None
) -> tuple[Media, ...]:
    """The rendition's pictures when the account `wanted` them, else none."""
    if not wanted:
        return ()
    images = tuple(media for media in attached(rendition) if media.is_image)
    if not images:
        raise PermanentChannelError(
            f"{network}: this account posts with the card, and the rendition carries none"
        )
    for image in images:
        if not image.alt.strip():
            raise PermanentChannelError(f"{network}: a picture without alt text is not posted")
        if not image.data:
            raise PermanentChannelError(f"{network}: the picture's bytes are missing")
        if max_bytes is not None and len(image.data) > max_bytes:
            raise PermanentChannelError(
                f"{network}: the picture has {len(image.data)} bytes, {max_bytes} at most"
            )
    return images
