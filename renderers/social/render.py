"""Message → one social rendition per account: posts (a thread if needed), counts, facets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import gettext
from renderers.message import Message, Rendition, Urgency
from renderers.poll import poll_paragraph
from renderers.social.counting import (
    HASHTAG_RE,
    URL_RE,
    Length,
    bluesky_length,
    facebook_length,
    mastodon_length,
    x_length,
)
from renderers.social.threads import split_thread
from renderers.visual.typography import typeset

Image = tuple[str, str]  # (URL or path, alt text)


@dataclass(frozen=True)
class Platform:
    """A network's counting rule and limits. `threads=False` means one long post only."""

    form: str
    length: Length
    limit: int
    alt_limit: int
    max_images: int = 4
    threads: bool = True


MASTODON = Platform("mastodon", mastodon_length, 500, alt_limit=1500)
BLUESKY = Platform("bluesky", bluesky_length, 300, alt_limit=2000)
X = Platform("x", x_length, 280, alt_limit=1000)
FACEBOOK = Platform("facebook", facebook_length, 63206, alt_limit=1000, threads=False)
PLATFORMS = {p.form: p for p in (MASTODON, BLUESKY, X, FACEBOOK)}


def hashtag(topic: str) -> str:
    """`travaux` → `#Travaux`, `qualité de l'air` → `#QualitéDeLAir` (letters kept)."""
    words = regex.findall(r"[\p{L}\p{N}]+", topic)
    return "#" + "".join(w[:1].upper() + w[1:] for w in words) if words else ""


def compose_post_text(message: Message, *, long_form: bool = False) -> str:
    """The text a post says: alert prefix, summary (or title + body), link, hashtags."""
    locale = message.locale
    text = f"{message.title.strip()}\n\n{message.body.strip()}" if long_form else message.summary
    # `8 h`, `12 h` and `: ; ! ?` stay with their word (U+00A0: one unit on every network).
    text = typeset(text.strip(), locale).replace("\u202f", "\u00a0")
    if message.urgency is Urgency.URGENT:
        alert = gettext(locale, "ALERTE :")  # a plain call, so extraction finds it
        text = f"{alert} {text}"
    paragraphs = [text]
    if message.poll is not None:
        paragraphs.append(poll_paragraph(message.poll, locale))
    if message.public_url:
        paragraphs.append(f"{gettext(locale, 'Détails :')} {message.public_url}")
    tags = dict.fromkeys(t for t in map(hashtag, message.topics) if t)
    if tags:
        paragraphs.append(" ".join(tags))
    return "\n\n".join(paragraphs)


def _check_images(images: Sequence[Image], platform: Platform) -> tuple[dict[str, str], ...]:
    if len(images) > platform.max_images:
        raise RenderError(
            RenderErrorCode.INVALID_INPUT,
            f"{len(images)} images, at most {platform.max_images} per post",
            form=platform.form,
        )
    checked = []
    for source, alt in images:
        if not alt.strip():
            # An image without a description shuts out blind readers: refuse it.
            raise RenderError(
                RenderErrorCode.MISSING_FIELD,
                f"image {source!r} has no alt text",
                form=platform.form,
            )
        if len(alt) > platform.alt_limit:
            raise RenderError(
                RenderErrorCode.TOO_LONG,
                f"alt text of {source!r} has {len(alt)} characters, max {platform.alt_limit}",
                form=platform.form,
            )
        checked.append({"source": source, "alt": alt.strip()})
    return tuple(checked)


def bluesky_facets(post: str) -> tuple[dict, ...]:
    """Link and tag facets of a post, addressed by UTF-8 byte offsets as Bluesky requires."""

    def byte_offset(index: int) -> int:
        return len(post[:index].encode("utf-8"))

    facets = []
    for match in URL_RE.finditer(post):
        feature = {"$type": "app.bsky.richtext.facet#link", "uri": match.group()}
        facets.append((match.start(), match.end(), feature))
    for match in HASHTAG_RE.finditer(post):
        feature = {"$type": "app.bsky.richtext.facet#tag", "tag": match.group(1)}
        facets.append((match.start(), match.end(), feature))
    return tuple(
        {
            "index": {"byteStart": byte_offset(start), "byteEnd": byte_offset(end)},
            "features": [feature],
        }
        for start, end, feature in sorted(facets, key=lambda f: f[0])
    )


def render_social(
    message: Message,
    platform: Platform | str,
    *,
    limit: int | None = None,
    images: Sequence[Image] = (),
) -> Rendition:
    """One rendition for one account; `limit` overrides the platform's (e.g. an instance's)."""
    platform = PLATFORMS[platform] if isinstance(platform, str) else platform
    limit = limit or platform.limit
    text = compose_post_text(message, long_form=not platform.threads)
    if not message.summary.strip():
        raise RenderError(RenderErrorCode.MISSING_FIELD, "the summary is empty", form=platform.form)
    try:
        posts = split_thread(text, platform.length, limit, max_posts=25 if platform.threads else 1)
    except RenderError as exc:
        raise RenderError(exc.code, exc.detail, form=platform.form) from None
    meta = {
        "posts": tuple(posts),
        "counts": tuple(platform.length(post) for post in posts),
        "limit": limit,
        "images": _check_images(images, platform),  # attached to the first post
        "hashtags": tuple(HASHTAG_RE.findall(text)),
    }
    if platform is BLUESKY:
        meta["facets"] = tuple(bluesky_facets(post) for post in posts)
    return Rendition(
        form=platform.form,
        locale=message.locale,
        media_type="text/plain",
        body="\n\n---\n\n".join(posts),
        meta=meta,
    )


def render_mastodon(
    message: Message, *, max_characters: int = 500, images: Sequence[Image] = ()
) -> Rendition:
    return render_social(message, MASTODON, limit=max_characters, images=images)


def render_bluesky(message: Message, *, images: Sequence[Image] = ()) -> Rendition:
    return render_social(message, BLUESKY, images=images)


def render_x(message: Message, *, images: Sequence[Image] = ()) -> Rendition:
    return render_social(message, X, images=images)


def render_facebook(message: Message, *, images: Sequence[Image] = ()) -> Rendition:
    return render_social(message, FACEBOOK, images=images)
