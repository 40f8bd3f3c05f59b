"""What the engine remembers of a broadcast post whose network has no idempotency key.

Telegram: every message id of a thread is kept on its delivery as soon as Telegram gives it
(`provider_state["message_ids"]`), with the channel's last known message before the post
(`after_id`), so a retry resumes after the confirmed messages, and after a lost reply looks
for the message from there before posting anything (`TelegramChannel.post(known_ids, unsure,
after_id)`). The account keeps the id of its channel's last message (`state`), and a group
that became a supergroup has its `chat_id` changed (audited) when Telegram says so.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction

from channels.base import Receipt
from channels.errors import ChannelError
from gateway.accounts.models import ProviderAccount
from gateway.models import Delivery

logger = logging.getLogger(__name__)

LAST_MESSAGE = "last_message_id"


@dataclass(frozen=True)
class Resume:
    """Where a Telegram post starts again: the messages already in the channel, and whether
    the next one may be there too (its reply was lost)."""

    known_ids: tuple[str, ...] = ()
    unsure: bool = False
    after_id: str | None = None


def is_telegram(channel) -> bool:
    return channel.name == "telegram" and hasattr(channel, "post")


def resume_points(jobs: Sequence[tuple[int, int | None, bool]]) -> dict[int, Resume]:
    """For each (delivery id, account id, unsure) Telegram job: where to start. A first
    attempt records the account's last message id on its delivery before anything is sent,
    so a check after a lost reply starts before the lost message, whatever was posted since."""
    if not jobs:
        return {}
    states = dict(
        Delivery.objects.filter(pk__in=[pk for pk, _, _ in jobs]).values_list(
            "pk", "provider_state"
        )
    )
    accounts = dict(
        ProviderAccount.objects.filter(pk__in={a for _, a, _ in jobs if a}).values_list(
            "pk", "state"
        )
    )
    points = {}
    for pk, account_id, unsure in jobs:
        state = dict(states.get(pk) or {})
        if "after_id" not in state:
            state["after_id"] = (accounts.get(account_id) or {}).get(LAST_MESSAGE)
            Delivery.objects.filter(pk=pk).update(provider_state=state)
        known = tuple(str(i) for i in state.get("message_ids") or ())
        points[pk] = Resume(known, unsure, None if known else state["after_id"])
    return points


def remember(pk: int, account_id: int | None, result: Receipt | ChannelError) -> None:
    """Keep what Telegram confirmed (a receipt's ids, a failed thread's `sent_ids`), move the
    account's last message forward and follow a migrated chat."""
    if isinstance(result, Receipt):
        ids = [i for i in result.extra.get("message_ids", "").split(",") if i]
    else:
        ids = list(getattr(result, "sent_ids", ()) or ())
    if ids:
        with transaction.atomic():
            row = Delivery.objects.select_for_update().filter(pk=pk).first()
            if row is not None:
                state = dict(row.provider_state or {})
                known = [str(i) for i in state.get("message_ids") or ()]
                state["message_ids"] = known + [i for i in ids if i not in known]
                Delivery.objects.filter(pk=pk).update(provider_state=state)
        if account_id is not None:
            note_last_message(account_id, ids)
    migrated = result.extra.get("migrate_to_chat_id") if isinstance(result, Receipt) else ""
    if migrated and account_id is not None:
        follow_migration(account_id, migrated)


def note_last_message(account_id: int, ids: Iterable[str]) -> None:
    numbers = [int(i) for i in ids if str(i).lstrip("-").isdigit()]
    if not numbers:
        return
    with transaction.atomic():
        account = ProviderAccount.objects.select_for_update().filter(pk=account_id).first()
        if account is None:
            return
        state = dict(account.state or {})
        last = state.get(LAST_MESSAGE)
        if last is None or max(numbers) > int(last):
            state[LAST_MESSAGE] = str(max(numbers))
            ProviderAccount.objects.filter(pk=account_id).update(state=state)


def follow_migration(account_id: int, chat_id: str) -> None:
    """The group became a supergroup: the account posts to its new id from now on (audited)."""
    from gateway.accounts.services import AccountError, edit_account

    account = ProviderAccount.objects.filter(pk=account_id, removed_at__isnull=True).first()
    if account is None or account.settings.get("chat_id") == chat_id:
        return
    try:
        edit_account(account, values={"chat_id": chat_id})
    except AccountError as exc:
        logger.warning("account %s: could not follow the chat migration: %s", account_id, exc)
