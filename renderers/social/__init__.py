"""Social posts: per-network counting, threads, hashtags, alt text, Bluesky facets."""

from renderers.social.counting import (
    bluesky_length,
    graphemes,
    mastodon_length,
    x_length,
)
from renderers.social.render import (
    BLUESKY,
    FACEBOOK,
    MASTODON,
    PLATFORMS,
    Platform,
    X,
    bluesky_facets,
    compose_post_text,
    hashtag,
    render_bluesky,
    render_facebook,
    render_mastodon,
    render_social,
    render_x,
)
from renderers.social.threads import split_thread

__all__ = [
    "BLUESKY",
    "FACEBOOK",
    "MASTODON",
    "PLATFORMS",
    "X",
    "Platform",
    "bluesky_facets",
    "bluesky_length",
    "compose_post_text",
    "graphemes",
    "hashtag",
    "mastodon_length",
    "render_bluesky",
    "render_facebook",
    "render_mastodon",
    "render_social",
    "render_x",
    "split_thread",
    "x_length",
]
