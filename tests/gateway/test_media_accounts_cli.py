"""`crieur accounts add/test` for Telegram, Instagram, LinkedIn and TikTok against their fakes:
each test is a real dry call; Instagram warns when the public URL is not public https."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from gateway.cli import main
from tests.factories import create_organisation
from tests.fakes.telegram import TOKEN, FakeTelegram
from tests.fakes.visual import FakeInstagram, FakeLinkedIn, FakeTikTok

pytestmark = pytest.mark.django_db


@pytest.fixture
def fakes():
    with ExitStack() as stack:
        telegram = stack.enter_context(FakeTelegram())
        telegram.add_chat("@mairie_infos", type="channel", title="Mairie infos")
        yield {
            "telegram": telegram,
            "instagram": stack.enter_context(FakeInstagram(token="ig-token")),
            "linkedin": stack.enter_context(FakeLinkedIn(token="li-token")),
            "tiktok": stack.enter_context(FakeTikTok(token="tt-token")),
        }


def values(kind: str, fake) -> list[str]:
    given = {
        "telegram": lambda: ["chat_id=@mairie_infos", f"bot_token={TOKEN}"],
        "instagram": lambda: [f"ig_user_id={fake.ig_user_id}", "access_token=ig-token"],
        "linkedin": lambda: [f"organization_id={fake.organization}", "access_token=li-token"],
        "tiktok": lambda: ["access_token=tt-token"],
    }[kind]()
    return [*given, f"base_url={fake.base_url}"]


EXPECTED = {
    "telegram": "telegram: @crieur_test_bot is an administrator of Mairie infos (@mairie_infos) "
    "and can post",
    "instagram": "instagram: @mairie.saint.crieur, 0/50 posts in 24 h; warning: "
    "CRIEUR_PUBLIC_URL http://127.0.0.1:8000 is not a public https address: Instagram cannot "
    "fetch the card from it",
    "linkedin": "linkedin: may post for urn:li:organization:5515715 as ADMINISTRATOR",
    "tiktok": "tiktok: @mairie.saint.crieur, drafts in the creator's inbox; privacy SELF_ONLY, "
    "videos up to 600 s",
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_new_kind_is_added_and_tested_against_its_fake(kind, fakes, capsys, settings):
    settings.PUBLIC_URL = "http://127.0.0.1:8000"
    org = create_organisation()
    argv = ["accounts", "add", "--org", org.slug, "--kind", kind]
    assert main([*argv, *values(kind, fakes[kind])]) == 0
    pk = capsys.readouterr().out.strip()
    assert main(["accounts", "test", pk]) == 0
    assert capsys.readouterr().out.strip() == EXPECTED[kind]


def test_no_warning_when_the_public_url_is_public_https(fakes, capsys, settings):
    settings.PUBLIC_URL = "https://crieur.saint-crieur.fr"
    org = create_organisation()
    argv = ["accounts", "add", "--org", org.slug, "--kind", "instagram"]
    assert main([*argv, *values("instagram", fakes["instagram"])]) == 0
    pk = capsys.readouterr().out.strip()
    assert main(["accounts", "test", pk]) == 0
    assert "warning" not in capsys.readouterr().out


def test_a_bot_that_may_not_post_is_refused_in_one_line(fakes, capsys):
    fakes["telegram"].add_chat("@autre_canal", type="channel", bot="member")
    org = create_organisation()
    argv = ["accounts", "add", "--org", org.slug, "--kind", "telegram"]
    given = ["chat_id=@autre_canal", f"bot_token={TOKEN}", f"base_url={fakes['telegram'].base_url}"]
    assert main([*argv, *given]) == 0
    pk = capsys.readouterr().out.strip()
    assert main(["accounts", "test", pk]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"crieur: account {pk} failed: telegram: @crieur_test_bot is member")
    assert "\n" not in err and TOKEN not in err
