"""The text of picture and video posts: Instagram and TikTok captions, LinkedIn commentary.

The same composition as the other networks (renderers/social: alert prefix, text, link,
hashtags): the title and full text when they fit, else the summary, else a typed TOO_LONG;
never a cut word or URL. LinkedIn's "little text" gets its reserved characters escaped,
since LinkedIn silently truncates a post at the first one left bare.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from renderers.errors import RenderError, RenderErrorCode
from renderers.message import Message, Rendition
from renderers.social.counting import HASHTAG_RE
from renderers.social.render import compose_post_text
from renderers.visual.media import Media, with_media

# `\` first, so the backslashes the others get are not escaped again.
LITTLE_TEXT_RESERVED = "\\|{}@[]()<>#*_~"


def utf16_length(text: str) -> int:
    """Meta and TikTok count UTF-16 code units: an emoji outside the BMP counts 2."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class CaptionRule:
    form: str
    limit: int
    length: Callable[[str], int]
    max_hashtags: int


INSTAGRAM = CaptionRule("instagram", 2200, utf16_length, max_hashtags=5)
TIKTOK = CaptionRule("tiktok", 2200, utf16_length, max_hashtags=5)
LINKEDIN = CaptionRule("linkedin", 3000, len, max_hashtags=3)


def escape_little_text(text: str) -> str:
    """Every reserved character backslash-escaped; `#Tag` hashtags become hashtag templates."""
    out = []
    position = 0
    for match in HASHTAG_RE.finditer(text):
        out.append(_escaped(text[position : match.start()]))
        out.append("{hashtag|\\#|" + _escaped(match.group(1)) + "}")
        position = match.end()
    out.append(_escaped(text[position:]))
    return "".join(out)


def _escaped(text: str) -> str:
    return "".join("\\" + char if char in LITTLE_TEXT_RESERVED else char for char in text)


def caption(message: Message, rule: CaptionRule, *, wire: Callable[[str], str] = str) -> str:
    """The full text if its wire form fits the network's limit, else the summary form."""
    if not message.summary.strip():
        raise RenderError(RenderErrorCode.MISSING_FIELD, "the summary is empty", form=rule.form)
    trimmed = replace(message, topics=message.topics[: rule.max_hashtags])
    lengths = []
    for long_form in (True, False) if message.body.strip() else (False,):
        text = compose_post_text(trimmed, long_form=long_form)
        lengths.append(rule.length(wire(text)))
        if lengths[-1] <= rule.limit:
            return text
    raise RenderError(
        RenderErrorCode.TOO_LONG,
        f"even the summary needs {lengths[-1]} characters, {rule.form} takes {rule.limit}",
        form=rule.form,
    )


def _post(message: Message, rule: CaptionRule, text: str, meta: dict) -> Rendition:
    return Rendition(
        form=rule.form,
        locale=message.locale,
        media_type="text/plain",
        body=text,
        meta={"limit": rule.limit, "hashtags": tuple(HASHTAG_RE.findall(text)), **meta},
    )


def _require(media: Media | None, rule: CaptionRule, kinds: Sequence[str], *, url: bool) -> Media:
    if media is None or not (
        ("image" in kinds and media.is_image) or ("video" in kinds and media.is_video)
    ):
        raise RenderError(
            RenderErrorCode.MISSING_FIELD,
            f"a {rule.form} post needs a {' or '.join(kinds)}",
            form=rule.form,
        )
    if url and not media.url.startswith("https://") and not media.url.startswith("http://"):
        raise RenderError(
            RenderErrorCode.MISSING_FIELD,
            f"{rule.form} fetches the {media.media_type} from a public URL: none given",
            form=rule.form,
        )
    if not url and not media.data:
        raise RenderError(
            RenderErrorCode.MISSING_FIELD, f"{rule.form} needs the file itself", form=rule.form
        )
    return media


RULES = {rule.form: rule for rule in (INSTAGRAM, LINKEDIN, TIKTOK)}


def render_caption(message: Message, form: str) -> Rendition:
    """The text of an Instagram, LinkedIn or TikTok post without its picture or video: what is
    archived at publication, the media being made apart and attached with `with_media`."""
    rule = RULES[form]
    if rule is LINKEDIN:
        return render_linkedin(message)
    text = caption(message, rule)
    key = "title" if rule is TIKTOK else "caption"
    return _post(message, rule, text, {key: text, "count": rule.length(text)})


def render_instagram(message: Message, media: Media) -> Rendition:
    """A feed picture (the card, by URL) or a Reel (the video, by URL) with its caption."""
    media = _require(media, INSTAGRAM, ("image", "video"), url=True)
    return with_media(render_caption(message, "instagram"), [media])


def render_linkedin(message: Message, media: Media | None = None) -> Rendition:
    """A page post; `meta["commentary"]` is the escaped little text LinkedIn receives."""
    text = caption(message, LINKEDIN, wire=escape_little_text)
    commentary = escape_little_text(text)
    post = _post(message, LINKEDIN, text, {"commentary": commentary, "count": len(commentary)})
    if media is None:
        return post
    return with_media(post, [_require(media, LINKEDIN, ("image",), url=False)])


def render_tiktok(message: Message, media: Media) -> Rendition:
    """The video (its bytes: TikTok takes an upload) with the caption of a direct post."""
    media = _require(media, TIKTOK, ("video",), url=False)
    return with_media(render_caption(message, "tiktok"), [media])
