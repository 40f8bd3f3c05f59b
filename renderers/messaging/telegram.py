"""Message → Telegram channel posts in HTML parse mode, threaded when over 4,096 characters.

Telegram counts a message after entity parsing: tags are dropped and `&lt;` is one
character, in UTF-16 code units. So the text is split as plain text (with the social
thread splitter: never inside a word or a link), then each part is escaped and marked up.
"""

from __future__ import annotations

import html

from renderers.errors import RenderError, RenderErrorCode
from renderers.message import Message, Rendition
from renderers.messaging.compose import (
    contact_line,
    extra_links,
    headline,
    paragraphs,
    utf16_length,
    verification_line,
)
from renderers.social.render import hashtag
from renderers.social.threads import split_thread

FORM = "telegram"
LIMIT = 4096  # characters after entity parsing (Bot API, sendMessage `text`)
MAX_MESSAGES = 10  # a longer thread is a document, not a channel post


def escape(text: str) -> str:
    """HTML parse mode knows only `&lt; &gt; &amp; &quot;`: escape `< > &`, leave quotes."""
    return html.escape(text, quote=False)


def compose_telegram_text(message: Message) -> str:
    """The plain text a channel shows: headline, paragraphs, contact, links, hashtags, and
    the verification line last (glued, so a split never separates the code from its link)."""
    blocks = [headline(message), *paragraphs(message)]
    blocks += [line for line in (contact_line(message), *extra_links(message)) if line]
    tags = dict.fromkeys(t for t in map(hashtag, message.topics) if t)
    if tags:
        blocks.append(" ".join(tags))
    verification = verification_line(message, glued=True)
    if verification:
        blocks.append(verification)
    return "\n\n".join(blocks)


def _markup(part: str, title: str, first: bool) -> str:
    if first and part.startswith(title):
        return f"<b>{escape(title)}</b>{escape(part[len(title) :])}"
    return escape(part)


def render_telegram(message: Message, *, limit: int = LIMIT) -> Rendition:
    """One rendition per channel account: `meta["messages"]` are the HTML texts to send in
    order, `meta["plain"]` the same texts as Telegram displays (and counts) them."""
    if not message.title.strip():
        raise RenderError(RenderErrorCode.MISSING_FIELD, "the title is empty", form=FORM)
    text = compose_telegram_text(message)
    try:
        parts = split_thread(text, utf16_length, limit, max_posts=MAX_MESSAGES)
    except RenderError as exc:
        raise RenderError(exc.code, exc.detail, form=FORM) from None
    title = headline(message)
    messages = tuple(_markup(part, title, i == 0) for i, part in enumerate(parts))
    return Rendition(
        form=FORM,
        locale=message.locale,
        media_type="text/html",
        body="\n\n---\n\n".join(messages),
        meta={
            "messages": messages,
            "plain": tuple(parts),
            "counts": tuple(utf16_length(part) for part in parts),
            "limit": limit,
            "parse_mode": "HTML",
        },
    )
