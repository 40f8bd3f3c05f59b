"""LinkedIn page posts against a local fake of the Posts and Images APIs.

The fake keeps what LinkedIn keeps of a commentary: the text before the first unescaped
reserved character. Each reserved character is tried alone, bare and escaped.
"""

from __future__ import annotations

import pytest

from channels.base import Recipient
from channels.errors import (
    ChannelConfigError,
    PermanentChannelError,
    RetryableChannelError,
    UnknownOutcomeError,
)
from channels.linkedin import LinkedInChannel, LinkedInConfig
from renderers.message import Rendition
from renderers.visual.posts import LITTLE_TEXT_RESERVED, escape_little_text, render_linkedin
from tests.channels.media_factories import card, card_media, message
from tests.fakes.visual import FakeLinkedIn, read_little_text

ORG, TOKEN = "5515715", "AQV-linkedin-token-9876"
ACCOUNT = Recipient(reference="linkedin:page")


@pytest.fixture
def fake():
    with FakeLinkedIn(ORG, TOKEN) as server:
        yield server


def create_channel(fake: FakeLinkedIn, **overrides) -> LinkedInChannel:
    values = {
        "organization_id": ORG,
        "access_token": TOKEN,
        "api_version": "202510",
        "base_url": fake.base_url,
        "timeout": 1.0,
    }
    return LinkedInChannel(LinkedInConfig(**{**values, **overrides}))


def raw_post(commentary: str) -> Rendition:
    return Rendition("linkedin", "fr", "text/plain", commentary, {"commentary": commentary})


@pytest.mark.parametrize("char", list(LITTLE_TEXT_RESERVED))
def test_each_reserved_character_is_escaped_and_a_bare_one_truncates(fake, char):
    text = f"Avant {char} après la coupure."
    channel = create_channel(fake)
    channel.send(raw_post(text), ACCOUNT, idempotency_key="bare")
    channel.send(raw_post(escape_little_text(text)), ACCOUNT, idempotency_key="escaped")
    bare, escaped = fake.posts
    # A bare backslash escapes the space after it and vanishes; any other sign cuts the post.
    assert bare["shown"] == ("Avant  après la coupure." if char == "\\" else "Avant ")
    assert escaped["shown"] == text


def test_a_whole_announcement_with_every_reserved_character_arrives_whole(fake):
    summary = (
        "Travaux (rue des Lilas) : eau coupée <8 h-12 h> ; infos sur [site] "
        "@mairie, tarif_1 ~ 5 € * 2 | voir {plan} et C:\\plans #1 !"
    )
    rendition = render_linkedin(message(summary=summary, body="", topics=("travaux", "eau")))
    receipt = create_channel(fake).send(rendition, ACCOUNT, idempotency_key="all")
    [post] = fake.posts
    assert receipt.provider_ref == post["id"] and post["id"].startswith("urn:li:share:")
    assert post["shown"] == rendition.text  # nothing cut
    shown = post["shown"].replace("\u00a0", " ")  # French no-break spaces, as typed
    assert summary in shown and post["shown"].endswith("#Travaux #Eau")
    assert "{hashtag|\\#|Travaux}" in post["commentary"]


def test_the_card_goes_through_the_images_api_with_its_alt_text(fake):
    rendition = render_linkedin(message(), card_media())
    create_channel(fake).send(rendition, ACCOUNT, idempotency_key="img")
    [post] = fake.posts
    image = fake.images[post["image"]]
    assert image["data"] == card().body and image["owner"] == f"urn:li:organization:{ORG}"
    assert post["alt"] == card().meta["alt"]
    paths = [(r.method, r.path, r.query.get("action")) for r in fake.requests]
    assert paths[0] == ("POST", "/rest/images", "initializeUpload")
    assert paths[1][:2] == ("PUT", f"/dms-uploads/{post['image'].rsplit(':', 1)[1]}")
    assert paths[2][:2] == ("POST", "/rest/posts")


def test_every_call_carries_the_version_headers(fake):
    create_channel(fake).send(render_linkedin(message()), ACCOUNT, idempotency_key="h")
    headers = fake.requests[-1].headers
    assert headers["linkedin-version"] == "202510"
    assert headers["x-restli-protocol-version"] == "2.0.0"


def test_a_sunset_version_fails_the_account_permanently(fake):
    with pytest.raises(PermanentChannelError) as error:
        create_channel(fake, api_version="202301").send(
            render_linkedin(message()), ACCOUNT, idempotency_key="v"
        )
    assert error.value.status == 426 and "not active" in str(error.value)


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, RetryableChannelError), (500, RetryableChannelError), (403, PermanentChannelError)],
)
def test_errors_are_typed(fake, status, error):
    fake.fail_next(status)
    with pytest.raises(error):
        create_channel(fake).send(render_linkedin(message()), ACCOUNT, idempotency_key="e")


def test_a_read_timeout_is_an_unknown_outcome(fake):
    fake.fail_next(201, delay=1.5)
    with pytest.raises(UnknownOutcomeError):
        create_channel(fake, timeout=0.3).send(
            render_linkedin(message()), ACCOUNT, idempotency_key="t"
        )


def test_a_rendition_without_commentary_is_refused(fake):
    plain = Rendition("linkedin", "fr", "text/plain", "Bonjour")
    with pytest.raises(PermanentChannelError):
        create_channel(fake).send(plain, ACCOUNT, idempotency_key="c")
    assert fake.requests == []


def test_check_says_whether_the_member_may_post_for_the_page(fake):
    assert create_channel(fake).check() == (
        f"linkedin: may post for urn:li:organization:{ORG} as ADMINISTRATOR"
    )
    fake.roles = ["ANALYST"]
    with pytest.raises(PermanentChannelError) as error:
        create_channel(fake).check()
    assert "ANALYST" in str(error.value) and fake.posts == []


def test_the_fake_reads_templates_like_linkedin():
    assert read_little_text("Voir {hashtag|\\#|Eau} et @[Mairie](urn:li:organization:1)") == (
        "Voir #Eau et Mairie"
    )


def test_config_is_checked_and_masked():
    with pytest.raises(ChannelConfigError):
        LinkedInConfig(organization_id="5515715", access_token=TOKEN, api_version="2025-10")
    assert TOKEN not in repr(LinkedInConfig(organization_id=ORG, access_token=TOKEN))
