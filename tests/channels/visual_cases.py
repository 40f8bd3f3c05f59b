"""Contract cases for the picture and video channels (appended to test_contract.CASES).

Each build starts its own fake (closed at exit); `break_provider` breaks the latest one.
"""

from __future__ import annotations

import atexit
from typing import Any

from channels.instagram import InstagramChannel, InstagramConfig
from channels.linkedin import LinkedInChannel, LinkedInConfig
from channels.tiktok import TikTokChannel, TikTokConfig
from renderers.visual.posts import render_instagram, render_linkedin, render_tiktok
from tests.channels.media_factories import card, card_media, message, video_media
from tests.fakes.visual import FakeInstagram, FakeLinkedIn, FakeTikTok, PublicFiles

TOKENS = {
    FakeInstagram: "EAAG-contract-ig",
    FakeLinkedIn: "AQV-contract-li",
    FakeTikTok: "act.contract-tt",
}
_latest: dict[type, Any] = {}
_public = PublicFiles().__enter__()
atexit.register(_public.__exit__)


def _started(cls: type) -> Any:
    fake = cls(token=TOKENS[cls]).__enter__()
    atexit.register(fake.__exit__)
    _latest[cls] = fake
    return fake


def _instagram(env: Any) -> InstagramChannel:
    fake = _started(FakeInstagram)
    config = InstagramConfig(
        fake.ig_user_id, TOKENS[FakeInstagram], fake.base_url, poll_interval=0.01, timeout=2.0
    )
    return InstagramChannel(config)


def _linkedin(env: Any) -> LinkedInChannel:
    fake = _started(FakeLinkedIn)
    return LinkedInChannel(
        LinkedInConfig(fake.organization, TOKENS[FakeLinkedIn], base_url=fake.base_url)
    )


def _tiktok(env: Any) -> TikTokChannel:
    fake = _started(FakeTikTok)
    return TikTokChannel(
        TikTokConfig(TOKENS[FakeTikTok], base_url=fake.base_url, poll_interval=0.01)
    )


def _break(cls: type):
    return lambda env: _latest[cls].fail_next(500)


def _secret(cls: type):
    return lambda env: [TOKENS[cls]]


def visual_cases(case_type: type) -> list:
    card_url = _public.serve("/v/K7QM-2XPA/card.jpg", "image/jpeg", card().body)
    return [
        case_type(
            InstagramChannel,
            _instagram,
            render_instagram(message(), card_media(card_url)),
            _break(FakeInstagram),
            _secret(FakeInstagram),
        ),
        case_type(
            LinkedInChannel,
            _linkedin,
            render_linkedin(message(), card_media()),
            _break(FakeLinkedIn),
            _secret(FakeLinkedIn),
        ),
        case_type(
            TikTokChannel,
            _tiktok,
            render_tiktok(message(), video_media()),
            _break(FakeTikTok),
            _secret(FakeTikTok),
        ),
    ]
