"""Which pictures and video each broadcast account's posts carry, and attaching them.

Instagram posts the card (Meta fetches it from its public URL), LinkedIn uploads the card,
TikTok uploads the video; Mastodon, Bluesky, X and Facebook carry the card when their account
says `attach_image`, Facebook the video when it says `attach_video`. Telegram posts text.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings

from channels.base import Channel
from renderers.message import Rendition
from renderers.visual.media import Media, media_of, with_media

ALWAYS = {"instagram": ("card",), "linkedin": ("card",), "tiktok": ("video",)}
BY_URL = ("instagram",)  # networks that fetch the file themselves from the public page
# A card post also archives the square card: the verification page offers both.
ARCHIVED_WITH = {"card": ("card", "card-square"), "video": ("video",)}


def media_forms(channel: Channel) -> tuple[str, ...]:
    """The visual forms ("card", "video") a post through `channel` carries."""
    if channel.name in ALWAYS:
        return ALWAYS[channel.name]
    config = getattr(channel, "config", None)
    forms = []
    if getattr(config, "attach_video", False):
        forms.append("video")
    if getattr(config, "attach_image", False):
        forms.append("card")
    return tuple(forms)


def archived_forms(forms: Iterable[str]) -> set[str]:
    return {archived for form in forms for archived in ARCHIVED_WITH[form]}


def public_url_problem() -> str:
    """Why a network that fetches the card itself could not reach `CRIEUR_PUBLIC_URL`, or ""."""
    url = urlsplit(settings.PUBLIC_URL)
    host = (url.hostname or "").lower()
    try:
        address = ipaddress.ip_address(host)
        private = not address.is_global
    except ValueError:
        private = host in ("localhost", "") or host.endswith((".local", ".localhost", ".invalid"))
    if url.scheme == "https" and not private:
        return ""
    return (
        f"CRIEUR_PUBLIC_URL {settings.PUBLIC_URL} is not a public https address: "
        "Instagram cannot fetch the card from it"
    )


def public_media_url(code: str, form: str, locale: str) -> str:
    """The file under the verification page: `/v/<code>/card.jpg?lang=fr`, `video.mp4?lang=fr`."""
    name = {"card": "card.jpg", "card-square": "card-square.jpg", "video": "video.mp4"}[form]
    return f"{settings.PUBLIC_URL}/v/{code}/{name}?lang={locale}"


def attach(
    rendition: Rendition, channel: Channel, files: dict[str, Rendition], code: str
) -> Rendition:
    """The post carrying what its channel needs, from `files` (the archived card or video of
    its locale, bytes in memory): the URL too for a network that fetches it itself."""
    media: list[Media] = []
    for form in media_forms(channel):
        url = public_media_url(code, form, files[form].locale) if channel.name in BY_URL else ""
        media.append(media_of(files[form], url=url))
    return with_media(rendition, media) if media else rendition
