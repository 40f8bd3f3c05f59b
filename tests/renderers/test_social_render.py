"""Social renditions: one per account, posts in order, counts, hashtags, facets, alt text."""

from __future__ import annotations

import pytest

from renderers.errors import RenderError, RenderErrorCode
from renderers.message import Message
from renderers.social import (
    PLATFORMS,
    bluesky_facets,
    hashtag,
    render_bluesky,
    render_facebook,
    render_mastodon,
    render_social,
)

URL = "https://crieur.example/v/K7P2"


def create_message(**fields) -> Message:
    values = dict(
        organisation="Mairie de Lyon",
        locale="fr",
        title="Travaux rue Garibaldi",
        summary="Travaux rue Garibaldi du 3 au 14 mars : circulation alternée de 8 h à 17 h.",
        body="La Ville de Lyon refait la chaussée. " * 10,
        topics=("travaux", "voirie"),
        public_url=URL,
    )
    values.update(fields)
    return Message(**values)


@pytest.mark.parametrize("form", sorted(PLATFORMS))
def test_one_rendition_with_posts_counts_and_limit(form):
    rendition = render_social(create_message(), form)
    assert rendition.form == form and rendition.locale == "fr"
    posts, counts = rendition.meta["posts"], rendition.meta["counts"]
    assert len(posts) == len(counts) >= 1
    assert all(count <= rendition.meta["limit"] for count in counts)
    assert rendition.text == "\n\n---\n\n".join(posts)
    assert URL in rendition.text and "#Travaux #Voirie" in rendition.text


def test_short_message_is_a_single_unnumbered_post():
    (post,) = render_mastodon(create_message()).meta["posts"]
    assert post == (  # no-break spaces: "8 h", "14 mars" and " :" never split on a screen
        "Travaux rue Garibaldi du 3 au 14\u00a0mars\u00a0: circulation alternée de 8\u00a0h à "
        f"17\u00a0h.\n\nDétails : {URL}\n\n#Travaux #Voirie"
    )


@pytest.mark.parametrize("form", ["mastodon", "bluesky", "x"])
def test_long_summary_becomes_a_numbered_thread(form):
    message = create_message(summary="La circulation est alternée rue Garibaldi. " * 20)
    posts = render_social(message, form).meta["posts"]
    assert len(posts) > 1
    numbers = [p.rsplit(" ", 1)[1] for p in posts]
    assert numbers == [f"{i}/{len(posts)}" for i in range(1, 1 + len(posts))]


def test_mastodon_instance_limit_is_honoured():
    message = create_message(summary="Phrase de test. " * 40)
    assert len(render_mastodon(message).meta["posts"]) == 2
    assert len(render_mastodon(message, max_characters=5000).meta["posts"]) == 1


def test_facebook_uses_the_long_form_in_one_post():
    rendition = render_facebook(create_message())
    (post,) = rendition.meta["posts"]
    assert post.startswith("Travaux rue Garibaldi\n\nLa Ville de Lyon refait la chaussée.")


def test_urgent_posts_start_with_the_alert():
    rendition = render_mastodon(create_message(urgency="urgent"))
    assert rendition.meta["posts"][0].startswith("ALERTE : Travaux")


@pytest.mark.parametrize(
    ("topic", "tag"),
    [("travaux", "#Travaux"), ("qualité de l'air", "#QualitéDeLAir"), ("Vigilance canicule",
     "#VigilanceCanicule"), ("--", "")],
)  # fmt: skip
def test_hashtag_from_topic(topic, tag):
    assert hashtag(topic) == tag


def test_bluesky_link_facet_uses_utf8_byte_offsets_after_accents():
    post = f"Écoles fermées à Saint-Étienne : {URL} #Grève"
    link, tag = bluesky_facets(post)
    encoded = post.encode("utf-8")
    start, end = link["index"]["byteStart"], link["index"]["byteEnd"]
    assert encoded[start:end].decode() == URL
    assert start == len("Écoles fermées à Saint-Étienne : ".encode()) != post.index(URL)
    assert link["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": URL}]
    tag_bytes = encoded[tag["index"]["byteStart"] : tag["index"]["byteEnd"]]
    assert tag_bytes.decode() == "#Grève"
    assert tag["features"][0]["tag"] == "Grève"


def test_bluesky_rendition_has_facets_per_post():
    message = create_message(summary="Écoles fermées, vigilance orange. " * 15)
    rendition = render_bluesky(message)
    posts, facets = rendition.meta["posts"], rendition.meta["facets"]
    assert len(facets) == len(posts) > 1
    last_links = [f for f in facets[-1] if f["features"][0]["$type"].endswith("#link")]
    assert [f["features"][0]["uri"] for f in last_links] == [URL]


def test_images_need_alt_text():
    images = [("https://crieur.example/plan.png", "Plan de la déviation par la rue Paul Bert")]
    rendition = render_mastodon(create_message(), images=images)
    assert rendition.meta["images"] == (
        {"source": images[0][0], "alt": images[0][1]},
    )  # fmt: skip
    with pytest.raises(RenderError) as caught:
        render_mastodon(create_message(), images=[("plan.png", " ")])
    assert caught.value.code is RenderErrorCode.MISSING_FIELD


def test_too_many_images_or_too_long_alt_raise():
    with pytest.raises(RenderError):
        render_mastodon(create_message(), images=[("a.png", "alt")] * 5)
    with pytest.raises(RenderError) as caught:
        render_social(create_message(), "x", images=[("a.png", "a" * 1001)])
    assert caught.value.code is RenderErrorCode.TOO_LONG and caught.value.form == "x"


def test_empty_summary_is_refused():
    with pytest.raises(RenderError) as caught:
        render_mastodon(create_message(summary=" "))
    assert caught.value.code is RenderErrorCode.MISSING_FIELD
