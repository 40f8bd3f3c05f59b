"""What the delivery engine needs for WhatsApp and email, worked out before the sends start
(the send threads never touch the database):

- which WhatsApp form a citizen gets: free text inside the 24-hour window their last message
  opened, the approved template outside it;
- each email's own unsubscribe link (`meta["unsubscribe_url"]`), issued in one insert;
- a WhatsApp message whose reply was lost is not sent again until Meta's status webhook (which
  echoes the delivery's key) had time to say whether it went out;
- a mailbox the server refused for good (a hard bounce) leaves the list of addresses written to.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.utils import timezone

from channels.base import Channel, Receipt, Recipient
from channels.email import RecipientRefusedError
from channels.errors import ChannelError, UnknownOutcomeError
from gateway.messaging.renditions import TEMPLATE, TEXT
from gateway.messaging.unsubscribe import issue_many, url_of
from gateway.models import Delivery
from renderers.message import Rendition

# Meta sends a message's first status within seconds: after a lost reply, wait this long for
# it before deciding the message never left.
STATUS_WAIT = timedelta(minutes=2)


def form_for(channel: str, window_until: datetime | None, now: datetime) -> str | None:
    """The form a per-citizen messaging delivery sends (None: not a messaging channel)."""
    if channel == "email":
        return "email"
    if channel == "whatsapp":
        return TEXT if window_until is not None and window_until > now else TEMPLATE
    return None


class AwaitingStatus(Channel):
    """A WhatsApp channel for one delivery whose previous reply was lost: `find_sent` gives
    the message Meta's webhook reported, or refuses to resend while one may still come."""

    name: ClassVar[str] = "whatsapp"
    family: ClassVar[str] = "messaging"
    forms: ClassVar[tuple[str, ...]] = (TEXT, TEMPLATE)

    def __init__(self, inner: Channel, found: str, wait: float) -> None:
        self.inner, self.found, self.wait = inner, found, wait
        self.request_rate_per_sec = inner.request_rate_per_sec  # type: ignore[misc]

    @property
    def account_key(self) -> str:
        return self.inner.account_key

    def find_sent(self, phone: str, since: Any, key: str, body: str | None = None):
        if self.found:
            return Receipt(provider_ref=self.found, status="sent")
        if self.wait > 0:
            error = UnknownOutcomeError("whatsapp: waiting for the status of the last attempt")
            error.retry_after = self.wait  # type: ignore[attr-defined]
            raise error
        return None

    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt:
        return self.inner.try_send(rendition, recipient, idempotency_key=idempotency_key)


def prepared(jobs: list, before_claim: dict[int, datetime]) -> list:
    """The jobs with their unsubscribe links and WhatsApp reconciliation in place.

    `before_claim`: each delivery's `updated_at` before this claim (when its last attempt
    ended)."""
    emails = [
        job
        for job in jobs
        if job.rendition.form == "email" and job.recipient.reference and not job.broadcast
    ]
    by_pk = {job.pk: job for job in jobs}
    if emails:
        citizens = dict(
            Delivery.objects.filter(pk__in=[j.pk for j in emails]).values_list("pk", "citizen_id")
        )
        pairs = [(citizens[j.pk], j.pk) for j in emails if citizens.get(j.pk)]
        for (_, pk), token in zip(pairs, issue_many(pairs), strict=True):
            job = by_pk[pk]
            meta = {**job.rendition.meta, "unsubscribe_url": url_of(token)}
            by_pk[pk] = dataclasses.replace(
                job, rendition=dataclasses.replace(job.rendition, meta=meta)
            )
    unsure = [
        job
        for job in by_pk.values()
        if job.reconcile_since is not None and job.rendition.form in (TEXT, TEMPLATE)
    ]
    if unsure:
        refs = dict(
            Delivery.objects.filter(pk__in=[j.pk for j in unsure]).values_list("pk", "provider_ref")
        )
        now = timezone.now()
        for job in unsure:
            ended = before_claim.get(job.pk) or now
            wait = max(0.0, (ended + STATUS_WAIT - now).total_seconds())
            channel = AwaitingStatus(job.target.channel, refs.get(job.pk, ""), wait)
            by_pk[job.pk] = dataclasses.replace(
                job, target=dataclasses.replace(job.target, channel=channel)
            )
    return [by_pk[job.pk] for job in jobs]


def refused_address(error: ChannelError) -> bool:
    """A hard bounce: the mailbox does not exist or takes no mail."""
    return isinstance(error, RecipientRefusedError)
