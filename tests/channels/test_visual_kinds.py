"""The picture and video kinds in the account table, and the attach flags of the others."""

from __future__ import annotations

import pytest

from channels.errors import ChannelConfigError
from channels.kinds import kinds

SETTINGS = {
    "instagram": {"ig_user_id": "17841400000000001", "access_token": "t0ken-ig"},
    "linkedin": {"organization_id": "5515715", "access_token": "t0ken-li"},
    "tiktok": {"access_token": "t0ken-tt", "direct_post": "no"},
}


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_each_kind_builds_its_channel_from_text_settings(name):
    kind = kinds()[name]
    config = kind.parse(SETTINGS[name])
    assert list(kind.build(config)) == [name] and kind.broadcast
    assert kind.secret_fields() == {"access_token"}
    assert SETTINGS[name]["access_token"] not in repr(config)
    hidden = {"timeout", "poll_interval", "poll_timeout", "chunk_size"}
    assert not hidden & {f.name for f in kind.fields()}


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("mastodon", {"base_url": "https://s.example", "access_token": "t", "attach_image": "yes"}),
        ("bluesky", {"handle": "m.example", "app_password": "p", "attach_image": "true"}),
        ("x", {"access_token": "t", "attach_image": "1"}),
        (
            "facebook",
            {"page_id": "1", "page_token": "t", "attach_image": "yes", "attach_video": "yes"},
        ),
    ],
)
def test_text_networks_take_the_attach_image_flag(name, values):
    assert kinds()[name].parse(values).attach_image is True


def test_tiktok_direct_post_is_a_yes_or_no():
    assert kinds()["tiktok"].parse({"access_token": "t", "direct_post": "yes"}).direct_post
    with pytest.raises(ChannelConfigError) as error:
        kinds()["tiktok"].parse({"access_token": "t", "direct_post": "audited"})
    assert "direct_post must be a bool" in str(error.value)


def test_linkedin_refuses_a_version_that_is_not_a_month():
    with pytest.raises(ChannelConfigError) as error:
        kinds()["linkedin"].parse({**SETTINGS["linkedin"], "api_version": "v2"})
    assert "YYYYMM" in str(error.value)
