"""Telegram channel against the local Bot API fake: posts, threads, 429, lost replies
checked before any resend, group migration, edits, `check()`, and no token in any log."""

from __future__ import annotations

import logging
import time

import pytest

from channels.base import Recipient
from channels.errors import ChannelConfigError, PermanentChannelError, RetryableChannelError
from channels.telegram import (
    TelegramChannel,
    TelegramConfig,
    TelegramCredentialsError,
    TelegramPermanentError,
    TelegramRetryableError,
    TelegramUnknownOutcomeError,
)
from renderers.messaging import render_telegram
from tests.fakes.jsonapi import Answer
from tests.fakes.telegram import FakeTelegram
from tests.renderers.messaging.factories import create_message, long_body

CHANNEL = "@mairie_infos"
ANYONE = Recipient(reference="channel")


@pytest.fixture
def fake():
    with FakeTelegram() as server:
        server.channel = server.add_chat(CHANNEL, type="channel")
        yield server


def create_channel(fake: FakeTelegram, **overrides) -> TelegramChannel:
    values = {
        "chat_id": CHANNEL,
        "bot_token": fake.token,
        "base_url": fake.base_url,
        "timeout": 0.5,
        "part_interval": 0.0,
        "max_wait": 2.0,
    }
    return TelegramChannel(TelegramConfig(**{**values, **overrides}))


def thread(parts: int = 3):
    """A rendition of exactly `parts` messages."""
    words = 600
    while (
        len((rendition := render_telegram(create_message(body=long_body(words)))).meta["messages"])
        < parts
    ):
        words += 100
    assert len(rendition.meta["messages"]) == parts
    return rendition


def test_a_post_is_one_message_in_the_channel_with_its_id_kept(fake):
    rendition = render_telegram(create_message())
    receipt = create_channel(fake).send(rendition, ANYONE, idempotency_key="d-1")
    (posted,) = fake.messages(CHANNEL)
    assert posted["text"] == rendition.meta["plain"][0]
    assert posted["entities"][0]["type"] == "bold"
    assert receipt.provider_ref == str(posted["message_id"])
    assert receipt.extra == {"message_ids": receipt.provider_ref, "chat_id": CHANNEL}


def test_a_thread_is_posted_in_order_and_notifies_once(fake):
    rendition = thread(3)
    receipt = create_channel(fake).send(rendition, ANYONE, idempotency_key="d-2")
    posted = fake.messages(CHANNEL)
    assert [m["text"] for m in posted] == list(rendition.meta["plain"])
    assert [m["_silent"] for m in posted] == [False, True, True]
    assert receipt.extra["message_ids"] == ",".join(str(m["message_id"]) for m in posted)


def test_a_short_429_is_waited_for_and_the_message_sent_once(fake):
    too_many = {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    fake.fail_next(Answer(429, too_many))
    started = time.monotonic()
    create_channel(fake).send(render_telegram(create_message()), ANYONE, idempotency_key="d-3")
    assert time.monotonic() - started >= 1.0
    assert len(fake.messages(CHANNEL)) == 1


def test_a_long_429_is_raised_with_its_delay_and_the_thread_resumes_after_what_was_sent(fake):
    fake.per_minute = 2  # the channel's limit: the third message is refused
    rendition = thread(3)
    channel = create_channel(fake)
    with pytest.raises(TelegramRetryableError) as error:
        channel.send(rendition, ANYONE, idempotency_key="d-4")
    assert isinstance(error.value, RetryableChannelError) and error.value.status == 429
    assert 50 <= error.value.retry_after <= 61
    first_two = [str(m["message_id"]) for m in fake.messages(CHANNEL)]
    assert list(error.value.sent_ids) == first_two
    fake.per_minute = 20
    receipt = channel.post(rendition, known_ids=error.value.sent_ids)
    posted = fake.messages(CHANNEL)
    assert [m["text"] for m in posted] == list(rendition.meta["plain"])  # none twice
    assert receipt.extra["message_ids"].split(",") == [str(m["message_id"]) for m in posted]


def lost_second_message(fake: FakeTelegram, channel: TelegramChannel, kind: str):
    """Post a 3-message thread whose second message's reply is lost; the error."""
    rendition = thread(3)
    fake.fail_next(kind, delay=1.0, after=1)
    with pytest.raises(TelegramUnknownOutcomeError) as error:
        channel.send(rendition, ANYONE, idempotency_key="d-5")
    return rendition, error.value


def test_a_lost_reply_is_checked_in_the_staff_chat_and_never_posted_twice(fake):
    staff = fake.add_chat(type="supergroup", title="Équipe com")
    channel = create_channel(fake, check_chat_id=str(staff.id))
    rendition, error = lost_second_message(fake, channel, "timeout_after_accept")
    assert len(error.sent_ids) == 1 and len(fake.messages(CHANNEL)) == 2  # it did go out
    fake.post_as_admin(fake.channel, "Un agent publie entre-temps.")
    receipt = channel.post(rendition, known_ids=error.sent_ids, unsure=True)
    texts = [m["text"] for m in fake.messages(CHANNEL)]
    assert texts.count(rendition.meta["plain"][1]) == 1
    assert [t for t in texts if t in rendition.meta["plain"]] == list(rendition.meta["plain"])
    ids = receipt.extra["message_ids"].split(",")
    assert ids[1] == str(fake.messages(CHANNEL)[1]["message_id"])
    assert fake.messages(staff) == []  # the copies used for the comparison were deleted


def test_a_lost_request_that_never_arrived_is_found_missing_and_sent_once(fake):
    staff = fake.add_chat(type="supergroup", title="Équipe com")
    channel = create_channel(fake, check_chat_id=str(staff.id))
    rendition, error = lost_second_message(fake, channel, "disconnect")
    assert len(fake.messages(CHANNEL)) == 1
    channel.post(rendition, known_ids=error.sent_ids, unsure=True)
    assert [m["text"] for m in fake.messages(CHANNEL)] == list(rendition.meta["plain"])


def test_without_a_staff_chat_a_lost_reply_is_refused_rather_than_risk_a_duplicate(fake):
    channel = create_channel(fake)
    rendition, error = lost_second_message(fake, channel, "timeout_after_accept")
    with pytest.raises(TelegramPermanentError) as refused:
        channel.post(rendition, known_ids=error.sent_ids, unsure=True)
    assert "resend by hand" in str(refused.value)
    assert len(fake.messages(CHANNEL)) == 2


def test_a_lost_first_message_is_checked_from_the_account_last_known_id(fake):
    staff = fake.add_chat(type="supergroup", title="Équipe com")
    channel = create_channel(fake, check_chat_id=str(staff.id))
    earlier = fake.post_as_admin(fake.channel, "Annonce précédente")
    rendition = render_telegram(create_message())
    fake.fail_next("timeout_after_accept", delay=1.0)
    with pytest.raises(TelegramUnknownOutcomeError) as error:
        channel.send(rendition, ANYONE, idempotency_key="d-6")
    assert error.value.sent_ids == ()
    with pytest.raises(TelegramPermanentError):  # no id to start from: cannot check
        channel.post(rendition, unsure=True)
    with pytest.raises(TelegramPermanentError):
        channel.post(rendition, unsure=True, after_id="latest")
    receipt = channel.post(rendition, unsure=True, after_id=str(earlier["message_id"]))
    assert len(fake.messages(CHANNEL)) == 2
    assert receipt.provider_ref == str(fake.messages(CHANNEL)[1]["message_id"])


def test_a_migrated_group_gets_the_message_and_the_receipt_names_the_new_id(fake):
    group = fake.add_chat(type="group", title="Conseil de quartier")
    supergroup = fake.migrate(group)
    channel = create_channel(fake, chat_id=str(group.id))
    receipt = channel.send(render_telegram(create_message()), ANYONE, idempotency_key="d-7")
    assert receipt.extra["migrate_to_chat_id"] == str(supergroup.id)
    assert len(fake.messages(supergroup)) == 1
    channel.send(render_telegram(create_message(title="Suite")), ANYONE, idempotency_key="d-8")
    assert len(fake.messages(supergroup)) == 2
    assert [c for c, _ in fake.calls].count("sendMessage") == 3  # one refused, two posted


def test_a_published_thread_is_corrected_in_place(fake):
    channel = create_channel(fake)
    receipt = channel.send(render_telegram(create_message()), ANYONE, idempotency_key="d-9")
    corrected = render_telegram(create_message(title="Coupure d’eau reportée à jeudi"))
    again = channel.edit(corrected, receipt.extra["message_ids"].split(","))
    (posted,) = fake.messages(CHANNEL)
    assert posted["text"] == corrected.meta["plain"][0] and "edit_date" in posted
    assert again.provider_ref == receipt.provider_ref
    channel.edit(corrected, [receipt.provider_ref])  # "not modified" is not an error
    assert len(fake.messages(CHANNEL)) == 1


def test_a_bad_token_is_a_credentials_error_that_shows_no_token(fake):
    channel = create_channel(fake, bot_token="123456789:AAwrongwrongwrongwrongwrongwrong")
    with pytest.raises(TelegramCredentialsError) as error:
        channel.send(render_telegram(create_message()), ANYONE, idempotency_key="d-10")
    assert isinstance(error.value, ChannelConfigError) and error.value.status == 401
    assert "AAwrong" not in str(error.value) and "AAwrong" not in repr(channel)


def test_a_bot_that_is_not_admin_cannot_post(fake):
    fake.channel.bot_status = "member"
    with pytest.raises(PermanentChannelError) as error:
        create_channel(fake).send(render_telegram(create_message()), ANYONE, idempotency_key="x")
    assert "need administrator rights" in str(error.value)


def test_check_says_the_bot_is_an_administrator_that_can_post(fake):
    line = create_channel(fake).check()
    where = f"mairie_infos ({CHANNEL})"
    assert line == f"telegram: @crieur_test_bot is an administrator of {where} and can post"
    assert fake.messages(CHANNEL) == []  # nothing was posted


@pytest.mark.parametrize(
    "setup, cause",
    [
        (lambda f: setattr(f.channel, "bot_status", "member"), "is member in mairie_infos"),
        (lambda f: setattr(f.channel, "can_post", False), "without the right to post"),
        (lambda f: setattr(f.channel, "username", "autre"), "chat not found"),
    ],
    ids=["member", "admin-without-post", "unknown-chat"],
)
def test_check_gives_a_one_line_cause(fake, setup, cause):
    setup(fake)
    with pytest.raises(PermanentChannelError) as error:
        create_channel(fake).check()
    assert cause in str(error.value) and "\n" not in str(error.value)


def test_check_surfaces_a_migrated_group_and_a_refused_token(fake):
    group = fake.add_chat(type="group", title="Conseil")
    supergroup = fake.migrate(group)
    with pytest.raises(PermanentChannelError) as error:
        create_channel(fake, chat_id=str(group.id)).check()
    assert f"set chat_id={supergroup.id}" in str(error.value)
    with pytest.raises(TelegramCredentialsError):
        create_channel(fake, bot_token="123456789:AAwrongwrongwrongwrongwrongwrong").check()


def test_the_bot_token_never_reaches_a_log(fake, caplog):
    with caplog.at_level(logging.DEBUG, logger="httpx"):
        create_channel(fake).send(render_telegram(create_message()), ANYONE, idempotency_key="x")
    assert caplog.records and "HTTP Request" in caplog.text
    assert fake.token not in caplog.text and fake.token.split(":")[1] not in caplog.text
    assert "/sendMessage" in caplog.text  # the path kept, its token part redacted


@pytest.mark.parametrize(
    "values, message",
    [
        ({"chat_id": "mairie", "bot_token": "123456789:" + "A" * 30}, "chat_id must be"),
        ({"chat_id": "@mairie_infos", "bot_token": "nope"}, "bot_token must look like"),
        (
            {
                "chat_id": "@mairie_infos",
                "bot_token": "123456789:" + "A" * 30,
                "check_chat_id": "staff",
            },
            "check_chat_id must be",
        ),
    ],
)
def test_bad_settings_are_refused_at_once(values, message):
    with pytest.raises(ChannelConfigError) as error:
        TelegramConfig(**values)
    assert message in str(error.value)
